package dev.attest.verify.ear;

import java.util.Optional;

/**
 * An AR4SI trustworthiness tier (draft-ietf-rats-ar4si §2.3.1), the value of {@code ear.status}
 * (draft-ietf-rats-ear §3.2) and the bucket of every trustworthiness claim value. Declared from
 * best to worst information: {@link #compareTo} orders {@code NONE < AFFIRMING < WARNING <
 * CONTRAINDICATED}, so the "worst" of several tiers is the maximum.
 */
public enum TrustTier {
    /** No claim is made (values -1..1): the Verifier could not or did not conclude. */
    NONE("none", 0),
    /** The Verifier affirms the claim (values 2..31 and -32..-2). */
    AFFIRMING("affirming", 2),
    /** The Verifier warns about the claim (values 32..95 and -96..-33). */
    WARNING("warning", 32),
    /** The Verifier contraindicates the claim (values 96..127 and -128..-97). */
    CONTRAINDICATED("contraindicated", 96);

    private final String jsonName;
    private final int value;

    TrustTier(String jsonName, int value) {
        this.jsonName = jsonName;
        this.value = value;
    }

    /**
     * The tier's representative AR4SI value: 0, 2, 32, 96 (draft-ietf-rats-ar4si §2.3.1; also the
     * integer encoding of {@code ear.status} in CBOR EARs). {@code ofValue(t.value()) == t}.
     *
     * @return the representative value
     */
    public int value() {
        return value;
    }

    /**
     * The name used in EAR JSON (draft-ietf-rats-ear §3.2 {@code $ear-status}).
     *
     * @return the JSON name
     */
    public String jsonName() {
        return jsonName;
    }

    /**
     * The tier with this exact EAR JSON name (case-sensitive), or empty.
     *
     * @param name the JSON name
     * @return the tier, or empty if {@code name} is none
     */
    public static Optional<TrustTier> fromJsonName(String name) {
        for (TrustTier t : values()) {
            if (t.jsonName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * The tier of an AR4SI trustworthiness claim value (draft-ietf-rats-ar4si §2.3.1): -1..1
     * none; ±(2..31/32) affirming; ±(32/33..95/96) warning; the rest contraindicated. Negative
     * values mirror the positive ranges (implementation-specific claims).
     *
     * @param value the claim value
     * @return the tier
     * @throws IllegalArgumentException if {@code value} is outside the signed 8-bit range
     */
    public static TrustTier ofValue(int value) {
        if (value < -128 || value > 127) {
            throw new IllegalArgumentException("trustworthiness claim value out of range -128..127: " + value);
        }
        if (value >= -1 && value <= 1) {
            return NONE;
        }
        if ((value >= 2 && value <= 31) || (value >= -32 && value <= -2)) {
            return AFFIRMING;
        }
        if ((value >= 32 && value <= 95) || (value >= -96 && value <= -33)) {
            return WARNING;
        }
        return CONTRAINDICATED;
    }

    /**
     * The worse (greater) of this tier and {@code other}.
     *
     * @param other the other tier
     * @return the worse of the two
     */
    public TrustTier worst(TrustTier other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
