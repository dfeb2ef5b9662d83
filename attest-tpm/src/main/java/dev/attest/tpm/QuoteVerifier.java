package dev.attest.tpm;

import dev.attest.tpm.QuoteVerification.Failure;
import dev.attest.tpm.QuoteVerification.Freshness;
import dev.attest.tpm.QuoteVerification.Reason;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.evidence.internal.Crypto;
import dev.attest.evidence.internal.KeyChecks;
import dev.attest.tpm.internal.Alg;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Verifies a TPM2_Quote (TPM 2.0 Part 3 §18.4) against an attestation key: the signature over the
 * TPMS_ATTEST bytes, that the key is a restricted signing key, the magic and type, that
 * extraData equals the verifier's nonce (constant-time), and that pcrDigest equals the hash
 * (the signature's hash algorithm) of the supplied PCR values in selection order. Every failed
 * check is reported; SHA-1 signatures are rejected unless {@link Builder#allowSha1(boolean)}.
 * Immutable and thread-safe.
 *
 * <p>Signatures are checked by the SDK's Bouncy Castle provider instance unless
 * {@link Builder#provider} names another. A verifier that checks many quotes of the same AK (one
 * per device and period) should {@link #prepare} the AK once and pass the {@link PreparedKey}:
 * the AK's JCA key is then built and converted once, and Bouncy Castle keeps its curve
 * precomputation on it, so a P-256 quote verifies several times faster than with a key built
 * per quote (see {@code BENCHMARKS.md}). With the SDK's provider, an ECDSA quote whose hash is
 * its curve's (SHA-256 on P-256, SHA-384 on P-384, SHA-512 on P-521) is checked as the evidence
 * decoder checks ES256, ES384 and ES512, through a {@link VerificationKey}: from a prepared key's
 * second quote on, with its fixed-base comb.
 */
public final class QuoteVerifier {
    private final boolean allowSha1;
    private final Provider provider;

    private QuoteVerifier(Builder b) {
        this.allowSha1 = b.allowSha1;
        this.provider = b.provider.orElse(Crypto.DEFAULT_PROVIDER);
    }

    /** @return a builder with SHA-1 rejected and the SDK's Bouncy Castle provider instance */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link QuoteVerifier}. */
    public static final class Builder {
        private boolean allowSha1;
        private Optional<Provider> provider = Optional.empty();

        private Builder() {
        }

        /**
         * @param allow whether signatures over SHA-1 are accepted (default false)
         * @return this builder
         */
        public Builder allowSha1(boolean allow) {
            this.allowSha1 = allow;
            return this;
        }

        /**
         * @param p the JCA provider that verifies signatures (never installed globally; default:
         *     the SDK's Bouncy Castle instance)
         * @return this builder
         */
        public Builder provider(Provider p) {
            this.provider = Optional.of(p);
            return this;
        }

        /** @return the verifier */
        public QuoteVerifier build() {
            return new QuoteVerifier(this);
        }
    }

    /**
     * Verifies a quote.
     *
     * @param ak the attestation key's public area
     * @param quote the TPMS_ATTEST and TPMT_SIGNATURE bytes
     * @param nonce the qualifying data the verifier sent: 8 to 64 bytes of fresh randomness
     * @param pcrs the PCR values the quote claims to cover (at least every PCR in its selection)
     * @return every failed check; {@link QuoteVerification#verified()} only if none failed
     * @throws IllegalArgumentException if the nonce is shorter than 8 or longer than 64 bytes:
     *         without a real nonce a replayed quote would verify
     */
    public QuoteVerification verify(TpmtPublic ak, Quote quote, byte[] nonce, PcrValues pcrs) {
        return verify(prepare(ak), quote, nonce, pcrs);
    }

    /**
     * {@code ak} with its JCA key built, checked and converted into this verifier's provider's
     * key class once, for {@link #verify(PreparedKey, Quote, byte[], PcrValues)}. Never throws for
     * a bad key: a key that cannot be built (an unsupported curve, a point off the curve) fails
     * every quote with {@link Reason#UNSUPPORTED_KEY}, as {@link #verify(TpmtPublic, Quote, byte[],
     * PcrValues)} reports it.
     *
     * @param ak the AK's public area
     * @return the prepared key
     */
    public PreparedKey prepare(TpmtPublic ak) {
        try {
            PublicKey key = Crypto.forProvider(ak.toPublicKey(), provider);
            return new PreparedKey(ak, key, null, provider, ecdsaKey(key));
        } catch (GeneralSecurityException e) {
            return new PreparedKey(ak, null, e.getMessage() == null ? e.toString() : e.getMessage(), provider, null);
        }
    }

    /**
     * {@code key} as the evidence decoder's ECDSA key of its curve (ES256 for P-256, ES384 for
     * P-384, ES512 for P-521) where this verifier uses the SDK's provider; null otherwise.
     */
    private VerificationKey ecdsaKey(PublicKey key) {
        if (provider != Crypto.DEFAULT_PROVIDER || !(key instanceof ECPublicKey)) {
            return null;
        }
        for (SignatureAlgorithm alg : List.of(SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.ES512)) {
            if (KeyChecks.mismatch(key, alg) == null) {
                return VerificationKey.of(key, alg, Optional.empty());
            }
        }
        return null; // another curve: the JCA signature checks it
    }

    /**
     * An attestation key's public area with its JCA key, made by {@link #prepare} for one
     * verifier's provider. Immutable; holds public data only.
     */
    public static final class PreparedKey {
        private final TpmtPublic publicArea;
        private final PublicKey key;
        private final String unsupported;
        private final Provider provider;
        /** {@link #key} as an ES256, ES384 or ES512 key of the SDK's provider, or null. */
        private final VerificationKey ecdsa;

        private PreparedKey(TpmtPublic publicArea, PublicKey key, String unsupported, Provider provider,
                VerificationKey ecdsa) {
            this.publicArea = publicArea;
            this.key = key;
            this.unsupported = unsupported;
            this.provider = provider;
            this.ecdsa = ecdsa;
        }

        /**
         * The AK's public area (TPMT_PUBLIC).
         *
         * @return the AK's public area
         */
        public TpmtPublic publicArea() {
            return publicArea;
        }

        @Override
        public String toString() {
            return "PreparedKey[" + publicArea.type() + (unsupported == null ? "" : ", unsupported: " + unsupported) + "]";
        }
    }

    /**
     * Verifies a quote, exactly as {@link #verify(TpmtPublic, Quote, byte[], PcrValues)} does,
     * with an AK {@link #prepare}d once (by this verifier or another with the same provider; one
     * prepared for another provider is prepared again).
     *
     * @param prepared the prepared AK
     * @param quote the quote and its signature
     * @param nonce the verifier's challenge, 8 to 64 bytes
     * @param pcrs the PCR values the quote's digest must match
     * @return the verification, with every failure found
     * @throws IllegalArgumentException if the nonce is shorter than 8 or longer than 64 bytes
     */
    public QuoteVerification verify(PreparedKey prepared, Quote quote, byte[] nonce, PcrValues pcrs) {
        if (nonce.length < 8 || nonce.length > 64) {
            throw new IllegalArgumentException("nonce must be 8..64 bytes, got " + nonce.length);
        }
        return check(prepared, quote, Optional.of(nonce), pcrs, Freshness.CHALLENGE);
    }

    /**
     * Verifies a historical quote, one not made in answer to this verifier's challenge (a quote
     * from a dataset, an archive, another verifier's log): every check of
     * {@link #verify(TpmtPublic, Quote, byte[], PcrValues)} except that extraData is compared
     * with {@code qualifyingData} only if given, of any length from 0 to 64 bytes (TPM2B_DATA
     * holds at most a digest of the largest hash). The result's {@link QuoteVerification#freshness()}
     * is {@link Freshness#QUALIFYING_DATA_MATCHED} or {@link Freshness#NOT_CHECKED}, never
     * {@link Freshness#CHALLENGE}: such a quote proves what the PCRs held when it was made, not
     * that it was made now.
     *
     * @param ak the attestation key's public area
     * @param quote the TPMS_ATTEST and TPMT_SIGNATURE bytes
     * @param qualifyingData the expected extraData (compared exactly, constant-time), or empty to leave it unchecked
     * @param pcrs the PCR values the quote claims to cover
     * @return every failed check, and the freshness that was (not) established
     * @throws IllegalArgumentException if {@code qualifyingData} is longer than 64 bytes
     */
    public QuoteVerification verifyOffline(TpmtPublic ak, Quote quote, Optional<byte[]> qualifyingData, PcrValues pcrs) {
        if (qualifyingData.isPresent() && qualifyingData.get().length > 64) {
            throw new IllegalArgumentException("qualifying data must be 0..64 bytes, got " + qualifyingData.get().length);
        }
        return check(prepare(ak), quote, qualifyingData.map(byte[]::clone), pcrs,
                qualifyingData.isPresent() ? Freshness.QUALIFYING_DATA_MATCHED : Freshness.NOT_CHECKED);
    }

    private QuoteVerification check(PreparedKey prepared, Quote quote, Optional<byte[]> nonce, PcrValues pcrs,
            Freshness freshness) {
        PreparedKey p = prepared.provider == provider ? prepared : prepare(prepared.publicArea);
        TpmtPublic ak = p.publicArea;
        List<Failure> failures = new ArrayList<>();
        byte[] attestBytes = quote.attest();
        Optional<TpmsAttest> attest = Optional.empty();
        try {
            attest = Optional.of(TpmsAttest.parse(attestBytes));
        } catch (TpmFormatException e) {
            boolean wrongType = e.reason() == TpmFormatException.Reason.UNSUPPORTED_TYPE && e.offset() == 4;
            failures.add(new Failure(wrongType ? Reason.NOT_A_QUOTE : Reason.MALFORMED_ATTEST, e.getMessage()));
        }
        Optional<TpmtSignature> sig = Optional.empty();
        try {
            sig = Optional.of(TpmtSignature.parse(quote.signature()));
        } catch (TpmFormatException e) {
            failures.add(new Failure(Reason.MALFORMED_SIGNATURE, e.getMessage()));
        }
        if (!ak.isRestrictedSigningKey()) {
            failures.add(new Failure(Reason.KEY_NOT_RESTRICTED_SIGNING,
                    String.format("objectAttributes 0x%08X", ak.objectAttributes())));
        }
        if (sig.isPresent()) {
            checkSignature(p, sig.get(), attestBytes, failures);
        }
        if (attest.isPresent()) {
            TpmsAttest a = attest.get();
            if (a.magic() != TpmsAttest.TPM_GENERATED_VALUE) {
                failures.add(new Failure(Reason.BAD_MAGIC, String.format("magic 0x%08X", a.magic())));
            }
            if (nonce.isPresent() && !MessageDigest.isEqual(a.extraData(), nonce.get())) {
                failures.add(new Failure(Reason.NONCE_MISMATCH, "extraData differs from the nonce"));
            }
            Optional<byte[]> cat = pcrs.concatenate(a.pcrSelect());
            if (cat.isEmpty()) {
                failures.add(new Failure(Reason.PCR_VALUES_MISSING, "no value for a PCR in " + a.pcrSelect()));
            } else {
                HashAlg h = sig.map(TpmtSignature::hash).orElse(ak.nameAlg());
                if (!MessageDigest.isEqual(h.hash(cat.get()), a.pcrDigest())) {
                    failures.add(new Failure(Reason.PCR_DIGEST_MISMATCH,
                            "pcrDigest is not " + h + " of the supplied PCR values"));
                }
            }
        }
        return new QuoteVerification(failures, attest, freshness);
    }

    private void checkSignature(PreparedKey prepared, TpmtSignature sig, byte[] signed, List<Failure> failures) {
        TpmtPublic ak = prepared.publicArea;
        if (sig.hash() == HashAlg.SHA1 && !allowSha1) {
            failures.add(new Failure(Reason.SHA1_NOT_ALLOWED, "signature over SHA-1"));
            return;
        }
        boolean ecc = sig.scheme() == TpmtSignature.Scheme.ECDSA;
        if (ecc != (ak.type() == TpmtPublic.KeyType.ECC)) {
            failures.add(new Failure(Reason.SCHEME_MISMATCH, sig.scheme() + " signature with " + ak.type() + " key"));
            return;
        }
        if (ak.schemeAlg() != Alg.NULL
                && (ak.schemeAlg() != sig.scheme().algId() || ak.schemeHashAlg() != sig.hash().algId())) {
            failures.add(new Failure(Reason.SCHEME_MISMATCH, "signature " + sig.scheme() + "/" + sig.hash()
                    + " differs from the key's scheme"));
            return;
        }
        if (prepared.key == null) {
            failures.add(new Failure(Reason.UNSUPPORTED_KEY, prepared.unsupported));
            return;
        }
        boolean ok = prepared.ecdsa != null && sig.scheme() == TpmtSignature.Scheme.ECDSA
                && sig.hash().jcaName().equals(Crypto.ecdsaDigest(prepared.ecdsa.algorithm()).jcaName())
                ? verifyEcdsa(prepared.ecdsa, sig, signed)
                : verifyJca(prepared.key, sig, signed);
        if (!ok) {
            failures.add(new Failure(Reason.SIGNATURE_INVALID, sig.scheme() + "/" + sig.hash() + " signature does not verify"));
        }
    }

    /** The signature checked by this verifier's provider's JCA {@code Signature}. */
    private boolean verifyJca(PublicKey key, TpmtSignature sig, byte[] signed) {
        String base = sig.hash().jcaName().replace("-", "");
        try {
            Signature v;
            switch (sig.scheme()) {
                case ECDSA -> v = signature(base + "withECDSA");
                case RSASSA -> v = signature(base + "withRSA");
                default -> {
                    v = signature("RSASSA-PSS");
                    v.setParameter(new PSSParameterSpec(sig.hash().jcaName(), "MGF1",
                            new MGF1ParameterSpec(sig.hash().jcaName()), sig.hash().digestSize(), 1));
                }
            }
            v.initVerify(key);
            v.update(signed);
            return v.verify(sig.toJcaSignature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * The ECDSA signature {@code (r, s)} of {@code signed} under {@code key}, whose hash is the
     * signature's, in the COSE form ({@link Crypto#derToRaw}); an {@code r} or {@code s} too wide
     * for the curve (above the order) verifies nothing.
     */
    private static boolean verifyEcdsa(VerificationKey key, TpmtSignature sig, byte[] signed) {
        try {
            return key.verify(signed, Crypto.derToRaw(sig.toJcaSignature(), key.algorithm().coordinateLength()));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private Signature signature(String alg) throws GeneralSecurityException {
        return Signature.getInstance(alg, provider);
    }
}
