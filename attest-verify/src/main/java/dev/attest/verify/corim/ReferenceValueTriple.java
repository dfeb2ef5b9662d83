package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;

/**
 * A reference-value triple ({@code reference-triple-record}, draft-ietf-rats-corim §5.1.5):
 * measurements an environment is expected to show. For PSA: the environment's class id is the
 * implementation id, each measurement a software component ({@code mkey}
 * {@code "psa.software-component"}: name, digest, version, signer id in {@code cryptokeys}).
 *
 * @param environment the environment
 * @param measurements the expected measurements, at least one
 */
public record ReferenceValueTriple(Environment environment, List<MeasurementMap> measurements) {
    /**
     * Validates the parts.
     *
     * @param environment the environment
     * @param measurements the expected measurements, at least one
     */
    public ReferenceValueTriple {
        Objects.requireNonNull(environment, "environment");
        measurements = List.copyOf(measurements);
        if (measurements.isEmpty()) {
            throw new IllegalArgumentException("a reference-value triple has measurements");
        }
    }
}
