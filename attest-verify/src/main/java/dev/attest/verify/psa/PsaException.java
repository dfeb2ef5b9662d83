package dev.attest.verify.psa;

import java.util.Objects;

/**
 * A PSA attestation token (RFC 9783) that cannot be accepted. Callers branch on
 * {@link #reason()}, never on the message; {@link #path()} names where in the token (a COSE part
 * or a claim path such as {@code /2399/1/2}). Messages never contain key material.
 */
public final class PsaException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the token was refused. */
    public enum Reason {
        /** Larger than the size limit. */
        TOO_LARGE,
        /** Not well-formed CBOR, truncated, too deep, or with duplicate map keys. */
        MALFORMED,
        /** Bytes after the token. */
        TRAILING_BYTES,
        /** Neither a COSE_Sign1 nor a COSE_Mac0, or a malformed one (headers, arity, types). */
        NOT_COSE,
        /** The {@code alg} is missing, unprotected or not allowed (ES256, ES384, ES512; HMAC 256/384/512 for Mac0). */
        ALG_NOT_ALLOWED,
        /** A COSE_Mac0 token, and no symmetric key is configured for its instance. */
        MAC0_WITHOUT_KEY,
        /** The signature or MAC does not verify with the instance's key. */
        BAD_SIGNATURE,
        /** No key is configured for the token's instance id. */
        UNKNOWN_INSTANCE,
        /** The payload is not a claims set (a CBOR map). */
        NOT_A_CLAIMS_SET,
        /** The profile is not one of PSA_IOT_PROFILE_1, http://arm.com/psa/2.0.0, tag:psacertified.org,2023:psa#tfm. */
        UNKNOWN_PROFILE,
        /** A mandatory claim is missing. */
        MISSING_CLAIM,
        /** A claim has the wrong type, length or format. */
        BAD_CLAIM,
        /** A claim this profile does not define. */
        UNKNOWN_CLAIM,
        /** The nonce is not one byte string of 32, 48 or 64 bytes. */
        BAD_NONCE,
        /** The security lifecycle is not a defined state. */
        BAD_SECURITY_LIFECYCLE,
        /** The software components are missing, empty, malformed, or present with "no software measurements". */
        BAD_SOFTWARE_COMPONENTS
    }

    /** Why the token was refused. */
    private final Reason reason;
    /** Where in the token. */
    private final String path;

    /**
     * An exception with a reason, the path where it was found and a message (never secrets).
     *
     * @param reason why the token was refused
     * @param path where in the token, {@code /} for the whole
     * @param message the detail message
     */
    public PsaException(Reason reason, String path, String message) {
        super(reason + " at " + path + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.path = Objects.requireNonNull(path, "path");
    }

    /**
     * Why the token was refused.
     *
     * @return the reason code
     */
    public Reason reason() {
        return reason;
    }

    /**
     * Where in the token, e.g. {@code /2399/0/2} (claim keys as in the token), or {@code /} for the whole.
     *
     * @return the path
     */
    public String path() {
        return path;
    }
}
