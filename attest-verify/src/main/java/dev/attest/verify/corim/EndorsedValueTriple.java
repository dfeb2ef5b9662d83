package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;

/**
 * An endorsed-value triple ({@code endorsed-triple-record}, draft-ietf-rats-corim §5.1.6):
 * measurements an endorser asserts of an environment (they are not matched against evidence; a
 * verifier adds them to what it knows of the environment).
 *
 * @param environment the environment
 * @param measurements the endorsed measurements, at least one
 */
public record EndorsedValueTriple(Environment environment, List<MeasurementMap> measurements) {
    /**
     * Validates the parts.
     *
     * @param environment the environment
     * @param measurements the endorsed measurements, at least one
     */
    public EndorsedValueTriple {
        Objects.requireNonNull(environment, "environment");
        measurements = List.copyOf(measurements);
        if (measurements.isEmpty()) {
            throw new IllegalArgumentException("an endorsed-value triple has measurements");
        }
    }
}
