package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.CoseKey;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeygenCommandTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void writesPrivatePublicAndCoseKeyThatBelongTogether(SignatureAlgorithm alg) throws Exception {
        Path out = dir.resolve("keys");
        Cli.Run r = Cli.run("keygen", "--alg", alg.name().toLowerCase(java.util.Locale.ROOT), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("device.key.pem"))));
        PublicKey pub = Pem.publicKey(Files.readString(out.resolve("device.pub.pem")));
        VerificationKey vk = VerificationKey.of(pub, alg, Optional.empty());
        String fp = vk.fingerprint();
        assertEquals("kid: " + fp.substring(0, 16) + "\nalg: " + alg + "\nspki-sha256: " + fp + "\nwrote "
                + out.resolve("device.key.pem") + " (private, mode 0600), " + out.resolve("device.pub.pem") + ", "
                + out.resolve("device.cose-key") + "\n", r.out());
        VerificationKey cose = CoseKey.verificationKey(Files.readAllBytes(out.resolve("device.cose-key")));
        assertEquals(alg, cose.algorithm());
        assertEquals(KeyId.of(fp.substring(0, 16)), cose.keyId().orElseThrow());
        assertArrayEquals(pub.getEncoded(), cose.publicKey().getEncoded());
        String privPem = Files.readString(out.resolve("device.key.pem"));
        String kidHex = java.util.HexFormat.of().formatHex(fp.substring(0, 16).getBytes(StandardCharsets.US_ASCII));
        assertTrue(privPem.startsWith("attest-kid-hex: " + kidHex + "\n-----BEGIN PRIVATE KEY-----\n"), privPem.substring(0, 60));
        assertFalse(Files.readString(out.resolve("device.pub.pem")).contains("PRIVATE"));
        // The private key signs what the public key verifies.
        SigningKey sk = KeyFiles.signingKey(out.resolve("device.key.pem"), Optional.empty());
        byte[] data = "probe".getBytes(StandardCharsets.US_ASCII);
        assertTrue(cose.verify(data, sk.sign(data)));
        assertEquals(KeyId.of(fp.substring(0, 16)), sk.keyId().orElseThrow());
    }

    @Test
    void customKidGoesIntoTheCoseKey() throws Exception {
        Cli.Run r = Cli.run("keygen", "--kid", "sensor-7", "--alg", "EDDSA", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("kid: sensor-7\nalg: EDDSA\n"), r.out());
        assertEquals(KeyId.of("sensor-7"),
                CoseKey.verificationKey(Files.readAllBytes(dir.resolve("device.cose-key"))).keyId().orElseThrow());
        // Both PEM files carry the kid, so the device signs with it and the verifier pins it.
        assertEquals(KeyId.of("sensor-7"), KeyFiles.signingKey(dir.resolve("device.key.pem"), Optional.empty())
                .keyId().orElseThrow());
        assertEquals(KeyId.of("sensor-7"), KeyFiles.publicKey(dir.resolve("device.pub.pem"), Optional.empty())
                .keyId().orElseThrow());
        assertEquals(KeyId.of("cli"), KeyFiles.publicKey(dir.resolve("device.pub.pem"), Optional.of(KeyId.of("cli")))
                .keyId().orElseThrow());
        // A PEM without the kid line (e.g. from openssl) gets the derived kid.
        String bare = Files.readString(dir.resolve("device.pub.pem")).replaceAll("(?m)^attest-kid-hex:.*\n", "");
        Path bareFile = Files.writeString(dir.resolve("bare.pem"), bare);
        VerificationKey vk = KeyFiles.publicKey(bareFile, Optional.empty());
        assertEquals(KeyId.of(vk.fingerprint().substring(0, 16)), vk.keyId().orElseThrow());
    }

    @Test
    void refusesToReplaceKeysWithoutForce() throws Exception {
        assertEquals(0, Cli.run("keygen", "--out", dir.toString()).code());
        String before = Files.readString(dir.resolve("device.key.pem"));
        assertEquals("attest: " + dir.resolve("device.key.pem") + ": exists; use --force to replace it",
                Cli.run("keygen", "--out", dir.toString()).oneLineError(3));
        assertEquals(before, Files.readString(dir.resolve("device.key.pem")));
        assertEquals(0, Cli.run("keygen", "--out", dir.toString(), "--force").code());
        assertFalse(before.equals(Files.readString(dir.resolve("device.key.pem"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("device.key.pem"))));
    }

    @Test
    void badOptionsAreOneLineAndExit3() {
        assertEquals("attest: --kid: key id must be 1..64 bytes",
                Cli.run("keygen", "--kid", "x".repeat(65), "--out", dir.toString()).oneLineError(3));
        String alg = Cli.run("keygen", "--alg", "RS256", "--out", dir.toString()).oneLineError(3);
        assertTrue(alg.startsWith("attest: Invalid value for option '--alg': expected one of [ES256, ES384, ES512, EDDSA, PS256]"), alg);
        assertEquals("attest: Missing required option: '--out=DIR' (see 'attest keygen --help')",
                Cli.run("keygen").oneLineError(3));
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void pkcs12HoldsTheSameKeyAndSignsEvidence(SignatureAlgorithm alg) throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "correct horse\n");
        Path p12 = dir.resolve("device.p12");
        Cli.Run r = Cli.run("keygen", "--alg", alg.name(), "--kid", "p12-dev", "--out", dir.toString(),
                "--pkcs12", p12.toString(), "--password-file", pw.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith(", " + p12 + " (private, mode 0600)\n"), r.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p12)));
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, "correct horse".toCharArray());
        }
        assertEquals(java.util.List.of("p12-dev"), java.util.Collections.list(ks.aliases()));
        PublicKey pub = Pem.publicKey(Files.readString(dir.resolve("device.pub.pem")));
        assertArrayEquals(pub.getEncoded(), ks.getCertificate("p12-dev").getPublicKey().getEncoded());

        Path a = Files.writeString(dir.resolve("a"), "abc");
        Path tok = dir.resolve("tok");
        Cli.Run e = Cli.run("evidence", "--key", p12.toString(), "--password-file", pw.toString(), "--no-builtin",
                "--out", tok.toString(), a.toString());
        assertEquals(0, e.code(), e.err());
        Cli.Run v = Cli.run("inspect", tok.toString(), "--key", dir.resolve("device.pub.pem").toString());
        assertEquals("signature: valid (" + alg + ", kid=p12-dev)\n", v.err());
    }

    @Test
    void pkcs12ErrorsAreOneLine() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "right");
        Path wrong = Files.writeString(dir.resolve("wrong"), "wrong");
        Path p12 = dir.resolve("k.p12");
        assertEquals(0, Cli.run("keygen", "--out", dir.toString(), "--pkcs12", p12.toString(), "--password-file",
                pw.toString()).code());
        Path a = Files.writeString(dir.resolve("a"), "abc");
        assertEquals("attest: " + p12 + ": wrong password or damaged PKCS#12", Cli.run("evidence", "--key", p12.toString(),
                "--password-file", wrong.toString(), "--no-builtin", a.toString()).oneLineError(3));
        assertEquals("attest: " + p12 + ": looks like PKCS#12; give --password-file",
                Cli.run("evidence", "--key", p12.toString(), "--no-builtin", a.toString()).oneLineError(3));
        assertEquals("attest: --pkcs12 and --password-file go together",
                Cli.run("keygen", "--out", dir.resolve("x").toString(), "--pkcs12", p12.toString()).oneLineError(3));
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertEquals("attest: " + empty + ": the password (first line) is empty", Cli.run("keygen", "--out",
                dir.resolve("y").toString(), "--pkcs12", dir.resolve("y.p12").toString(), "--password-file", empty.toString())
                .oneLineError(3));
    }
}
