package dev.attest.verify.corim;

import java.util.Objects;

/**
 * A CoRIM or CoMID that cannot be accepted: malformed, outside the decoder's bounds, not
 * matching draft-ietf-rats-corim's CDDL, not signed by a configured signer, outside its
 * validity, or breaking a profile's rules. {@link #reason()} says which; {@link #path()} says
 * where, as a path of map keys and array indexes from the top ({@code /1/0/4/0/0/1}, CBOR
 * keys in decimal).
 */
public final class CorimException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Reason {
        /** The input is larger than the decoder's limit. */
        TOO_LARGE,
        /** Arrays, maps and tags nest deeper, or hold more items, than the decoder's limits. */
        TOO_DEEP,
        /** Not well-formed CBOR (RFC 8949), an indefinite length, or invalid UTF-8. */
        MALFORMED_CBOR,
        /** Bytes follow the top-level item. */
        TRAILING_BYTES,
        /** The same key twice in one map. */
        DUPLICATE_KEY,
        /** An integer beyond the signed 64-bit range (this SDK's CBOR limit, decision 0000). */
        INTEGER_OUT_OF_RANGE,
        /** Neither a tagged unsigned CoRIM (tag 501) nor a COSE_Sign1 (tag 18) holding one. */
        NOT_A_CORIM,
        /** A mandatory field is absent. */
        MISSING_FIELD,
        /** A field holds a CBOR type its definition does not allow. */
        WRONG_TYPE,
        /** A non-negative map key the definition does not have (negative keys are extensions, kept). */
        UNKNOWN_KEY,
        /** A type choice carries a CBOR tag that is not one of its alternatives. */
        UNKNOWN_TAG,
        /** A list or map that must not be empty is empty. */
        EMPTY,
        /** A value of the right type that is invalid (a UUID not 16 bytes, a MAC address not 6 or 8, ...). */
        BAD_VALUE,
        /** A signed CoRIM whose protected header breaks the rules (no or wrong content type, no meta, critical header). */
        BAD_HEADER,
        /** A signature algorithm that is not allowed, or not the configured signer key's. */
        ALG_NOT_ALLOWED,
        /** A signed CoRIM, but no signer key is configured, or its signature does not verify with it. */
        BAD_SIGNATURE,
        /** An unsigned CoRIM where the decoder requires a signed one. */
        UNSIGNED,
        /** The signature validity or the CoRIM's own validity has not begun. */
        NOT_YET_VALID,
        /** The signature validity or the CoRIM's own validity has ended. */
        EXPIRED,
        /** The CoRIM names no profile, or another one than the profile being checked. */
        PROFILE_MISMATCH,
        /** A profile rule on an environment's class id (e.g. PSA: the implementation id, tagged bytes of 32). */
        PROFILE_CLASS_ID,
        /** A profile rule on an environment's instance id (e.g. PSA: a UEID of type RAND, 33 bytes, required for keys). */
        PROFILE_INSTANCE_ID,
        /** A profile rule on a reference value's environment (e.g. PSA: reference values name no instance). */
        PROFILE_REFERENCE_ENVIRONMENT,
        /** A profile rule on a measurement key (e.g. PSA: the text {@code psa.software-component}). */
        PROFILE_MEASUREMENT_KEY,
        /** A profile rule on a measurement's values (e.g. PSA: digests are required). */
        PROFILE_MEASUREMENT_VALUE,
        /** A profile rule on a signer id (e.g. PSA: exactly one tagged bytes of 32, 48 or 64). */
        PROFILE_SIGNER_ID,
        /** A profile rule on a verification key (e.g. PSA: exactly one PKIX base64 public key). */
        PROFILE_VERIFICATION_KEY,
        /** A well-formed CoRIM carrying something the requested use cannot represent, or a key that cannot be used. */
        UNSUPPORTED
    }

    /** What was wrong. */
    private final Reason reason;
    /** Where: map keys and array indexes from the top. */
    private final String path;

    /**
     * An exception for the item at {@code path}.
     *
     * @param reason what was wrong
     * @param path map keys and array indexes from the top, {@code ""} for the whole input
     * @param message the detail message
     */
    public CorimException(Reason reason, String path, String message) {
        super(reason + " at " + (path.isEmpty() ? "/" : path) + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.path = Objects.requireNonNull(path, "path");
    }

    /**
     * An exception for the item at {@code path}, caused by {@code cause}.
     *
     * @param reason what was wrong
     * @param path map keys and array indexes from the top, {@code ""} for the whole input
     * @param message the detail message
     * @param cause the underlying failure
     */
    public CorimException(Reason reason, String path, String message, Throwable cause) {
        this(reason, path, message);
        initCause(cause);
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
     * Where: map keys and array indexes from the top, {@code ""} for the whole input.
     *
     * @return the path
     */
    public String path() {
        return path;
    }
}
