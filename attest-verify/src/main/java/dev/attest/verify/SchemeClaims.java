package dev.attest.verify;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The claims of verified evidence of any {@link EvidenceScheme}, normalised for the verifier:
 * who (the device), on what (the environment, e.g. a PSA implementation id), running what (the
 * measured components) and how fresh (nonces, issue time). Immutable; arrays are copied.
 *
 * @param scheme the id of the scheme that verified the evidence
 * @param device the device (instance) the verification key stands for
 * @param environment the environment (class) the reference values were selected by, if any
 * @param components the measured components, in the evidence's order
 * @param nonces the nonces the evidence carries, each 8 to 64 bytes (RFC 9711 §4.1)
 * @param issuedAt when the evidence says it was made, if it says
 */
public record SchemeClaims(String scheme, String device, Optional<String> environment, List<Component> components,
        List<byte[]> nonces, Optional<Instant> issuedAt) {
    /**
     * Copies the parts.
     *
     * @param scheme the id of the scheme that verified the evidence
     * @param device the device (instance) the verification key stands for
     * @param environment the environment (class) the reference values were selected by, if any
     * @param components the measured components, in the evidence's order
     * @param nonces the nonces the evidence carries, each 8 to 64 bytes (RFC 9711 §4.1)
     * @param issuedAt when the evidence says it was made, if it says
     * @throws IllegalArgumentException if a nonce is shorter than 8 or longer than 64 bytes
     */
    public SchemeClaims {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(environment, "environment");
        components = List.copyOf(components);
        for (byte[] n : nonces) {
            if (n.length < dev.attest.evidence.EatClaims.MIN_NONCE || n.length > dev.attest.evidence.EatClaims.MAX_NONCE) {
                throw new IllegalArgumentException("a nonce has 8 to 64 bytes, not " + n.length);
            }
        }
        nonces = nonces.stream().map(byte[]::clone).toList();
        Objects.requireNonNull(issuedAt, "issuedAt");
    }

    /**
     * Copies of the nonces.
     *
     * @return fresh copies of the nonces; empty if none
     */
    @Override
    public List<byte[]> nonces() {
        return nonces.stream().map(byte[]::clone).toList();
    }

    /**
     * One measured component (for PSA, a software component: RFC 9783 §4.4.1).
     *
     * @param name what it is (PSA measurement type, e.g. {@code BL}), empty text if unnamed
     * @param version its version, if stated
     * @param measurement the measurement value
     * @param signer the signer id (hash of the signing authority's key), if stated
     */
    public record Component(String name, Optional<String> version, byte[] measurement, Optional<byte[]> signer) {
        /**
         * Copies the arrays.
         *
         * @param name what it is (PSA measurement type, e.g. {@code BL}), empty text if unnamed
         * @param version its version, if stated
         * @param measurement the measurement value
         * @param signer the signer id (hash of the signing authority's key), if stated
         */
        public Component {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            measurement = measurement.clone();
            signer = signer.map(byte[]::clone);
        }

        /**
         * A copy of the measured digest.
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
        public Optional<byte[]> signer() {
            return signer.map(byte[]::clone);
        }

        /** {@code name version measurement-hex}. */
        @Override
        public String toString() {
            return (name.isEmpty() ? "(unnamed)" : name) + version.map(v -> " " + v).orElse("") + " "
                    + HexFormat.of().formatHex(measurement);
        }
    }
}
