package dev.attest.verify.ear;

/**
 * An EAR that cannot be parsed, is not a valid EAR (draft-ietf-rats-ear §3), or whose JWT does
 * not verify (RFC 7515 §5.2, RFC 7519 §7.2). Callers branch on {@link #reason()}; {@link #path()}
 * names the offending claim as a dotted path from the root (e.g.
 * {@code submods.PARSEC_TPM.ear.status}), or is empty when the whole input is at fault.
 */
public final class EarException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Reason {
        /** The input exceeds the size bound. */
        TOO_LARGE,
        /** JSON nesting exceeds the depth bound. */
        TOO_DEEP,
        /** Not well-formed UTF-8 JSON (RFC 8259), or bytes after the top-level value. */
        MALFORMED_JSON,
        /** A JSON object names the same member twice (RFC 8259 §4: names SHOULD be unique; we require it). */
        DUPLICATE_MEMBER,
        /** A mandatory claim is absent. */
        MISSING_CLAIM,
        /** A claim has the wrong JSON type (e.g. a string where an integer is required). */
        WRONG_TYPE,
        /** A claim has the right type but an invalid value (empty, negative time, bad base64url, ...). */
        INVALID_VALUE,
        /** {@code eat_profile} is not {@value Ear#PROFILE}. */
        UNSUPPORTED_PROFILE,
        /** {@code ear.status} is not one of the four AR4SI tier names. */
        UNKNOWN_STATUS,
        /** {@code ear.trustworthiness-vector} names a claim that is not one of the eight AR4SI claims. */
        UNKNOWN_TRUST_CLAIM,
        /** A trustworthiness claim value is outside -128..127. */
        TRUST_VALUE_OUT_OF_RANGE,
        /** A claim that belongs inside a submod appraisal appears at the top level. */
        MISPLACED_CLAIM,
        /** Not a JWS compact serialization (three base64url parts, RFC 7515 §7.1). */
        MALFORMED_JWS,
        /** The JOSE header is invalid: not an object, {@code crit}, {@code b64}, {@code cty}, or a wrong member type. */
        BAD_HEADER,
        /** The JOSE {@code typ} is not one of the accepted EAR/JWT types. */
        BAD_TYPE,
        /** The JOSE {@code alg} is not on the verifier's allow-list ({@code none} and HMAC never are). */
        ALGORITHM_NOT_ALLOWED,
        /** No configured key matches the JOSE header's {@code alg} / {@code kid}. */
        UNKNOWN_KEY,
        /** The signature does not verify with any matching key. */
        BAD_SIGNATURE,
        /** {@code exp} has passed (RFC 7519 §4.1.4). */
        EXPIRED,
        /** {@code nbf} is in the future (RFC 7519 §4.1.5). */
        NOT_YET_VALID,
        /** {@code iat} is in the future beyond the allowed clock skew. */
        ISSUED_IN_FUTURE,
        /** {@code iat} is older than the verifier's maximum age. */
        TOO_OLD,
        /** {@code eat_nonce} is absent or differs from the nonce the relying party expected. */
        NONCE_MISMATCH,
        /** A JWK is malformed, unsupported, inconsistent, or carries private material where none is allowed. */
        BAD_KEY,
        /** The JCA provider failed to sign (or lacks an algorithm). */
        CRYPTO_FAILURE
    }

    /** What was wrong. */
    private final Reason reason;
    /** The dotted path of the offending claim, or "". */
    private final String path;

    /**
     * A failure with a reason, the dotted claim path ("" for the whole input) and a message.
     *
     * @param reason what was wrong
     * @param path the dotted claim path, "" for the whole input
     * @param message the detail message
     */
    public EarException(Reason reason, String path, String message) {
        this(reason, path, message, null);
    }

    /**
     * As {@link #EarException(Reason, String, String)}, with a cause.
     *
     * @param reason what was wrong
     * @param path the dotted claim path, "" for the whole input
     * @param message the detail message
     * @param cause the underlying failure
     */
    public EarException(Reason reason, String path, String message, Throwable cause) {
        super(reason + (path.isEmpty() ? "" : " at " + path) + ": " + message, cause);
        this.reason = reason;
        this.path = path;
    }

    /**
     * What was wrong.
     *
     * @return the reason code
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The dotted path of the offending claim, or "" when the whole input is at fault.
     *
     * @return the path
     */
    public String path() {
        return path;
    }
}
