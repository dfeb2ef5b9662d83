package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.LogExtent;
import dev.attest.evidence.VerificationKey;
import dev.attest.evidence.VerifiedEvidence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceCommandTest {
    @TempDir
    Path dir;
    Path keys;

    @BeforeEach
    void keys() {
        keys = dir.resolve("keys");
        assertEquals(0, Cli.run("keygen", "--out", keys.toString()).code());
    }

    private VerifiedEvidence decode(byte[] token) throws Exception {
        VerificationKey vk = KeyFiles.publicKey(keys.resolve("device.pub.pem"), Optional.empty());
        return EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(vk))).build().decode(token);
    }

    @Test
    void signsTheMeasuredFilesWithTheLogFromGenesis() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "abc");
        Path b = Files.writeString(dir.resolve("b"), "");
        Path tok = dir.resolve("tok.cbor");
        Instant before = Instant.now().minusSeconds(1);
        Cli.Run r = Cli.run("evidence", "--key", keys.resolve("device.key.pem").toString(), "--no-builtin",
                "--nonce", "000102030405060708090a0b0c0d0e0f", "--out", tok.toString(), a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        VerifiedEvidence v = decode(Files.readAllBytes(tok));
        EatClaims c = v.claims();
        assertEquals("wrote " + tok + ": " + Files.size(tok) + " bytes, 2 measurements, log 0..2, ES256 kid="
                + v.key().keyId().orElseThrow() + "\n", r.out());
        assertEquals(Optional.of("attest-cli"), c.swname());
        assertEquals(Optional.of(EatProfile.PROFILE), c.profile());
        assertArrayEquals(HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f"), c.nonces().get(0));
        assertTrue(!c.iat().orElseThrow().isBefore(before) && c.iat().get().isBefore(before.plus(Duration.ofMinutes(1))));
        LogExtent log = c.log().orElseThrow();
        assertEquals(0, log.since().sequence());
        assertTrue(log.since().head().matches(MeasurementLog.genesis(DigestAlgorithm.SHA_256)));
        assertEquals(2, log.head().sequence());
        assertEquals(EvidenceCommand.bootId(), log.head().bootId());
        Measurement m = log.measurements().get(0);
        assertEquals(a.toString(), m.component().name());
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", m.digests().get(0).hex());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                log.measurements().get(1).digests().get(0).hex());
        // The log replays to the head it claims.
        dev.attest.core.Digest h = log.since().head();
        for (Measurement x : log.measurements()) {
            h = MeasurementLog.extend(h, MeasurementLog.measurementDigest(DigestAlgorithm.SHA_256, x));
        }
        assertTrue(h.matches(log.head().head()));
    }

    @Test
    void withoutOutPrintsBase64AndHonoursKid() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "abc");
        Cli.Run r = Cli.run("evidence", "--key", keys.resolve("device.key.pem").toString(), "--kid", "other",
                "--no-builtin", a.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().split("\n").length);
        byte[] token = Base64.getDecoder().decode(r.out().trim());
        VerificationKey pub = KeyFiles.publicKey(keys.resolve("device.pub.pem"), Optional.of(KeyId.of("other")));
        assertEquals(KeyId.of("other"), EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(pub))).build()
                .decode(token).key().keyId().orElseThrow());
    }

    @Test
    void builtinCollectorsEndUpInLayerSubmodules() throws Exception {
        Path tok = dir.resolve("tok.cbor");
        Cli.Run r = Cli.run("evidence", "--key", keys.resolve("device.cose-key").toString().replace("cose-key", "key.pem"),
                "--out", tok.toString());
        assertEquals(0, r.code(), r.err());
        EatClaims c = decode(Files.readAllBytes(tok)).claims();
        int n = c.log().orElseThrow().measurements().size();
        assertTrue(n > 5, "built-in collectors measured " + n);
        assertEquals(n, c.log().get().head().sequence());
        assertTrue(c.submods().containsKey("process"), c.submods().keySet().toString());
    }

    @Test
    void unusableInputIsOneLineAndExit3() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "abc");
        String key = keys.resolve("device.key.pem").toString();
        assertEquals("attest: --nonce: must be 8 to 64 bytes, got 2",
                Cli.run("evidence", "--key", key, "--nonce", "abcd", "--no-builtin", a.toString()).oneLineError(3));
        assertEquals("attest: --nonce: not hex",
                Cli.run("evidence", "--key", key, "--nonce", "xyz", "--no-builtin", a.toString()).oneLineError(3));
        assertEquals("attest: " + dir.resolve("nope") + ": no such file",
                Cli.run("evidence", "--key", dir.resolve("nope").toString(), "--no-builtin", a.toString()).oneLineError(3));
        assertEquals("attest: --kid: key id must be 1..64 bytes",
                Cli.run("evidence", "--key", key, "--kid", "x".repeat(65), "--no-builtin", a.toString()).oneLineError(3));
        assertEquals("attest: " + keys.resolve("device.pub.pem") + ": BAD_KEY: PEM input needs a private key and its public key",
                Cli.run("evidence", "--key", keys.resolve("device.pub.pem").toString(), "--no-builtin", a.toString())
                        .oneLineError(3));
        assertEquals("attest: nothing to measure: give a PATH or drop --no-builtin",
                Cli.run("evidence", "--key", key, "--no-builtin").oneLineError(3));
    }
}
