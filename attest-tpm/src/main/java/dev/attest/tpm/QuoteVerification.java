package dev.attest.tpm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link QuoteVerifier#verify}: every check that failed, with a reason code.
 * A quote is verified only if no check failed; checks that could not run (because an input did
 * not parse) are reported as failures, so an incomplete verification is never affirming.
 *
 * @param failures every failed check, in the order the checks ran
 * @param attest the parsed TPMS_ATTEST, if it parsed (its contents are trustworthy only if {@link #verified()})
 * @param freshness what the qualifying data was checked against: a fresh challenge
 *     ({@link QuoteVerifier#verify}), or, for a historical quote
 *     ({@link QuoteVerifier#verifyOffline}), a given value or nothing
 */
public record QuoteVerification(List<Failure> failures, Optional<TpmsAttest> attest, Freshness freshness) {

    /**
     * How far a verified quote is known to be fresh. Only {@link #CHALLENGE} shows that the TPM
     * signed the quote after the verifier's challenge; a quote checked offline may be a replay.
     */
    public enum Freshness {
        /** extraData equals the verifier's nonce of 8 to 64 bytes: the quote is as fresh as that nonce. */
        CHALLENGE,
        /**
         * extraData equals the qualifying data the caller gave (0 to 64 bytes) for a historical
         * quote; that value was not a fresh challenge, so freshness was not checked.
         */
        QUALIFYING_DATA_MATCHED,
        /** extraData was not checked at all: freshness was not checked. */
        NOT_CHECKED
    }

    /** Why a check failed. */
    public enum Reason {
        /** The TPMS_ATTEST bytes do not parse (TPM 2.0 Part 2 §10.12.12). */
        MALFORMED_ATTEST,
        /** The TPMT_SIGNATURE bytes do not parse (Part 2 §11.3.4). */
        MALFORMED_SIGNATURE,
        /** The attestation structure is not a quote (type is not TPM_ST_ATTEST_QUOTE). */
        NOT_A_QUOTE,
        /** magic is not TPM_GENERATED_VALUE: the TPM did not produce this structure (Part 2 §10.12.12). */
        BAD_MAGIC,
        /** The key is not a restricted signing key, so it could have signed data that merely looks like a quote (Part 1 §25.3.1). */
        KEY_NOT_RESTRICTED_SIGNING,
        /** The key cannot be converted for verification (curve or size not supported). */
        UNSUPPORTED_KEY,
        /** The signature scheme or hash does not match the key's type or its fixed scheme. */
        SCHEME_MISMATCH,
        /** The signature uses SHA-1 and SHA-1 was not explicitly allowed. */
        SHA1_NOT_ALLOWED,
        /** The signature does not verify over the TPMS_ATTEST bytes with the key. */
        SIGNATURE_INVALID,
        /** extraData differs from the expected nonce. */
        NONCE_MISMATCH,
        /** A PCR in the quote's selection has no value in the supplied PCR values. */
        PCR_VALUES_MISSING,
        /** pcrDigest differs from the hash of the supplied PCR values in selection order (Part 3 §18.4). */
        PCR_DIGEST_MISMATCH
    }

    /**
     * One failed check.
     *
     * @param reason the reason code
     * @param detail a human-readable detail (never key material)
     */
    public record Failure(Reason reason, String detail) {
        /**
         * Validates.
         *
         * @param reason the reason code
         * @param detail a human-readable detail (never key material)
         */
        public Failure {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Copies the list.
     *
     * @param failures every failed check, in the order the checks ran
     * @param attest the parsed TPMS_ATTEST, if it parsed (its contents are trustworthy only if {@link
     *     #verified()})
     * @param freshness what the qualifying data was checked against: a fresh challenge ({@link
     *     QuoteVerifier#verify}), or, for a historical quote ({@link QuoteVerifier#verifyOffline}), a given value
     *     or nothing
     */
    public QuoteVerification {
        failures = List.copyOf(failures);
        Objects.requireNonNull(attest, "attest");
        Objects.requireNonNull(freshness, "freshness");
    }

    /** @return true only if {@link #verified()} and the quote answers a fresh challenge ({@link Freshness#CHALLENGE}) */
    public boolean verifiedFresh() {
        return verified() && freshness == Freshness.CHALLENGE;
    }

    /** @return true only if every check ran and passed */
    public boolean verified() {
        return failures.isEmpty() && attest.isPresent();
    }

    /** @return the failure reasons, in order */
    public List<Reason> reasons() {
        return failures.stream().map(Failure::reason).toList();
    }
}
