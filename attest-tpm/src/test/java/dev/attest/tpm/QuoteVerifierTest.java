package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.tpm.QuoteVerification.Reason;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/** Each check of the quote verifier, one failure at a time, with its exact reason. */
class QuoteVerifierTest {
    final QuoteVerifier verifier = QuoteVerifier.builder().build();

    @Test
    void goodEccQuoteVerifies() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        QuoteVerification v = verifier.verify(q.ak, q.good(), q.nonce, q.pcrs);
        assertEquals(List.of(), v.failures());
        assertTrue(v.verified());
        assertEquals(q.goodAttest(), v.attest().orElseThrow());
    }

    /**
     * A historical quote (empty qualifying data, as a dataset's quote made without a challenge)
     * verifies only through verifyOffline, whose result records that freshness was not checked;
     * a given qualifying data of 0..64 bytes is compared exactly; the challenge API keeps its
     * 8..64-byte rule.
     */
    @Test
    void historicalQuotesVerifyOfflineAndSaySoInTheResult() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        TpmsAttest a = q.attest(TpmsAttest.TPM_GENERATED_VALUE, TpmsAttest.TPM_ST_ATTEST_QUOTE, new byte[0],
                HashAlg.SHA256.hash(q.pcrs.concatenate(q.selection).orElseThrow()));
        Quote historical = q.sign(a.encode(), HashAlg.SHA256);
        QuoteVerification unchecked = verifier.verifyOffline(q.ak, historical, java.util.Optional.empty(), q.pcrs);
        assertEquals(List.of(), unchecked.failures());
        assertTrue(unchecked.verified());
        assertFalse(unchecked.verifiedFresh());
        assertEquals(QuoteVerification.Freshness.NOT_CHECKED, unchecked.freshness());
        QuoteVerification matched = verifier.verifyOffline(q.ak, historical, java.util.Optional.of(new byte[0]), q.pcrs);
        assertEquals(QuoteVerification.Freshness.QUALIFYING_DATA_MATCHED, matched.freshness());
        assertTrue(matched.verified());
        assertFalse(matched.verifiedFresh());
        assertEquals(List.of(Reason.NONCE_MISMATCH),
                verifier.verifyOffline(q.ak, historical, java.util.Optional.of(new byte[] {0}), q.pcrs).reasons());
        // a fresh quote: its nonce checked offline, and through the challenge API
        assertEquals(List.of(Reason.NONCE_MISMATCH), verifier.verifyOffline(q.ak, q.good(), java.util.Optional.of(new byte[0]),
                q.pcrs).reasons());
        QuoteVerification fresh = verifier.verify(q.ak, q.good(), q.nonce, q.pcrs);
        assertEquals(QuoteVerification.Freshness.CHALLENGE, fresh.freshness());
        assertTrue(fresh.verifiedFresh());
        // offline, every other check still runs: a changed byte of the quote fails its signature
        byte[] bytes = historical.attest();
        bytes[bytes.length - 1] ^= 1;
        assertEquals(List.of(Reason.SIGNATURE_INVALID, Reason.PCR_DIGEST_MISMATCH), verifier.verifyOffline(q.ak,
                new Quote(bytes, historical.signature()), java.util.Optional.empty(), q.pcrs).reasons());
        IllegalArgumentException empty = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> verifier.verify(q.ak, historical, new byte[0], q.pcrs));
        assertEquals("nonce must be 8..64 bytes, got 0", empty.getMessage());
        IllegalArgumentException long65 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> verifier.verifyOffline(q.ak, historical, java.util.Optional.of(new byte[65]), q.pcrs));
        assertEquals("qualifying data must be 0..64 bytes, got 65", long65.getMessage());
    }

    @Test
    void goodQuotesVerifyAlsoWithTheJdkProviders() throws Exception {
        SoftwareQuotes r = SoftwareQuotes.rsa();
        assertTrue(verifier.verify(r.ak, r.good(), r.nonce, r.pcrs).verified());
        QuoteVerifier sunRsa = QuoteVerifier.builder().provider(Security.getProvider("SunRsaSign")).build();
        assertTrue(sunRsa.verify(r.ak, r.good(), r.nonce, r.pcrs).verified());
        SoftwareQuotes e = SoftwareQuotes.ecc();
        QuoteVerifier sunEc = QuoteVerifier.builder().provider(Security.getProvider("SunEC")).build();
        assertTrue(sunEc.verify(e.ak, e.good(), e.nonce, e.pcrs).verified());
        QuoteVerifier otherBc = QuoteVerifier.builder().provider(new BouncyCastleProvider()).build();
        assertTrue(otherBc.verify(e.ak, e.good(), e.nonce, e.pcrs).verified());
    }

    /**
     * An AK prepared once gives every quote the outcome its public area gives, also after
     * thousands of verifications (Bouncy Castle switches a point it meets often to a fixed-point
     * algorithm: a forged signature must still fail then), and a key prepared for another
     * provider is prepared again.
     */
    @Test
    void aPreparedKeyGivesTheOutcomesOfItsPublicArea() throws Exception {
        SoftwareQuotes e = SoftwareQuotes.ecc();
        SoftwareQuotes r = SoftwareQuotes.rsa();
        SoftwareQuotes other = SoftwareQuotes.ecc();
        QuoteVerifier.PreparedKey ecc = verifier.prepare(e.ak);
        QuoteVerifier.PreparedKey rsa = verifier.prepare(r.ak);
        assertEquals(e.ak, ecc.publicArea());
        Quote forged = e.sign(e.goodAttest().encode(), HashAlg.SHA256, other.keys.getPrivate());
        Quote wrongScheme = e.sign(e.goodAttest().encode(), HashAlg.SHA384);
        for (int i = 0; i < 2_000; i++) {
            assertTrue(verifier.verify(ecc, e.good(), e.nonce, e.pcrs).verified(), "round " + i);
            assertEquals(List.of(Reason.SIGNATURE_INVALID), verifier.verify(ecc, forged, e.nonce, e.pcrs).reasons());
        }
        assertEquals(verifier.verify(e.ak, wrongScheme, e.nonce, e.pcrs).reasons(),
                verifier.verify(ecc, wrongScheme, e.nonce, e.pcrs).reasons());
        assertTrue(verifier.verify(rsa, r.good(), r.nonce, r.pcrs).verified());
        assertEquals(List.of(Reason.SCHEME_MISMATCH), verifier.verify(rsa, e.good(), e.nonce, e.pcrs).reasons());

        TpmtPublic a = e.ak;
        byte[] y = a.uniqueY();
        y[31] ^= 1;
        TpmtPublic off = new TpmtPublic(a.type(), a.nameAlg(), a.objectAttributes(), a.authPolicy(), a.symmetricAlg(),
                a.symmetricKeyBits(), a.symmetricMode(), a.schemeAlg(), a.schemeHashAlg(), a.curveId(), a.kdfAlg(),
                a.kdfHashAlg(), 0, 0, a.uniqueX(), y);
        QuoteVerification fromArea = verifier.verify(off, e.good(), e.nonce, e.pcrs);
        QuoteVerification fromPrepared = verifier.verify(verifier.prepare(off), e.good(), e.nonce, e.pcrs);
        assertEquals(List.of(Reason.UNSUPPORTED_KEY), fromPrepared.reasons());
        assertEquals(fromArea.failures(), fromPrepared.failures());

        QuoteVerifier sunEc = QuoteVerifier.builder().provider(Security.getProvider("SunEC")).build();
        assertTrue(sunEc.verify(ecc, e.good(), e.nonce, e.pcrs).verified());
        assertEquals(List.of(Reason.SIGNATURE_INVALID), sunEc.verify(ecc, forged, e.nonce, e.pcrs).reasons());
    }

    /**
     * A prepared P-256 AK checks SHA-256 quotes as the evidence decoder checks ES256 (from its
     * second quote on, with the key's comb): r and s with leading zero bytes, wider than the curve,
     * swapped or malleated get the answer of the JCA signature of another provider, every time.
     */
    @Test
    void aPreparedEcdsaKeyAnswersAsTheJcaSignature() throws Exception {
        SoftwareQuotes e = SoftwareQuotes.ecc();
        QuoteVerifier.PreparedKey ecc = verifier.prepare(e.ak);
        QuoteVerifier sunEc = QuoteVerifier.builder().provider(Security.getProvider("SunEC")).build();
        TpmtSignature good = TpmtSignature.parse(e.good().signature());
        java.math.BigInteger n = ((java.security.interfaces.ECPublicKey) e.keys.getPublic()).getParams().getOrder();
        java.math.BigInteger s = new java.math.BigInteger(1, good.ecdsaS());
        byte[] r = good.ecdsaR();
        byte[] zeroR = new byte[r.length + 2];
        System.arraycopy(r, 0, zeroR, 2, r.length);
        byte[] wideR = new byte[r.length + 1];
        wideR[0] = 1;
        System.arraycopy(r, 0, wideR, 1, r.length);
        byte[][][] pairs = {
            {r, good.ecdsaS()}, {zeroR, good.ecdsaS()}, {r, SoftwareQuotes.fixed(n.subtract(s), 32)},
            {wideR, good.ecdsaS()}, {good.ecdsaS(), r}, {r, SoftwareQuotes.fixed(s.add(n), 33)},
        };
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < pairs.length; i++) {
                Quote q = new Quote(e.good().attest(),
                        new TpmtSignature(TpmtSignature.Scheme.ECDSA, HashAlg.SHA256, pairs[i][0], pairs[i][1], new byte[0])
                                .encode());
                boolean jca = sunEc.verify(e.ak, q, e.nonce, e.pcrs).verified();
                assertEquals(jca, verifier.verify(ecc, q, e.nonce, e.pcrs).verified(), "pair " + i + ", round " + round);
                assertEquals(i < 3, jca, "pair " + i);
            }
        }
    }

    @Test
    void wrongNonceIsNamed() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        QuoteVerification v = verifier.verify(q.ak, q.good(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, q.pcrs);
        assertEquals(List.of(Reason.NONCE_MISMATCH), v.reasons());
        assertFalse(v.verified());
        // a missing or tiny nonce is misuse, not a finding
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> verifier.verify(q.ak, q.good(), new byte[0], q.pcrs));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> verifier.verify(q.ak, q.good(), new byte[65], q.pcrs));
    }

    @Test
    void changedPcrValueIsADigestMismatch() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        Map<Integer, byte[]> bank = new TreeMap<>(q.pcrs.asMap().get(HashAlg.SHA256));
        bank.put(7, new byte[32]);
        QuoteVerification v = verifier.verify(q.ak, q.good(), q.nonce, PcrValues.of(Map.of(HashAlg.SHA256, bank)));
        assertEquals(List.of(Reason.PCR_DIGEST_MISMATCH), v.reasons());
    }

    @Test
    void missingPcrValueIsNamed() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        Map<Integer, byte[]> bank = new TreeMap<>(q.pcrs.asMap().get(HashAlg.SHA256));
        bank.remove(10);
        QuoteVerification v = verifier.verify(q.ak, q.good(), q.nonce, PcrValues.of(Map.of(HashAlg.SHA256, bank)));
        assertEquals(List.of(Reason.PCR_VALUES_MISSING), v.reasons());
    }

    @Test
    void otherKeyFailsTheSignature() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        SoftwareQuotes other = SoftwareQuotes.ecc();
        QuoteVerification v = verifier.verify(other.ak, q.good(), q.nonce, q.pcrs);
        assertEquals(List.of(Reason.SIGNATURE_INVALID), v.reasons());
    }

    @Test
    void unrestrictedKeyIsRejectedEvenIfTheSignatureVerifies() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        TpmtPublic a = q.ak;
        TpmtPublic loose = new TpmtPublic(a.type(), a.nameAlg(), a.objectAttributes() & ~TpmtPublic.RESTRICTED,
                a.authPolicy(), a.symmetricAlg(), a.symmetricKeyBits(), a.symmetricMode(), a.schemeAlg(),
                a.schemeHashAlg(), a.curveId(), a.kdfAlg(), a.kdfHashAlg(), 0, 0, a.uniqueX(), a.uniqueY());
        QuoteVerification v = verifier.verify(loose, q.good(), q.nonce, q.pcrs);
        assertEquals(List.of(Reason.KEY_NOT_RESTRICTED_SIGNING), v.reasons());
    }

    @Test
    void badMagicIsNamed() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        TpmsAttest good = q.goodAttest();
        TpmsAttest bad = q.attest(0x00544347, good.type(), good.extraData(), good.pcrDigest());
        QuoteVerification v = verifier.verify(q.ak, q.sign(bad.encode(), HashAlg.SHA256), q.nonce, q.pcrs);
        assertEquals(List.of(Reason.BAD_MAGIC), v.reasons());
    }

    @Test
    void certifyTypeIsNotAQuote() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        TpmsAttest good = q.goodAttest();
        byte[] b = q.attest(good.magic(), 0x8017, good.extraData(), good.pcrDigest()).encode();
        QuoteVerification v = verifier.verify(q.ak, q.sign(b, HashAlg.SHA256), q.nonce, q.pcrs);
        assertEquals(List.of(Reason.NOT_A_QUOTE), v.reasons());
        assertFalse(v.verified());
    }

    @Test
    void sha1SignatureIsRejectedUnlessAllowed() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.rsa();
        TpmsAttest sha1 = q.attest(TpmsAttest.TPM_GENERATED_VALUE, TpmsAttest.TPM_ST_ATTEST_QUOTE, q.nonce,
                HashAlg.SHA1.hash(q.pcrs.concatenate(q.selection).orElseThrow()));
        Quote quote = q.sign(sha1.encode(), HashAlg.SHA1);
        assertEquals(List.of(Reason.SHA1_NOT_ALLOWED), verifier.verify(q.ak, quote, q.nonce, q.pcrs).reasons());
        assertTrue(QuoteVerifier.builder().allowSha1(true).build().verify(q.ak, quote, q.nonce, q.pcrs).verified());
    }

    @Test
    void signatureNotMatchingTheKeysFixedSchemeIsRejected() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        Quote quote = q.sign(q.goodAttest().encode(), HashAlg.SHA384);
        assertEquals(List.of(Reason.SCHEME_MISMATCH, Reason.PCR_DIGEST_MISMATCH),
                verifier.verify(q.ak, quote, q.nonce, q.pcrs).reasons());
    }

    @Test
    void ecdsaSignatureWithRsaKeyIsASchemeMismatch() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        SoftwareQuotes r = SoftwareQuotes.rsa();
        assertEquals(List.of(Reason.SCHEME_MISMATCH), verifier.verify(r.ak, q.good(), q.nonce, q.pcrs).reasons());
    }

    @Test
    void unsupportedCurveIsNamed() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        TpmtPublic a = q.ak;
        TpmtPublic bn = new TpmtPublic(a.type(), a.nameAlg(), a.objectAttributes(), a.authPolicy(), a.symmetricAlg(),
                a.symmetricKeyBits(), a.symmetricMode(), a.schemeAlg(), a.schemeHashAlg(), 0x0010, a.kdfAlg(),
                a.kdfHashAlg(), 0, 0, a.uniqueX(), a.uniqueY());
        assertEquals(List.of(Reason.UNSUPPORTED_KEY), verifier.verify(bn, q.good(), q.nonce, q.pcrs).reasons());
    }

    @Test
    void offCurvePointAndShortModulusAreUnsupportedKeys() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        TpmtPublic a = q.ak;
        byte[] y = a.uniqueY();
        y[31] ^= 1;
        TpmtPublic off = new TpmtPublic(a.type(), a.nameAlg(), a.objectAttributes(), a.authPolicy(), a.symmetricAlg(),
                a.symmetricKeyBits(), a.symmetricMode(), a.schemeAlg(), a.schemeHashAlg(), a.curveId(), a.kdfAlg(),
                a.kdfHashAlg(), 0, 0, a.uniqueX(), y);
        QuoteVerification v = verifier.verify(off, q.good(), q.nonce, q.pcrs);
        assertEquals(List.of(Reason.UNSUPPORTED_KEY), v.reasons());
        assertEquals("ECC point is not on the curve", v.failures().get(0).detail());
        SoftwareQuotes r = SoftwareQuotes.rsa();
        TpmtPublic ra = r.ak;
        TpmtPublic shortN = new TpmtPublic(ra.type(), ra.nameAlg(), ra.objectAttributes(), ra.authPolicy(), ra.symmetricAlg(),
                ra.symmetricKeyBits(), ra.symmetricMode(), ra.schemeAlg(), ra.schemeHashAlg(), 0, 0, 0, 2048, 0,
                java.util.Arrays.copyOf(ra.uniqueX(), 255), new byte[0]);
        assertEquals(List.of(Reason.UNSUPPORTED_KEY), verifier.verify(shortN, r.good(), r.nonce, r.pcrs).reasons());
    }

    @Test
    void everythingWrongIsAllReported() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        TpmsAttest bad = q.attest(0x01020304, TpmsAttest.TPM_ST_ATTEST_QUOTE, new byte[] {9}, new byte[32]);
        Quote quote = q.sign(bad.encode(), HashAlg.SHA256, g.generateKeyPair().getPrivate());
        assertEquals(List.of(Reason.SIGNATURE_INVALID, Reason.BAD_MAGIC, Reason.NONCE_MISMATCH, Reason.PCR_DIGEST_MISMATCH),
                verifier.verify(q.ak, quote, q.nonce, q.pcrs).reasons());
    }

    @Test
    void unparsableInputsAreNamedAndNeverVerified() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        Quote good = q.good();
        QuoteVerification v = verifier.verify(q.ak, new Quote(new byte[3], new byte[] {0, 0x18}), q.nonce, q.pcrs);
        assertEquals(List.of(Reason.MALFORMED_ATTEST, Reason.MALFORMED_SIGNATURE), v.reasons());
        assertTrue(v.attest().isEmpty());
        byte[] longer = java.util.Arrays.copyOf(good.signature(), good.signature().length + 1);
        assertEquals(List.of(Reason.MALFORMED_SIGNATURE),
                verifier.verify(q.ak, new Quote(good.attest(), longer), q.nonce, q.pcrs).reasons());
    }
}
