package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The openssl command as an independent oracle for the key files: it reads what keygen writes
 * (PEM, PKCS#8 and PKCS#12) and the CLI signs and verifies with keys openssl made.
 */
class KeyFilesInteropTest {
    @TempDir
    Path dir;

    private static String openssl(Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            String msg = "openssl not found (.ci/setup.d/25-openssl.sh installs it)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(msg, e);
            }
            Assumptions.abort(msg);
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    private static String pubPem(String pem) {
        return pem.replaceAll("(?m)^attest-kid-hex:.*\\n", "");
    }

    @Test
    void opensslReadsThePemAndPkcs12KeygenWrites() throws Exception {
        Files.writeString(dir.resolve("pw"), "s3cret\n");
        Cli.Run r = Cli.run("keygen", "--alg", "ES384", "--kid", "ossl", "--out", dir.toString(),
                "--pkcs12", dir.resolve("d.p12").toString(), "--password-file", dir.resolve("pw").toString());
        assertEquals(0, r.code(), r.err());
        String pub = pubPem(Files.readString(dir.resolve("device.pub.pem")));
        assertEquals(pub, openssl(dir, "pkey", "-in", "device.key.pem", "-pubout"));
        assertEquals(pub, openssl(dir, "pkey", "-pubin", "-in", "device.pub.pem", "-pubout"));
        String p12Key = openssl(dir, "pkcs12", "-in", "d.p12", "-passin", "file:pw", "-nocerts", "-nodes");
        Files.writeString(dir.resolve("p12key.pem"), p12Key);
        assertEquals(pub, openssl(dir, "pkey", "-in", "p12key.pem", "-pubout"));
        String cert = openssl(dir, "pkcs12", "-in", "d.p12", "-passin", "file:pw", "-nokeys");
        assertTrue(cert.contains("friendlyName: ossl") && cert.contains("subject=CN = ossl"), cert);
    }

    @Test
    void evidenceSignedWithOpensslKeysVerifies() throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "abc");
        String[][] algs = {{"EC", "-pkeyopt", "ec_paramgen_curve:P-256", "ES256"}, {"ED25519", null, null, "EDDSA"},
            {"RSA", "-pkeyopt", "rsa_keygen_bits:2048", "PS256"}};
        for (String[] alg : algs) {
            String name = alg[0].toLowerCase(java.util.Locale.ROOT);
            if (alg[1] == null) {
                openssl(dir, "genpkey", "-algorithm", alg[0], "-out", name + ".key");
            } else {
                openssl(dir, "genpkey", "-algorithm", alg[0], alg[1], alg[2], "-out", name + ".key");
            }
            openssl(dir, "pkey", "-in", name + ".key", "-pubout", "-out", name + ".pub");
            Files.writeString(dir.resolve(name + ".pair"), Files.readString(dir.resolve(name + ".key"))
                    + Files.readString(dir.resolve(name + ".pub")));
            Path tok = dir.resolve(name + ".tok");
            Cli.Run e = Cli.run("evidence", "--key", dir.resolve(name + ".pair").toString(), "--no-builtin",
                    "--out", tok.toString(), a.toString());
            assertEquals(0, e.code(), e.err());
            assertTrue(e.out().contains(", " + alg[3] + " kid="), e.out());
            Cli.Run refs = Cli.run("refs", "capture", tok.toString(), "--key", dir.resolve(name + ".pub").toString(),
                    "--out", dir.resolve(name + ".refs").toString());
            assertEquals(0, refs.code(), refs.err());
            Cli.Run v = Cli.run("verify", tok.toString(), "--trust", "d=" + dir.resolve(name + ".pub"),
                    "--refs", dir.resolve(name + ".refs").toString());
            assertEquals(0, v.code(), alg[0] + ": " + v.out());
        }
    }
}
