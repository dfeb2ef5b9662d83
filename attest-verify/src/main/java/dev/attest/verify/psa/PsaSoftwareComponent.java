package dev.attest.verify.psa;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A PSA software component (RFC 9783 §4.4.1): as a token claims it, or as a reference value
 * expects it. In a reference value an absent type, version or signer id matches anything.
 * Immutable; arrays are copied; equality is on content.
 *
 * @param type the measurement type (e.g. {@code BL}, {@code PRoT}, {@code SPE})
 * @param measurement the measurement value (a hash of the component, 32, 48 or 64 bytes in a token)
 * @param version the version, if stated
 * @param signerId the hash of the signing authority's public key, if stated
 * @param description the measurement description (hash algorithm name), if stated
 */
public record PsaSoftwareComponent(Optional<String> type, byte[] measurement, Optional<String> version,
        Optional<byte[]> signerId, Optional<String> description) {
    /**
     * Copies the arrays.
     *
     * @param type the measurement type (e.g. {@code BL}, {@code PRoT}, {@code SPE})
     * @param measurement the measurement value (a hash of the component, 32, 48 or 64 bytes in a token)
     * @param version the version, if stated
     * @param signerId the hash of the signing authority's public key, if stated
     * @param description the measurement description (hash algorithm name), if stated
     */
    public PsaSoftwareComponent {
        Objects.requireNonNull(type, "type");
        measurement = measurement.clone();
        Objects.requireNonNull(version, "version");
        signerId = signerId.map(byte[]::clone);
        Objects.requireNonNull(description, "description");
    }

    /**
     * A reference value: this measurement, of this type (or any when empty), version and signer id as given.
     *
     * @param type the measurement type, or empty for any
     * @param measurement the measurement value; copied
     * @param version the version, or empty
     * @param signerId the signer id, or empty; copied
     * @return the reference value
     */
    public static PsaSoftwareComponent reference(Optional<String> type, byte[] measurement, Optional<String> version,
            Optional<byte[]> signerId) {
        return new PsaSoftwareComponent(type, measurement, version, signerId, Optional.empty());
    }

    /**
     * A copy of the measurement value.
     *
     * @return a fresh copy of the measurement
     */
    @Override
    public byte[] measurement() {
        return measurement.clone();
    }

    /**
     * A copy of the signer id, if present.
     *
     * @return a fresh copy of the signer id, or empty
     */
    @Override
    public Optional<byte[]> signerId() {
        return signerId.map(byte[]::clone);
    }

    /** The name findings use: the type, or {@code #index} for an untyped component. */
    String name(int index) {
        return type.orElse("#" + index);
    }

    boolean sameMeasurement(byte[] other) {
        return Arrays.equals(measurement, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PsaSoftwareComponent c && type.equals(c.type) && Arrays.equals(measurement, c.measurement)
                && version.equals(c.version) && description.equals(c.description)
                && signerId.isPresent() == c.signerId.isPresent()
                && (signerId.isEmpty() || Arrays.equals(signerId.get(), c.signerId.get()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(measurement), version, description,
                signerId.map(Arrays::hashCode).orElse(0));
    }

    /** {@code type version measurement-hex}. */
    @Override
    public String toString() {
        return type.orElse("(untyped)") + version.map(v -> " " + v).orElse("") + " "
                + HexFormat.of().formatHex(measurement);
    }
}
