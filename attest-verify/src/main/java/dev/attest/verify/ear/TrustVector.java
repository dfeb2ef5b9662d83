package dev.attest.verify.ear;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * An AR4SI trustworthiness vector (draft-ietf-rats-ar4si §2.3, draft-ietf-rats-ear §3.2
 * {@code ear.trustworthiness-vector}): for some of the eight {@link TrustClaim}s a signed 8-bit
 * value. A claim that is absent means "no claim" and reads as {@link TrustClaim#NO_CLAIM}; an
 * explicit 0 is kept distinct so that parsed vectors serialize back unchanged.
 *
 * @param values the claim values, each in -128..127 (copied; iteration in {@link TrustClaim} order)
 */
public record TrustVector(Map<TrustClaim, Integer> values) {
    /** The empty vector: no claim is made. */
    public static final TrustVector EMPTY = new TrustVector(Map.of());

    /**
     * Validates and copies {@code values}.
     *
     * @param values the claim values, each in -128..127 (copied; iteration in {@link TrustClaim} order)
     * @throws IllegalArgumentException on a value outside -128..127
     */
    public TrustVector {
        Objects.requireNonNull(values, "values");
        EnumMap<TrustClaim, Integer> copy = new EnumMap<>(TrustClaim.class);
        for (Map.Entry<TrustClaim, Integer> e : values.entrySet()) {
            TrustClaim c = Objects.requireNonNull(e.getKey(), "claim");
            int v = Objects.requireNonNull(e.getValue(), "value");
            if (v < -128 || v > 127) {
                throw new IllegalArgumentException("value of " + c.jsonName() + " out of range -128..127: " + v);
            }
            copy.put(c, v);
        }
        values = Collections.unmodifiableMap(copy);
    }

    /**
     * The value of {@code claim}, {@link TrustClaim#NO_CLAIM} when absent.
     *
     * @param claim the claim
     * @return its value
     */
    public int value(TrustClaim claim) {
        return values.getOrDefault(Objects.requireNonNull(claim, "claim"), TrustClaim.NO_CLAIM);
    }

    /**
     * The tier of {@code claim}'s value (draft-ietf-rats-ar4si §2.3.1); {@link TrustTier#NONE} when absent.
     *
     * @param claim the claim
     * @return the tier of its value
     */
    public TrustTier tier(TrustClaim claim) {
        return TrustTier.ofValue(value(claim));
    }

    /**
     * This vector with {@code claim} set to {@code value}.
     *
     * @param claim the claim
     * @param value the value, -128 to 127
     * @return a new vector; this one is unchanged
     * @throws IllegalArgumentException outside -128..127
     */
    public TrustVector with(TrustClaim claim, int value) {
        EnumMap<TrustClaim, Integer> copy = new EnumMap<>(TrustClaim.class);
        copy.putAll(values);
        copy.put(Objects.requireNonNull(claim, "claim"), value);
        return new TrustVector(copy);
    }

    /**
     * The worst tier of all claims made ({@link TrustTier#NONE} if none): an {@code ear.status}
     * better than this would claim more than the vector supports (draft-ietf-rats-ear §3.2).
     *
     * @return the worst tier
     */
    public TrustTier worstTier() {
        TrustTier worst = TrustTier.NONE;
        for (int v : values.values()) {
            worst = worst.worst(TrustTier.ofValue(v));
        }
        return worst;
    }
}
