package dev.attest.verify.psa;

import java.util.Optional;

/** The PSA attestation token profiles (RFC 9783 §5, and profile 1 of its predecessor drafts). */
public enum PsaProfile {
    /** {@code PSA_IOT_PROFILE_1}: claim keys -75000 to -75010 (draft-tschofenig-rats-psa-token-07). */
    PSA_IOT_1("PSA_IOT_PROFILE_1"),
    /** {@code http://arm.com/psa/2.0.0}: RFC 9783 claim keys (EAT nonce 10, ueid 256, 2394 to 2400). */
    PSA_2_0_0("http://arm.com/psa/2.0.0"),
    /** {@code tag:psacertified.org,2023:psa#tfm}: the RFC 9783 claims as Trusted Firmware-M emits them. */
    PSA_TFM("tag:psacertified.org,2023:psa#tfm");

    private final String id;

    PsaProfile(String id) {
        this.id = id;
    }

    /**
     * The profile identifier as it appears in the token.
     *
     * @return the profile identifier
     */
    public String id() {
        return id;
    }

    /**
     * Whether the profile uses the RFC 9783 (EAT-registered) claim keys.
     *
     * @return true if the profile uses the EAT-registered claim keys
     */
    public boolean eatKeys() {
        return this != PSA_IOT_1;
    }

    /**
     * The profile with this exact identifier.
     *
     * @param id the profile identifier
     * @return the profile, or empty if {@code id} names none
     */
    public static Optional<PsaProfile> of(String id) {
        for (PsaProfile p : values()) {
            if (p.id.equals(id)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
