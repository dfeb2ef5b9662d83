package dev.attest.evidence;

import java.util.Objects;

/**
 * Evidence (or a key) that cannot be accepted, or evidence an {@link Attester} could not produce. Callers branch on {@link #reason()}, never on the
 * message; the message says what was found and where, and never contains key material.
 */
public final class EvidenceException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the input was refused. */
    public enum Reason {
        /** Larger than the configured size limit. */
        TOO_LARGE,
        /** Nested deeper (or with more items) than the configured limit. */
        TOO_DEEP,
        /** Not well-formed CBOR, or truncated. */
        MALFORMED_CBOR,
        /** Bytes after the single top-level item. */
        TRAILING_BYTES,
        /** A map with the same key twice. */
        DUPLICATE_KEY,
        /** Well-formed CBOR that is not a COSE_Sign1 (wrong tag, arity or element types). */
        NOT_COSE_SIGN1,
        /** The protected header has no {@code alg}. */
        ALG_MISSING,
        /** {@code alg} is not on the allow-list (includes "none", MACs, unknown values). */
        ALG_NOT_ALLOWED,
        /** {@code alg} (or another security-relevant header) sits in the unprotected header. */
        ALG_UNPROTECTED,
        /** A header listed in {@code crit} that this SDK does not understand, or a malformed crit. */
        UNKNOWN_CRITICAL_HEADER,
        /** A header is malformed, or the same label is in both protected and unprotected headers. */
        BAD_HEADER,
        /** No payload (detached payloads are not evidence). */
        NO_PAYLOAD,
        /** No verification key for this evidence. */
        KEY_NOT_FOUND,
        /** The key does not fit the algorithm (wrong type or curve). */
        KEY_ALGORITHM_MISMATCH,
        /** The signature does not verify (includes non-canonical Ed25519 S and bad lengths). */
        BAD_SIGNATURE,
        /** The payload is not a valid claims set under this SDK's EAT profile. */
        BAD_CLAIMS,
        /** The x5chain header does not hold valid certificates, or the chain does not validate. */
        BAD_CERTIFICATE,
        /** A key in PEM, PKCS#8, X.509 or COSE_Key form that cannot be used. */
        BAD_KEY,
        /** {@link Attester}: the measurement log refused the cycle (the cause says why); no evidence. */
        LOG_REFUSED,
        /** {@link Attester}: the signer failed (the cause says why); the next evidence covers the cycle. */
        SIGNING_FAILED,
        /** {@link Attester}: closed, or the collection was interrupted. */
        CLOSED
    }

    /** Why the input was refused. */
    private final Reason reason;

    /**
     * An exception with a reason and a message (which must not contain secrets).
     *
     * @param reason why the input was refused
     * @param message the detail message
     */
    public EvidenceException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * An exception with a reason, a message and a cause.
     *
     * @param reason why the input was refused
     * @param message the detail message
     * @param cause the underlying failure
     */
    public EvidenceException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Why the input was refused.
     *
     * @return the reason code
     */
    public Reason reason() {
        return reason;
    }
}
