package dev.attest.evidence;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.internal.MeasurementCodec;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.evidence.EvidenceException.Reason;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes and verifies evidence tokens strictly: a COSE_Sign1 (optionally CWT-tagged) no larger
 * than {@link #maxBytes()} and nested no deeper than {@link #maxDepth()}, no trailing bytes, no
 * duplicate map keys, {@code alg} protected and on the allow-list, no unknown critical header;
 * the key comes from the {@link KeyResolver} and must be bound to the token's {@code alg}; the
 * signature is verified before any claim is interpreted; then the claims must be valid under
 * this SDK's EAT profile. Every refusal is an {@link EvidenceException} with its reason.
 *
 * <p>Thread-safe. Its configuration is immutable; it remembers measurements it decoded
 * (up to {@link Builder#measurementCache}), because devices report the same components every
 * period: a measurement whose encoding differs from a remembered one only in its time is
 * decoded by reading that time, with exactly the result and checks a full decode gives.
 */
public final class EvidenceDecoder {
    /** Default size limit (64 KiB). */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;
    /** Default nesting limit. */
    public static final int DEFAULT_MAX_DEPTH = 16;
    /** Hard upper bound for {@link Builder#maxBytes}. */
    public static final int MAX_MAX_BYTES = 64 * 1024 * 1024;

    private final KeyResolver resolver;
    private final int maxBytes;
    private final int maxDepth;
    private final Set<SignatureAlgorithm> algorithms;
    /** Null when disabled. */
    private final MeasurementCodec.Cache measurements;

    private EvidenceDecoder(Builder b) {
        this.resolver = b.resolver;
        this.maxBytes = b.maxBytes;
        this.maxDepth = b.maxDepth;
        this.algorithms = Set.copyOf(b.algorithms);
        this.measurements = b.measurementCache == 0 ? null : new MeasurementCodec.Cache(b.measurementCache);
    }

    /** Default number of measurements remembered ({@link Builder#measurementCache}). */
    public static final int DEFAULT_MEASUREMENT_CACHE = 4096;

    /**
     * A builder with the defaults: 64 KiB, depth 16, every allowed algorithm, 4,096 measurements remembered.
     *
     * @param resolver how the decoder finds the key for each token
     * @return a new builder
     */
    public static Builder builder(KeyResolver resolver) {
        return new Builder(resolver);
    }

    /**
     * The size limit in bytes.
     *
     * @return the size limit in bytes
     */
    public int maxBytes() {
        return maxBytes;
    }

    /**
     * The nesting limit.
     *
     * @return the nesting limit
     */
    public int maxDepth() {
        return maxDepth;
    }

    /**
     * Decodes and verifies {@code token}.
     *
     * @param token the token bytes
     * @return the verified evidence, with the key that verified it
     * @throws EvidenceException with the reason the token was refused
     */
    public VerifiedEvidence decode(byte[] token) throws EvidenceException {
        CoseSign1 cose = parse(token);
        Optional<byte[]> ueid = ClaimsReader.ueid(cose.payload);
        VerificationKey key = resolver.resolve(new KeyRequest(cose.algorithm, cose.keyId, ueid, cose.x5chain))
                .orElseThrow(() -> new EvidenceException(Reason.KEY_NOT_FOUND, "no key for kid "
                        + cose.keyId.map(Object::toString).orElse("(none)")));
        if (key.algorithm() != cose.algorithm) {
            throw new EvidenceException(Reason.KEY_ALGORITHM_MISMATCH, "token alg " + cose.algorithm
                    + " but the key is for " + key.algorithm());
        }
        if (!key.verifySignature1(cose.protectedBytes, cose.payload, cose.signature)) {
            throw new EvidenceException(Reason.BAD_SIGNATURE, "the signature does not verify with " + key);
        }
        EatClaims claims = ClaimsReader.read(cose.payload, measurements);
        return new VerifiedEvidence(claims, key, cose.x5chain, sha256(token));
    }

    /**
     * Decodes {@code token} WITHOUT verifying its signature, for inspection tools only.
     *
     * <p><b>Nothing returned here is authenticated:</b> anyone can make a token that decodes to
     * any claims. Never base a trust decision on the result; use {@link #decode} for that. The
     * same structural rules apply as in {@link #decode} (size and depth limits, no trailing
     * bytes, no duplicate keys, a COSE_Sign1 per RFC 9052 §4.2 with a protected, enabled
     * {@code alg}, claims valid under the EAT profile); only the key lookup and the signature
     * check are skipped. The resolver is not called.
     *
     * @param token the token bytes
     * @return the claims, unauthenticated
     * @throws EvidenceException with the reason the token is malformed
     */
    public EatClaims decodeUnverified(byte[] token) throws EvidenceException {
        return ClaimsReader.read(parse(token).payload, measurements);
    }

    /**
     * The COSE_Sign1 with an enabled {@code alg} and a payload that is well-formed CBOR within
     * the limits. The payload's claims are read only after this (and, in {@link #decode}, after
     * the signature), straight from the bytes.
     */
    private CoseSign1 parse(byte[] token) throws EvidenceException {
        CoseSign1 cose = CoseSign1.parse(token, maxBytes, maxDepth);
        if (!algorithms.contains(cose.algorithm)) {
            throw new EvidenceException(Reason.ALG_NOT_ALLOWED, cose.algorithm + " is not enabled on this decoder");
        }
        CoseSign1.validate(CborDecoder.lenient(maxBytes, maxDepth, maxBytes), cose.payload, "payload");
        return cose;
    }

    private static byte[] sha256(byte[] b) {
        return DigestAlgorithm.SHA_256.newMessageDigest().digest(b);
    }

    /** Configures an {@link EvidenceDecoder}. */
    public static final class Builder {
        private final KeyResolver resolver;
        private int maxBytes = DEFAULT_MAX_BYTES;
        private int maxDepth = DEFAULT_MAX_DEPTH;
        private final EnumSet<SignatureAlgorithm> algorithms = EnumSet.allOf(SignatureAlgorithm.class);
        private int measurementCache = DEFAULT_MEASUREMENT_CACHE;

        private Builder(KeyResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
        }

        /**
         * Sets the size limit, 1 byte to {@link #MAX_MAX_BYTES}.
         *
         * @param n the size limit in bytes
         * @return this builder
         */
        public Builder maxBytes(int n) {
            if (n < 1 || n > MAX_MAX_BYTES) {
                throw new IllegalArgumentException("maxBytes must be 1.." + MAX_MAX_BYTES);
            }
            maxBytes = n;
            return this;
        }

        /**
         * Sets the nesting limit, 4 to 64 (the profile itself nests 8 deep).
         *
         * @param n the nesting limit
         * @return this builder
         */
        public Builder maxDepth(int n) {
            if (n < 4 || n > 64) {
                throw new IllegalArgumentException("maxDepth must be 4..64");
            }
            maxDepth = n;
            return this;
        }

        /**
         * Restricts the allowed algorithms to {@code allowed} (a subset of the SDK's allow-list).
         *
         * @param allowed the algorithms to accept
         * @return this builder
         */
        public Builder algorithms(Set<SignatureAlgorithm> allowed) {
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("at least one algorithm must be allowed");
            }
            algorithms.clear();
            algorithms.addAll(allowed);
            return this;
        }

        /**
         * How many decoded measurements to remember, 0 (none) to 2^20, rounded up to a power of
         * two; default {@value EvidenceDecoder#DEFAULT_MEASUREMENT_CACHE}. Each takes its
         * encoding and fields (a few hundred bytes). Only decoded measurements of tokens that
         * passed the signature check (or of {@link EvidenceDecoder#decodeUnverified}) are
         * remembered; a remembered one is used only for an encoding equal to it but for the
         * time, so the cache changes how fast a token decodes, never what it decodes to.
         *
         * @param entries how many decoded measurements to remember
         * @return this builder
         */
        public Builder measurementCache(int entries) {
            if (entries < 0 || entries > 1 << 20) {
                throw new IllegalArgumentException("measurementCache must be 0..2^20");
            }
            measurementCache = entries;
            return this;
        }

        /**
         * The decoder.
         *
         * @return the decoder
         */
        public EvidenceDecoder build() {
            return new EvidenceDecoder(this);
        }
    }
}
