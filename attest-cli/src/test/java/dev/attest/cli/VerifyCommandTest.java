package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.verify.ear.Ear;
import dev.attest.verify.ear.EarCodec;
import dev.attest.verify.ear.EarVerificationKey;
import dev.attest.verify.ear.EarVerifier;
import dev.attest.verify.ear.TrustTier;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
    @TempDir
    Path dir;
    Path keys;
    Path a;
    Path b;
    String trust;

    @BeforeEach
    void device() throws Exception {
        keys = dir.resolve("keys");
        assertEquals(0, Cli.run("keygen", "--out", keys.toString()).code());
        a = Files.writeString(dir.resolve("a.txt"), "abc");
        b = Files.writeString(dir.resolve("b.conf"), "conf");
        trust = "dev1=" + keys.resolve("device.pub.pem");
    }

    private Path evidence(String name, String... extra) {
        Path out = dir.resolve(name);
        String[] base = {"evidence", "--key", keys.resolve("device.key.pem").toString(), "--no-builtin",
                "--out", out.toString(), a.toString(), b.toString()};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        Cli.Run r = Cli.run(args);
        assertEquals(0, r.code(), r.err());
        return out;
    }

    private Path refs(Path token) {
        Path out = dir.resolve("refs.json");
        Cli.Run r = Cli.run("refs", "capture", token.toString(), "--key", keys.resolve("device.cose-key").toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @Test
    void withoutReferenceValuesItIsAWarningExit1() {
        Cli.Run r = Cli.run("verify", evidence("t").toString(), "--trust", trust);
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.err());
        Cli.assertGolden("verify-warning.txt", Cli.normalize(r.out(), dir));
    }

    @Test
    void capturedReferenceValuesAffirmExit0() {
        Path t = evidence("t");
        Path refs = refs(t);
        Cli.Run r = Cli.run("verify", t.toString(), "--trust", trust, "--refs", refs.toString());
        assertEquals(0, r.code(), r.err());
        Cli.assertGolden("verify-affirming.txt", Cli.normalize(r.out(), dir));
        Cli.Run ear = Cli.run("verify", t.toString(), "--trust", trust, "--refs", refs.toString(), "--format", "ear-json");
        assertEquals(0, ear.code(), ear.err());
        Cli.assertGolden("verify-affirming.ear.json", Cli.normalize(ear.out(), dir));
    }

    @Test
    void aChangedFileIsContraindicatedExit2AndPolicyCanSoftenIt() throws Exception {
        Path refs = refs(evidence("good"));
        Files.writeString(a, "abd");
        Path bad = evidence("bad");
        Cli.Run r = Cli.run("verify", bad.toString(), "--trust", trust, "--refs", refs.toString());
        assertEquals(2, r.code(), r.err());
        Cli.assertGolden("verify-contraindicated.txt", Cli.normalize(r.out(), dir));

        Path policy = Files.writeString(dir.resolve("policy.json"),
                "{\"attest-policy\": 1, \"id\": \"lenient/1\", \"severity\": {\"reference.digest\": \"warning\"}}");
        Cli.Run soft = Cli.run("verify", bad.toString(), "--trust", trust, "--refs", refs.toString(),
                "--policy", policy.toString());
        assertEquals(1, soft.code(), soft.err());
        assertTrue(soft.out().startsWith("status: warning\ndevice: dev1\npolicy: lenient/1\n"), soft.out());
        assertTrue(soft.out().contains("\n  WARNING reference.digest at " + a + ": expected [sha-256:"), soft.out());
    }

    @Test
    void wrongOrUnknownKeyIsContraindicatedExit2() throws Exception {
        Path t = evidence("t");
        String kid = KeyFiles.publicKey(keys.resolve("device.pub.pem"), Optional.empty()).keyId().orElseThrow().toString();
        Path impostor = dir.resolve("impostor");
        assertEquals(0, Cli.run("keygen", "--kid", kid, "--out", impostor.toString()).code());
        Cli.Run wrong = Cli.run("verify", t.toString(), "--trust", "dev1=" + impostor.resolve("device.pub.pem"));
        assertEquals(2, wrong.code(), wrong.err());
        assertTrue(wrong.out().startsWith("status: contraindicated\ndevice: (unknown)\n"), wrong.out());
        assertTrue(wrong.out().contains("\n  CONTRAINDICATED evidence at /: expected valid signed evidence, found BAD_SIGNATURE: "),
                wrong.out());

        Path stranger = dir.resolve("stranger");
        assertEquals(0, Cli.run("keygen", "--out", stranger.toString()).code());
        Cli.Run unknown = Cli.run("verify", t.toString(), "--trust", "dev2=" + stranger.resolve("device.pub.pem"));
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.out().contains("\n  CONTRAINDICATED identity.unknown at /: expected a key of a known device, found KEY_NOT_FOUND: no key for kid "
                + kid + "\n"), unknown.out());
    }

    /** A token of this test's device issued {@code age} ago, and reference values that match it. */
    private Path staleToken(String name, java.time.Duration age) throws Exception {
        dev.attest.evidence.SigningKey key = KeyFiles.signingKey(keys.resolve("device.key.pem"), Optional.empty());
        dev.attest.evidence.EatClaims claims = Tokens.fixedClaims(java.time.Instant.now().minus(age));
        Files.writeString(dir.resolve("stale-refs.json"), dev.attest.verify.ReferenceValues.capture(claims).toJson());
        return Files.write(dir.resolve(name), dev.attest.evidence.EvidenceEncoder.of(key).encode(claims));
    }

    @Test
    void acceptStaleAcceptsOfflineEvidenceWithinItsBoundAndSaysSo() throws Exception {
        Path late = staleToken("late", java.time.Duration.ofHours(2));
        String refs = dir.resolve("stale-refs.json").toString();
        Cli.Run strict = Cli.run("verify", late.toString(), "--trust", trust, "--refs", refs);
        assertEquals(2, strict.code(), strict.out());
        assertTrue(strict.out().contains("\n  CONTRAINDICATED freshness.stale at /6: expected issued after "), strict.out());

        Cli.Run accepted = Cli.run("verify", late.toString(), "--trust", trust, "--refs", refs, "--accept-stale", "PT72H");
        assertEquals(0, accepted.code(), accepted.out() + accepted.err());
        assertTrue(accepted.out().startsWith("status: affirming\n"), accepted.out());
        assertTrue(accepted.out().matches("(?s).*\n  INFO freshness\\.stale-accepted at /6: expected issued after \\S+, or after "
                + "\\S+ under acceptStale\\(PT72H\\), found \\S+ \\(72\\d\\d s old\\)\n.*"), accepted.out());
        Cli.Run ear = Cli.run("verify", late.toString(), "--trust", trust, "--refs", refs, "--accept-stale", "PT72H",
                "--format", "ear-json");
        assertEquals(0, ear.code(), ear.err());
        assertTrue(ear.out().contains("\"check\":\"freshness.stale-accepted\""), ear.out());

        // The same through the policy file.
        Path policy = Files.writeString(dir.resolve("offline.json"),
                "{\"attest-policy\": 1, \"id\": \"offline/1\", \"accept-stale\": {\"up-to\": \"PT72H\"}}");
        Cli.Run viaPolicy = Cli.run("verify", late.toString(), "--trust", trust, "--refs", refs, "--policy", policy.toString());
        assertEquals(0, viaPolicy.code(), viaPolicy.out() + viaPolicy.err());
        assertTrue(viaPolicy.out().startsWith("status: affirming\ndevice: dev1\npolicy: offline/1\n"), viaPolicy.out());
        assertTrue(viaPolicy.out().contains("\n  INFO freshness.stale-accepted at /6: "), viaPolicy.out());

        // Beyond the bound: stale, contraindicated, whichever way the bound was given.
        Path older = staleToken("older", java.time.Duration.ofHours(73));
        for (String[] how : new String[][] {{"--accept-stale", "PT72H"}, {"--policy", policy.toString()}}) {
            Cli.Run r = Cli.run("verify", older.toString(), "--trust", trust, "--refs", dir.resolve("stale-refs.json").toString(),
                    how[0], how[1]);
            assertEquals(2, r.code(), r.out());
            assertTrue(r.out().contains("\n  CONTRAINDICATED freshness.stale at /6: expected issued after "), r.out());
            assertTrue(!r.out().contains("stale-accepted"), r.out());
        }
    }

    @Test
    void acceptStaleNeedsAPositiveCappedBoundLongerThanTheMaxAge() throws Exception {
        Path t = evidence("t");
        String[][] bad = {
            {"72h", "attest: --accept-stale: must be an ISO-8601 duration such as PT72H, not '72h'"},
            {"PT0S", "attest: --accept-stale: acceptStale must be positive"},
            {"-PT1H", "attest: --accept-stale: acceptStale must be positive"},
            {"P31D", "attest: --accept-stale: acceptStale must be at most PT720H"},
            {"PT10M", "attest: --accept-stale: acceptStale(PT10M) must be longer than the max age PT10M"},
        };
        for (String[] b : bad) {
            String err = Cli.run("verify", t.toString(), "--trust", trust, "--accept-stale", b[0]).oneLineError(3);
            assertEquals(b[1], err, b[0]);
        }
        Path policy = Files.writeString(dir.resolve("offline.json"),
                "{\"attest-policy\": 1, \"id\": \"offline/1\", \"accept-stale\": {\"up-to\": \"PT72H\"}}");
        String twice = Cli.run("verify", t.toString(), "--trust", trust, "--policy", policy.toString(), "--accept-stale",
                "PT24H").oneLineError(3);
        assertTrue(twice.contains("--accept-stale: BAD_VALUE at /accept-stale/up-to: policy offline/1 accepts stale evidence up to "
                + "PT72H, the builder up to PT24H: set the bound in one place"), twice);
        Path unbounded = Files.writeString(dir.resolve("unbounded.json"),
                "{\"attest-policy\": 1, \"id\": \"offline/1\", \"accept-stale\": {}}");
        String missing = Cli.run("verify", t.toString(), "--trust", trust, "--policy", unbounded.toString()).oneLineError(3);
        assertTrue(missing.endsWith("unbounded.json: BAD_VALUE at /accept-stale/up-to: required: accepting stale evidence needs a bound"),
                missing);
    }

    @Test
    void nonceMustMatchTheChallenge() {
        String n = "00112233445566778899aabbccddeeff";
        Path t = evidence("t", "--nonce", n);
        Path refs = refs(t);
        Cli.Run ok = Cli.run("verify", t.toString(), "--trust", trust, "--refs", refs.toString(), "--nonce", n);
        assertEquals(0, ok.code(), ok.out());
        Cli.Run other = Cli.run("verify", t.toString(), "--trust", trust, "--refs", refs.toString(),
                "--nonce", "ffeeddccbbaa99887766554433221100");
        assertEquals(2, other.code(), other.out());
        assertTrue(other.out().contains("\n  CONTRAINDICATED freshness.nonce at /10: expected the challenge nonce, found another nonce\n"),
                other.out());
        Cli.Run none = Cli.run("verify", evidence("plain").toString(), "--trust", trust, "--refs", refs.toString(), "--nonce", n);
        assertEquals(2, none.code());
        assertTrue(none.out().contains("freshness.nonce at /10: expected the challenge nonce, found no nonce\n"), none.out());
    }

    @Test
    void earJwtIsSignedWithTheGivenKeyAndVerifies() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        ECPublicKey pub = (ECPublicKey) kp.getPublic();
        String jwk = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"cli-test\",\"x\":\"" + b64(pub.getW().getAffineX())
                + "\",\"y\":\"" + b64(pub.getW().getAffineY()) + "\",\"d\":\"" + b64(((ECPrivateKey) kp.getPrivate()).getS()) + "\"}";
        Path skey = Files.writeString(dir.resolve("skey.json"), jwk);
        Path t = evidence("t");
        Cli.Run r = Cli.run("verify", t.toString(), "--trust", trust, "--refs", refs(t).toString(), "--format", "ear-jwt",
                "--ear-key", skey.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().split("\n").length);
        Ear ear = EarVerifier.builder().key(EarVerificationKey.of(pub, Optional.of("cli-test"))).build().verify(r.out().trim());
        assertEquals(TrustTier.AFFIRMING, ear.submods().get("dev1").status());
        assertEquals(VerifyCommand.VERIFIER_ID, ear.verifierId());

        Cli.Run json = Cli.run("verify", t.toString(), "--trust", trust, "--format", "ear-json");
        assertEquals(1, json.code());
        assertEquals(TrustTier.WARNING, EarCodec.parse(json.out().trim()).submods().get("dev1").status());
    }

    @Test
    void unusableInputIsOneLineAndExit3() throws Exception {
        Path t = evidence("t");
        byte[] token = Files.readAllBytes(t);
        Path truncated = Files.write(dir.resolve("truncated"), Arrays.copyOf(token, token.length - 7));
        assertTrue(Cli.run("verify", truncated.toString(), "--trust", trust).oneLineError(3)
                .startsWith("attest: " + truncated + ": MALFORMED_CBOR: token: TRUNCATED"));
        Path notCbor = Files.writeString(dir.resolve("notcbor"), "{\"not\": \"cbor\"}");
        assertEquals("attest: " + notCbor + ": not a token (neither binary CBOR, hex nor base64)",
                Cli.run("verify", notCbor.toString(), "--trust", trust).oneLineError(3));
        Path badJson = Files.writeString(dir.resolve("refs.json"), "{\"attest-reference-values\": 1, ");
        assertTrue(Cli.run("verify", t.toString(), "--trust", trust, "--refs", badJson.toString()).oneLineError(3)
                .startsWith("attest: " + badJson + ": MALFORMED_JSON at "));
        Path unknownField = Files.writeString(dir.resolve("policy.json"), "{\"attest-policy\": 1, \"severityy\": {}}");
        assertTrue(Cli.run("verify", t.toString(), "--trust", trust, "--policy", unknownField.toString()).oneLineError(3)
                .startsWith("attest: " + unknownField + ": UNKNOWN_FIELD at "));
        // A policy may not lower a floor check (docs/verifier.md, "The floor"): refused at load.
        Path lax = Files.writeString(dir.resolve("lax.json"),
                "{\"attest-policy\":1,\"id\":\"lax\",\"severity\":{\"continuity.replay\":\"info\"}}");
        assertTrue(Cli.run("verify", t.toString(), "--trust", trust, "--policy", lax.toString()).oneLineError(3)
                .startsWith("attest: " + lax + ": BELOW_FLOOR at /severity/continuity.replay: "));
        assertEquals("attest: " + dir.resolve("nope.pem") + ": no such file",
                Cli.run("verify", t.toString(), "--trust", "dev1=" + dir.resolve("nope.pem")).oneLineError(3));
        assertEquals("attest: --trust: expected DEVICE=KEYFILE, got 'dev1'",
                Cli.run("verify", t.toString(), "--trust", "dev1").oneLineError(3));
        assertEquals("attest: --trust: device dev1 given twice",
                Cli.run("verify", t.toString(), "--trust", trust + "," + trust).oneLineError(3));
        assertEquals("attest: --format: must be text, ear-json or ear-jwt",
                Cli.run("verify", t.toString(), "--trust", trust, "--format", "xml").oneLineError(3));
        assertEquals("attest: --format ear-jwt needs --ear-key",
                Cli.run("verify", t.toString(), "--trust", trust, "--format", "ear-jwt").oneLineError(3));
        assertTrue(Cli.run("verify", t.toString(), "--trust", trust, "--format", "ear-jwt", "--ear-key",
                keys.resolve("device.pub.pem").toString()).oneLineError(3).startsWith("attest: " + keys.resolve("device.pub.pem") + ": "));
        assertEquals("attest: verify needs --trust (devices' keys) or --corim (PSA endorsements)",
                Cli.run("verify", t.toString()).oneLineError(3));
        assertEquals("attest: --nonce: must be 8 to 64 bytes, got 1",
                Cli.run("verify", t.toString(), "--trust", trust, "--nonce", "00").oneLineError(3));
    }

    @Test
    void readsTheTokenFromStdinAsBase64() throws Exception {
        Path t = evidence("t");
        byte[] b64 = Base64.getEncoder().encode(Files.readAllBytes(t));
        Cli.Run r = Cli.run(b64, "verify", "-", "--trust", trust, "--refs", refs(t).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("status: affirming\n"), r.out());
    }

    private static String b64(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] fixed = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, fixed, 32 - n, n);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
    }
}
