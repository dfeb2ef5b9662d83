package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.evidence.internal.Crypto;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EvidenceTest {
    private static final SigningKey ES256 = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));
    private static final VerificationKey ES256_PUB = ES256.verificationKey().orElseThrow();

    private static EvidenceDecoder decoder(VerificationKey k) {
        return EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(k))).build();
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void signedEvidenceRoundTripsWithEveryAlgorithm(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.of(KeyId.of("k-" + alg)));
        EatClaims claims = Samples.claims(12);
        byte[] token = EvidenceEncoder.of(key).encode(claims);
        VerifiedEvidence v = decoder(key.verificationKey().orElseThrow()).decode(token);
        assertArrayEquals(EvidenceEncoder.payload(claims), EvidenceEncoder.payload(v.claims()), "claims survive byte for byte");
        assertEquals(12, v.claims().log().orElseThrow().measurements().size());
        assertEquals(claims.log().orElseThrow().measurements(), v.claims().log().orElseThrow().measurements());
        assertEquals(Set.of("firmware", "os", "application", "memory", "timing"), v.claims().submods().keySet());
        assertEquals(alg, v.key().algorithm());
    }

    @Test
    void tokenIsCwtTaggedCoseSign1WithProtectedAlgAndKid() throws Exception {
        byte[] token = EvidenceEncoder.of(ES256).encode(Samples.claims(1));
        // 61(18([...])): d8 3d d2 84
        assertEquals("d83dd284", HexFormat.of().formatHex(token, 0, 4));
        CoseSign1 c = CoseSign1.parse(token, 1 << 16, 16);
        assertEquals(SignatureAlgorithm.ES256, c.algorithm);
        assertEquals(KeyId.of("dev-1"), c.keyId.orElseThrow());
        assertEquals(0, c.unprotectedHeader.size());
    }

    @Test
    void wrongKeyUnknownKidAndAlgorithmMismatchAreRefused() throws Exception {
        byte[] token = EvidenceEncoder.of(ES256).encode(Samples.claims(3));
        SigningKey other = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(EvidenceException.class,
                () -> decoder(other.verificationKey().orElseThrow()).decode(token)).reason());
        SigningKey unknown = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-2")));
        assertEquals(Reason.KEY_NOT_FOUND, assertThrows(EvidenceException.class,
                () -> decoder(unknown.verificationKey().orElseThrow()).decode(token)).reason());
        SigningKey ed = SigningKey.generate(SignatureAlgorithm.EDDSA, Optional.of(KeyId.of("dev-1")));
        assertEquals(Reason.KEY_ALGORITHM_MISMATCH, assertThrows(EvidenceException.class,
                () -> decoder(ed.verificationKey().orElseThrow()).decode(token)).reason());
        assertEquals(Reason.ALG_NOT_ALLOWED, assertThrows(EvidenceException.class,
                () -> EvidenceDecoder.builder(KeyResolver.single(ES256_PUB)).algorithms(Set.of(SignatureAlgorithm.EDDSA))
                        .build().decode(token)).reason());
    }

    /** A COSE_Sign1 with the given headers, validly signed by ES256 over the sample payload. */
    private static byte[] forge(Cbor.Map protectedHeader, Cbor.Map unprotected) throws Exception {
        byte[] payload = EvidenceEncoder.payload(Samples.claims(2));
        byte[] ph = CborEncoder.encode(protectedHeader);
        byte[] sig = ES256.sign(CoseSign1.toBeSigned(ph, new byte[0], payload));
        return CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(Cbor.of(ph), unprotected, Cbor.of(payload), Cbor.of(sig))));
    }

    private static Reason reasonFor(byte[] token) {
        return assertThrows(EvidenceException.class, () -> EvidenceDecoder.builder(KeyResolver.single(ES256_PUB))
                .build().decode(token)).reason();
    }

    @Test
    void headerAttacksAreRefusedWithTheirReason() throws Exception {
        Cbor.Map kid = Cbor.map().put(4, Cbor.of("dev-1".getBytes())).build();
        Cbor.Map empty = Cbor.map().build();
        assertEquals(Reason.ALG_UNPROTECTED, reasonFor(forge(kid, Cbor.map().put(1, Cbor.of(-7)).build())));
        assertEquals(Reason.ALG_MISSING, reasonFor(forge(kid, empty)));
        // HMAC 256/256 (alg 5) with the public key as MAC key, and an unassigned "none"-like alg 0.
        assertEquals(Reason.ALG_NOT_ALLOWED, reasonFor(forge(Cbor.map().put(1, Cbor.of(5)).build(), empty)));
        assertEquals(Reason.ALG_NOT_ALLOWED, reasonFor(forge(Cbor.map().put(1, Cbor.of(0)).build(), empty)));
        assertEquals(Reason.ALG_NOT_ALLOWED, reasonFor(forge(Cbor.map().put(1, Cbor.of("ES256")).build(), empty)));
        assertEquals(Reason.UNKNOWN_CRITICAL_HEADER, reasonFor(forge(Cbor.map().put(1, Cbor.of(-7))
                .put(2, Cbor.Array.of(Cbor.of(-70000))).put(-70000, Cbor.of(1)).build(), empty)));
        assertEquals(Reason.UNKNOWN_CRITICAL_HEADER, reasonFor(forge(Cbor.map().put(1, Cbor.of(-7)).build(),
                Cbor.map().put(2, Cbor.Array.of(Cbor.of(4))).build())));
        assertEquals(Reason.BAD_HEADER, reasonFor(forge(Cbor.map().put(1, Cbor.of(-7)).put(4, Cbor.of("x".getBytes())).build(),
                Cbor.map().put(4, Cbor.of("y".getBytes())).build())));
        assertEquals(Reason.BAD_HEADER, reasonFor(forge(Cbor.map().put(1, Cbor.of(-7)).put(4, Cbor.of(7)).build(), empty)));
        // The forged-but-valid baseline is accepted, so the refusals above are about the headers.
        VerifiedEvidence ok = EvidenceDecoder.builder(KeyResolver.single(ES256_PUB)).build()
                .decode(forge(Cbor.map().put(1, Cbor.of(-7)).build(), empty));
        assertEquals(2, ok.claims().log().orElseThrow().measurements().size());
    }

    @Test
    void largeHeadersAreCheckedForSharedLabelsInLogTime() throws Exception {
        // 60,000 labels in each bucket, none shared: a lookup of every protected label in the
        // unprotected map would take 3.6e9 comparisons before the signature is even checked.
        // (Built as entry lists: the map builder's own duplicate check is not what is measured.)
        List<Cbor.Entry> ph = new ArrayList<>(List.of(new Cbor.Entry(Cbor.of(1), Cbor.of(-7))));
        List<Cbor.Entry> uh = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            ph.add(new Cbor.Entry(Cbor.of(100_000 + i), Cbor.of(0)));
            uh.add(new Cbor.Entry(Cbor.of(200_000 + i), Cbor.of(0)));
        }
        byte[] token = forge(new Cbor.Map(ph), new Cbor.Map(uh));
        EvidenceDecoder big = EvidenceDecoder.builder(KeyResolver.single(ES256_PUB)).maxBytes(1 << 20).build();
        VerifiedEvidence ok = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(5), () -> big.decode(token));
        assertEquals(2, ok.claims().log().orElseThrow().measurements().size());
    }

    @Test
    void structuralAttacksAreRefusedWithTheirReason() throws Exception {
        byte[] token = EvidenceEncoder.of(ES256).encode(Samples.claims(3));
        byte[] trailing = Arrays.copyOf(token, token.length + 1);
        assertEquals(Reason.TRAILING_BYTES, reasonFor(trailing));
        assertEquals(Reason.MALFORMED_CBOR, reasonFor(Arrays.copyOf(token, token.length - 1)));
        assertEquals(Reason.TOO_LARGE, assertThrows(EvidenceException.class, () -> EvidenceDecoder
                .builder(KeyResolver.single(ES256_PUB)).maxBytes(token.length - 1).build().decode(token)).reason());
        byte[] deep = new byte[100];
        Arrays.fill(deep, (byte) 0x81);
        assertEquals(Reason.TOO_DEEP, reasonFor(deep));
        assertEquals(Reason.NOT_COSE_SIGN1, reasonFor(CborEncoder.encode(new Cbor.Tag(98, Cbor.Array.of()))));
        assertEquals(Reason.NOT_COSE_SIGN1, reasonFor(CborEncoder.encode(Cbor.Array.of(Cbor.of(1)))));
        assertEquals(Reason.NO_PAYLOAD, reasonFor(CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(
                Cbor.of(new byte[] {(byte) 0xa1, 1, 0x26}), Cbor.map().build(), Cbor.Simple.NULL, Cbor.of(new byte[64]))))));
        // {1: -7, 1: -7} as the protected header: a duplicate key.
        byte[] dup = HexFormat.of().parseHex("d28445a201260126a054546869732069732074686520636f6e74656e742e4100");
        assertEquals(Reason.DUPLICATE_KEY, reasonFor(dup));
    }

    @Test
    void aClaimTwiceInTwoEncodingsIsADuplicate() throws Exception {
        // {6: 1700000000, 6 (as 0x1806): 1} signed: iat twice, once with a non-shortest key. A
        // decoder that compared keys by their bytes took the second; a peer may take the first.
        byte[] payload = HexFormat.of().parseHex("a2" + "061a6553f100" + "180601");
        byte[] ph = CborEncoder.encode(Cbor.map().put(1, Cbor.of(-7)).build());
        byte[] sig = ES256.sign(CoseSign1.toBeSigned(ph, new byte[0], payload));
        byte[] token = CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(Cbor.of(ph), Cbor.map().build(),
                Cbor.of(payload), Cbor.of(sig))));
        assertEquals(Reason.DUPLICATE_KEY, reasonFor(token));
        // The same claims with the key written once decode: the refusal is about the duplicate.
        byte[] once = HexFormat.of().parseHex("a1" + "061a6553f100");
        byte[] sigOnce = ES256.sign(CoseSign1.toBeSigned(ph, new byte[0], once));
        VerifiedEvidence ok = EvidenceDecoder.builder(KeyResolver.single(ES256_PUB)).build().decode(CborEncoder.encode(
                new Cbor.Tag(18, Cbor.Array.of(Cbor.of(ph), Cbor.map().build(), Cbor.of(once), Cbor.of(sigOnce)))));
        assertEquals(1_700_000_000L, ok.claims().iat().orElseThrow().getEpochSecond());
    }

    /** Signed claims {measurements: [[65001, m]]} carrying the measurement bytes {@code m} as given. */
    private static byte[] withMeasurementBytes(byte[] m) throws Exception {
        byte[] payload = CborEncoder.encode(Cbor.map().put(EatProfile.MEASUREMENTS, Cbor.Array.of(
                Cbor.Array.of(Cbor.of(EatProfile.MEASUREMENT_CONTENT_FORMAT), Cbor.of(m)))).build());
        byte[] ph = CborEncoder.encode(Cbor.map().put(1, Cbor.of(-7)).build());
        byte[] sig = ES256.sign(CoseSign1.toBeSigned(ph, new byte[0], payload));
        return CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(Cbor.of(ph), Cbor.map().build(), Cbor.of(payload), Cbor.of(sig))));
    }

    /**
     * The Sig_structure fed to the digest part by part is byte for byte the one built, at the
     * payload and header lengths where CBOR heads change width; the key verifies either way
     * alike, for every algorithm (the non-ECDSA ones build it), and refuses a changed signature.
     */
    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void theSigStructureIsVerifiedAlikeStreamedOrBuilt(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.empty());
        VerificationKey vk = key.verificationKey().orElseThrow();
        java.util.Random random = new java.util.Random(alg.ordinal());
        for (int n : new int[] {0, 1, 23, 24, 255, 256, 65_535, 65_536}) {
            byte[] payload = new byte[n];
            random.nextBytes(payload);
            byte[] protectedBytes = new byte[n % 300];
            random.nextBytes(protectedBytes);
            byte[] built = CoseSign1.toBeSigned(protectedBytes, new byte[0], payload);
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            CoseSign1.updateToBeSigned(md, protectedBytes, payload);
            assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(built), md.digest(), "n=" + n);
            byte[] sig = key.sign(built);
            assertTrue(vk.verifySignature1(protectedBytes, payload, sig));
            assertTrue(vk.verify(built, sig));
            sig[sig.length / 2] ^= 1;
            assertFalse(vk.verifySignature1(protectedBytes, payload, sig));
            assertFalse(vk.verify(built, sig));
            sig[sig.length / 2] ^= 1;
            payload = payload.clone();
            if (n > 0) {
                payload[n - 1] ^= 1;
                assertFalse(vk.verifySignature1(protectedBytes, payload, sig));
            }
        }
    }

    /**
     * ECDSA, checked by the engine directly, answers what the provider's JCA {@code Signature}
     * answers for the same bytes: a valid signature, its malleated twin {@code (r, n - s)}, and
     * {@code r} or {@code s} at 0, at {@code n}, beyond it, or wider than the curve.
     */
    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "ES384", "ES512"})
    void ecdsaAnswersAsTheProvidersSignatureAtTheEdges(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.empty());
        VerificationKey vk = key.verificationKey().orElseThrow();
        int len = alg.coordinateLength();
        java.math.BigInteger order = ((java.security.interfaces.ECPublicKey) vk.publicKey()).getParams().getOrder();
        byte[] data = "to be signed".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] sig = key.sign(data);
        java.math.BigInteger r = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, 0, len));
        java.math.BigInteger s = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, len, 2 * len));
        java.math.BigInteger wide = java.math.BigInteger.ONE.shiftLeft(8 * len).subtract(java.math.BigInteger.ONE);
        java.math.BigInteger[][] pairs = {
            {r, s}, {r, order.subtract(s)}, {java.math.BigInteger.ZERO, s}, {r, java.math.BigInteger.ZERO},
            {order, s}, {r, order}, {r.add(order), s}, {r, s.add(order)}, {wide, s}, {r, wide},
        };
        // Twice: the key's first ECDSA verification runs Bouncy Castle's engine, later ones the
        // key's comb, and every pair goes through both.
        for (int i = 0; i < 2 * pairs.length; i++) {
            java.math.BigInteger[] p = pairs[i % pairs.length];
            if (p[0].bitLength() > 8 * len || p[1].bitLength() > 8 * len) {
                continue;
            }
            byte[] raw = new byte[2 * len];
            byte[] rb = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(len, p[0]);
            byte[] sb = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(len, p[1]);
            System.arraycopy(rb, 0, raw, 0, len);
            System.arraycopy(sb, 0, raw, len, len);
            boolean jca;
            try {
                java.security.Signature v = java.security.Signature.getInstance(alg.jcaName(),
                        new org.bouncycastle.jce.provider.BouncyCastleProvider());
                v.initVerify(vk.publicKey());
                v.update(data);
                jca = v.verify(Crypto.rawToDer(raw, len));
            } catch (java.security.GeneralSecurityException e) {
                jca = false;
            }
            assertEquals(jca, vk.verify(data, raw), "pair " + i);
            assertEquals(i % pairs.length < 2, vk.verify(data, raw), "pair " + i);
        }
        assertFalse(vk.verify(data, java.util.Arrays.copyOf(sig, 2 * len - 1)));
        assertFalse(vk.verify(data, java.util.Arrays.copyOf(sig, 2 * len + 1)));
    }

    /**
     * A device's consecutive cycles: the same components at later times, one of them changed on
     * the way. The decoder that remembers measurements gives what one that does not gives.
     */
    @Test
    void theMeasurementCacheNeverChangesWhatATokenDecodesTo() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> EvidenceDecoder.builder(KeyResolver.single(ES256_PUB))
                .measurementCache(-1));
        assertThrows(IllegalArgumentException.class, () -> EvidenceDecoder.builder(KeyResolver.single(ES256_PUB))
                .measurementCache((1 << 20) + 1));
        EvidenceDecoder cached = EvidenceDecoder.builder(KeyResolver.single(ES256_PUB)).measurementCache(8).build();
        EvidenceDecoder uncached = EvidenceDecoder.builder(KeyResolver.single(ES256_PUB)).measurementCache(0).build();
        dev.attest.core.MeasurementLog log = dev.attest.core.MeasurementLog.inMemory(dev.attest.core.DigestAlgorithm.SHA_256,
                "boot-1", 4096);
        for (int cycle = 0; cycle < 6; cycle++) {
            List<dev.attest.core.Measurement> ms = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String content = cycle >= 3 && i == 5 ? "updated" : "content " + i;
                ms.add(dev.attest.core.Measurement.builder(dev.attest.core.ComponentId.of("/usr/lib/c-" + i, "1.0"),
                                dev.attest.core.Layer.OS).collector("test.collector")
                        .time(java.time.Instant.ofEpochMilli(1_760_000_000_000L + cycle * 60_000L + i))
                        .digest(dev.attest.core.DigestAlgorithm.SHA_256.hash(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .build());
            }
            dev.attest.core.LogHead since = log.head();
            EatClaims claims = EatClaims.builder().profile(EatProfile.PROFILE).ueid(Samples.UEID)
                    .measurementLog(since, log.append(ms), log.head()).build();
            byte[] token = EvidenceEncoder.of(ES256).encode(claims);
            LogExtent viaCache = cached.decode(token).claims().log().orElseThrow();
            assertEquals(uncached.decode(token).claims().log().orElseThrow(), viaCache);
            assertEquals(ms, viaCache.measurements());
            for (int i = 0; i < ms.size(); i++) {
                assertArrayEquals(ms.get(i).canonicalEncoding(), viaCache.measurements().get(i).canonicalEncoding());
            }
        }
    }

    @Test
    void measurementsOnlyInTheirCanonicalFormAreAccepted() throws Exception {
        // The log chain hashes a measurement's bytes: a signed measurement in any other encoding
        // of the same content would let two evidences with one chain disagree.
        dev.attest.core.Measurement m = Samples.claims(1).allMeasurements().get(0);
        byte[] canonical = m.canonicalEncoding();
        VerifiedEvidence ok = EvidenceDecoder.builder(KeyResolver.single(ES256_PUB)).build()
                .decode(withMeasurementBytes(canonical));
        assertEquals(m, ok.claims().measurements().get(0));
        assertArrayEquals(canonical, ok.claims().measurements().get(0).canonicalEncoding());

        byte[] trailing = Arrays.copyOf(canonical, canonical.length + 1);
        byte[] longHead = new byte[canonical.length + 1];
        longHead[0] = (byte) 0xb8;
        longHead[1] = (byte) (canonical[0] & 0x1f);
        System.arraycopy(canonical, 1, longHead, 2, canonical.length - 1);
        Cbor.MapBuilder emptyDigests = Cbor.map().put(1, Cbor.of("x")).put(3, Cbor.of("os")).put(4, Cbor.Array.of())
                .put(5, Cbor.map().put("a", Cbor.of(1)).build()).put(6, Cbor.of("c")).put(7, Cbor.of(0)).put(8, Cbor.of(0));
        Cbor.MapBuilder emptyValues = Cbor.map().put(1, Cbor.of("x")).put(3, Cbor.of("os"))
                .put(4, Cbor.Array.of(Cbor.Array.of(Cbor.of(1), Cbor.of(new byte[32])))).put(5, Cbor.map().build())
                .put(6, Cbor.of("c")).put(7, Cbor.of(0)).put(8, Cbor.of(0));
        // {1: "x", 3: "os", 5: {"b": 1, "a": 2}, 6: "c", 7: 0, 8: 0}: value names out of order.
        byte[] unsorted = HexFormat.of().parseHex("a601617803626f7305a26162016161020661630700" + "0800");
        for (byte[] bad : List.of(trailing, longHead, CborEncoder.encode(emptyDigests.build()),
                CborEncoder.encode(emptyValues.build()), unsorted)) {
            EvidenceException e = assertThrows(EvidenceException.class,
                    () -> EvidenceDecoder.builder(KeyResolver.single(ES256_PUB)).build().decode(withMeasurementBytes(bad)));
            assertEquals(Reason.BAD_CLAIMS, e.reason(), e::getMessage);
            assertTrue(e.getMessage().contains("/273/0"), e::getMessage);
        }
    }

    @Test
    void ed25519SignatureWithNonCanonicalSIsRefused() throws Exception {
        SigningKey ed = SigningKey.generate(SignatureAlgorithm.EDDSA, Optional.of(KeyId.of("ed")));
        byte[] msg = "message".getBytes();
        byte[] sig = ed.sign(msg);
        VerificationKey pub = ed.verificationKey().orElseThrow();
        assertTrue(pub.verify(msg, sig));
        // S + L verifies under a lax verifier (same point arithmetic) but is malleated.
        BigInteger l = BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));
        byte[] sLe = Arrays.copyOfRange(sig, 32, 64);
        byte[] sBe = new byte[32];
        for (int i = 0; i < 32; i++) {
            sBe[i] = sLe[31 - i];
        }
        byte[] malleated = new BigInteger(1, sBe).add(l).toByteArray();
        byte[] fixed = new byte[32];
        System.arraycopy(malleated, Math.max(0, malleated.length - 32), fixed, Math.max(0, 32 - malleated.length),
                Math.min(32, malleated.length));
        byte[] bad = sig.clone();
        for (int i = 0; i < 32; i++) {
            bad[32 + i] = fixed[31 - i];
        }
        assertFalse(Crypto.ed25519CanonicalS(bad));
        assertFalse(pub.verify(msg, bad));
    }

    @Test
    void pinnedKeysNeedDistinctKeyIds() {
        VerificationKey twin = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")))
                .verificationKey().orElseThrow();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> KeyResolver.byKeyId(List.of(ES256_PUB, twin)));
        VerificationKey anonymous = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty())
                .verificationKey().orElseThrow();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> KeyResolver.byKeyId(List.of(anonymous)));
    }

    /**
     * Keys from the JDK's own providers (what {@code KeyFactory.getInstance("EC")}, a
     * {@code KeyStore} or the JDK's certificate parser give) verify through the SDK's provider
     * after one conversion into its key class: tokens signed by the key verify, tokens signed by
     * another key do not, and the key the caller gave is the one {@code publicKey()} returns.
     */
    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void keysFromTheJdkVerifyThroughTheSdkProvider(SignatureAlgorithm alg) throws Exception {
        java.security.KeyPairGenerator g = switch (alg) {
            case ES256, ES384, ES512 -> {
                java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
                ec.initialize(new java.security.spec.ECGenParameterSpec(alg.curve()));
                yield ec;
            }
            case EDDSA -> java.security.KeyPairGenerator.getInstance("Ed25519");
            case PS256 -> {
                java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
                rsa.initialize(2048);
                yield rsa;
            }
        };
        java.security.KeyPair pair = g.generateKeyPair();
        assertFalse(pair.getPublic().getClass().getName().startsWith("org.bouncycastle."), "a JDK key");
        VerificationKey pub = VerificationKey.of(pair.getPublic(), alg, Optional.of(KeyId.of("jdk")));
        assertTrue(pub.publicKey() == pair.getPublic(), "publicKey() is the caller's key");
        java.security.PublicKey converted = Crypto.forProvider(pair.getPublic(), Crypto.DEFAULT_PROVIDER);
        assertTrue(converted.getClass().getName().startsWith("org.bouncycastle."), converted.getClass().getName());
        assertArrayEquals(pair.getPublic().getEncoded(), converted.getEncoded());
        assertTrue(Crypto.forProvider(pair.getPublic(), new org.bouncycastle.jce.provider.BouncyCastleProvider())
                == pair.getPublic(), "another provider instance is never asked to convert");

        EatClaims claims = Samples.claims(3);
        byte[] token = EvidenceEncoder.of(SigningKey.of(pair, alg, Optional.of(KeyId.of("jdk")))).encode(claims);
        assertEquals(claims.log().orElseThrow().measurements(),
                decoder(pub).decode(token).claims().log().orElseThrow().measurements());
        SigningKey other = SigningKey.generate(alg, Optional.of(KeyId.of("jdk")));
        EvidenceException e = assertThrows(EvidenceException.class,
                () -> decoder(pub).decode(EvidenceEncoder.of(other).encode(claims)));
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
    }

    @Test
    void keysNeverAppearInToString() {
        String s = ES256.toString() + ES256_PUB;
        assertFalse(s.contains(HexFormat.of().formatHex(ES256.privateKey().getEncoded()).substring(60)));
        assertTrue(s.contains("kid=dev-1"));
    }

    @Test
    void coseKeyAndPemRoundTrip() throws Exception {
        for (SignatureAlgorithm alg : SignatureAlgorithm.values()) {
            SigningKey k = SigningKey.generate(alg, Optional.of(KeyId.of("rt")));
            VerificationKey pub = k.verificationKey().orElseThrow();
            VerificationKey back = CoseKey.verificationKey(CoseKey.encode(pub));
            assertEquals(pub.fingerprint(), back.fingerprint());
            assertEquals(alg, back.algorithm());
            assertEquals(KeyId.of("rt"), back.keyId().orElseThrow());
            assertArrayEquals(pub.publicKey().getEncoded(), Pem.publicKey(Pem.publicKey(pub.publicKey())).getEncoded());
            byte[] msg = new byte[] {1, 2, 3};
            SigningKey fromPem = SigningKey.of(Pem.privateKey(Pem.privateKey(k.privateKey())), alg, Optional.empty(),
                    Crypto.DEFAULT_PROVIDER);
            assertTrue(pub.verify(msg, fromPem.sign(msg)));
        }
    }

    @Test
    void coseKeyWithPointOffTheCurveIsRefused() {
        VerificationKey pub = ES256_PUB;
        byte[] good = CoseKey.encode(pub);
        Cbor.Map m = (Cbor.Map) assertDoesNotThrowDecode(good);
        byte[] y = ((Cbor.Bytes) m.get(-3).orElseThrow()).value();
        y[31] ^= 1;
        Cbor.MapBuilder b = Cbor.map();
        for (Cbor.Entry e : m.entries()) {
            b.put(e.key(), e.key().equals(new Cbor.Int(-3)) ? Cbor.of(y) : e.value());
        }
        assertEquals(Reason.BAD_KEY, assertThrows(EvidenceException.class,
                () -> CoseKey.verificationKey(CborEncoder.encode(b.build()))).reason());
    }

    private static Cbor assertDoesNotThrowDecode(byte[] b) {
        try {
            return dev.attest.core.internal.cbor.CborDecoder.lenient(4096, 8, 100).decode(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
