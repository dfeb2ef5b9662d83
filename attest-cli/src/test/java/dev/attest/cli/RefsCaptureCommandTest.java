package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.ReferenceValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefsCaptureCommandTest {
    @TempDir
    Path dir;

    @Test
    void capturesTheDigestsOfAVerifiedToken() throws Exception {
        Path keys = dir.resolve("keys");
        assertEquals(0, Cli.run("keygen", "--kid", "golden", "--out", keys.toString()).code());
        byte[] token = Tokens.fixed(KeyFiles.signingKey(keys.resolve("device.key.pem"), Optional.empty()));
        Path t = Files.write(dir.resolve("t"), token);
        Cli.Run r = Cli.run("refs", "capture", t.toString(), "--key", keys.resolve("device.pub.pem").toString());
        assertEquals(0, r.code(), r.err());
        Cli.assertGolden("refs-fixed.json", r.out());
        VerificationKey vk = KeyFiles.publicKey(keys.resolve("device.pub.pem"), Optional.empty());
        ReferenceValues want = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(vk)).build().decode(token).claims());
        assertEquals(want.toJson().strip(), r.out().strip());
        assertEquals(want.components(), ReferenceValues.fromJson(r.out()).components());

        Path out = dir.resolve("refs.json");
        Cli.Run w = Cli.run("refs", "capture", t.toString(), "--key", keys.resolve("device.cose-key").toString(),
                "--out", out.toString());
        assertEquals("wrote " + out + ": 2 components\n", w.out());
        assertEquals(r.out().strip(), Files.readString(out).strip());
    }

    @Test
    void aTokenThatDoesNotVerifyIsRefused() throws Exception {
        Path keys = dir.resolve("keys");
        Path other = dir.resolve("other");
        assertEquals(0, Cli.run("keygen", "--out", keys.toString()).code());
        assertEquals(0, Cli.run("keygen", "--out", other.toString()).code());
        Path t = Files.write(dir.resolve("t"), Tokens.fixed(KeyFiles.signingKey(keys.resolve("device.key.pem"), Optional.empty())));
        String e = Cli.run("refs", "capture", t.toString(), "--key", other.resolve("device.pub.pem").toString()).oneLineError(2);
        assertTrue(e.startsWith("attest: " + t + ": BAD_SIGNATURE: the signature does not verify with "), e);
        Path junk = Files.write(dir.resolve("junk"), new byte[] {(byte) 0xd2, (byte) 0x84});
        assertTrue(Cli.run("refs", "capture", junk.toString(), "--key", keys.resolve("device.pub.pem").toString())
                .oneLineError(3).startsWith("attest: " + junk + ": MALFORMED_CBOR: "));
        assertEquals("attest: Missing required subcommand (see 'attest refs --help')", Cli.run("refs").oneLineError(3));
    }
}
