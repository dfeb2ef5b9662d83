package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path dir;
    Path keys;
    Path tok;
    byte[] token;

    @BeforeEach
    void token() throws Exception {
        keys = dir.resolve("keys");
        assertEquals(0, Cli.run("keygen", "--kid", "golden", "--out", keys.toString()).code());
        SigningKey key = KeyFiles.signingKey(keys.resolve("device.key.pem"), Optional.empty());
        token = Tokens.fixed(key);
        tok = Files.write(dir.resolve("tok.cbor"), token);
    }

    @Test
    void jsonAndDiagnosticMatchTheGoldenFiles() {
        Cli.Run json = Cli.run("inspect", tok.toString());
        assertEquals(0, json.code(), json.err());
        Cli.assertGolden("inspect-fixed.json", json.out());
        assertEquals("signature: not checked (ES256, kid=golden; give --key to check it)\n", json.err());
        assertEquals(json.out(), Cli.run("inspect", "--json", tok.toString()).out());
        Cli.Run diag = Cli.run("inspect", "--diag", tok.toString());
        assertEquals(0, diag.code(), diag.err());
        Cli.assertGolden("inspect-fixed.diag", diag.out());
    }

    @Test
    void evidenceFromTheCommandMatchesTheGoldenFileUpToTimes() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "abc");
        Path out = dir.resolve("e.cbor");
        assertEquals(0, Cli.run("evidence", "--key", keys.resolve("device.key.pem").toString(), "--no-builtin",
                "--out", out.toString(), dir.resolve("a.txt").toString()).code());
        Cli.Run r = Cli.run("inspect", out.toString(), "--key", keys.resolve("device.cose-key").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("signature: valid (ES256, kid=golden)\n", r.err());
        Cli.assertGolden("inspect-evidence.json", Cli.normalize(r.out(), dir));
    }

    @Test
    void hexBase64Base64urlAndStdinAreRecognised() throws Exception {
        String want = Cli.run("inspect", tok.toString()).out();
        String hex = HexFormat.of().formatHex(token);
        String b64 = Base64.getMimeEncoder().encodeToString(token);
        String b64url = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        for (String text : new String[] {hex + "\n", hex.toUpperCase(java.util.Locale.ROOT), b64 + "\n", b64url}) {
            Path f = Files.writeString(dir.resolve("tok.txt"), text);
            Cli.Run r = Cli.run("inspect", f.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(want, r.out());
            Cli.Run stdin = Cli.run(text.getBytes(StandardCharsets.US_ASCII), "inspect", "-");
            assertEquals(want, stdin.out(), stdin.err());
        }
        assertEquals(want, Cli.run(token, "inspect").out(), "stdin is the default");
    }

    @Test
    void signatureStatusWithAKey() throws Exception {
        Cli.Run ok = Cli.run("inspect", tok.toString(), "--key", keys.resolve("device.pub.pem").toString());
        assertEquals(0, ok.code(), ok.err());
        assertEquals("signature: valid (ES256, kid=golden)\n", ok.err());

        Path other = dir.resolve("other");
        assertEquals(0, Cli.run("keygen", "--out", other.toString()).code());
        Cli.Run bad = Cli.run("inspect", tok.toString(), "--key", other.resolve("device.pub.pem").toString());
        assertEquals(2, bad.code());
        assertEquals("signature: INVALID (BAD_SIGNATURE)\n", bad.err());
        assertEquals("", bad.out(), "claims that failed verification are not printed");

        Path ed = dir.resolve("ed");
        assertEquals(0, Cli.run("keygen", "--alg", "EDDSA", "--out", ed.toString()).code());
        Cli.Run alg = Cli.run("inspect", tok.toString(), "--key", ed.resolve("device.cose-key").toString());
        assertEquals(2, alg.code());
        assertEquals("signature: INVALID (KEY_ALGORITHM_MISMATCH)\n", alg.err());

        byte[] flipped = token.clone();
        flipped[flipped.length - 3] ^= 0x40;
        Path f = Files.write(dir.resolve("flipped.cbor"), flipped);
        Cli.Run forged = Cli.run("inspect", f.toString(), "--key", keys.resolve("device.pub.pem").toString());
        assertEquals(2, forged.code());
        assertEquals("signature: INVALID (BAD_SIGNATURE)\n", forged.err());
    }

    @Test
    void badInputIsOneLineAndExit3() throws Exception {
        Path truncated = Files.write(dir.resolve("truncated"), Arrays.copyOf(token, token.length / 2));
        assertTrue(Cli.run("inspect", truncated.toString()).oneLineError(3)
                .startsWith("attest: " + truncated + ": MALFORMED_CBOR: token: TRUNCATED"));
        Path text = Files.writeString(dir.resolve("text"), "not a token!\n");
        assertEquals("attest: " + text + ": not a token (neither binary CBOR, hex nor base64)",
                Cli.run("inspect", text.toString()).oneLineError(3));
        Path notCbor = Files.write(dir.resolve("notcbor"), new byte[] {(byte) 0xff, 0x00, 0x01});
        assertTrue(Cli.run("inspect", notCbor.toString()).oneLineError(3)
                .startsWith("attest: " + notCbor + ": MALFORMED_CBOR: "));
        Path array = Files.write(dir.resolve("array"), HexFormat.of().parseHex("83010203"));
        assertEquals("attest: " + array + ": NOT_COSE_SIGN1: a COSE_Sign1 is an array of four items",
                Cli.run("inspect", array.toString()).oneLineError(3));
        Path trailing = Files.write(dir.resolve("trailing"), Arrays.copyOf(token, token.length + 1));
        assertTrue(Cli.run("inspect", trailing.toString()).oneLineError(3)
                .startsWith("attest: " + trailing + ": TRAILING_BYTES: "));
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertEquals("attest: " + empty + ": empty", Cli.run("inspect", empty.toString()).oneLineError(3));
        assertEquals("attest: " + dir.resolve("missing") + ": no such file",
                Cli.run("inspect", dir.resolve("missing").toString()).oneLineError(3));
        Path junkKey = Files.writeString(dir.resolve("junk.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertTrue(Cli.run("inspect", tok.toString(), "--key", junkKey.toString()).oneLineError(3)
                .startsWith("attest: " + junkKey + ": BAD_KEY: "));
        assertEquals("attest: --json and --diag exclude each other",
                Cli.run("inspect", "--json", "--diag", tok.toString()).oneLineError(3));
    }

    @Test
    void verboseAddsTheCause() throws Exception {
        Path truncated = Files.write(dir.resolve("truncated"), Arrays.copyOf(token, 10));
        Cli.Run r = Cli.run("inspect", "--verbose", truncated.toString());
        assertEquals(3, r.code());
        String[] lines = r.err().split("\n");
        assertTrue(lines.length >= 2 && lines[1].startsWith("  caused by: MALFORMED_CBOR: "), r.err());
    }
}
