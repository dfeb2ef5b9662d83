package dev.attest.evidence;

import java.util.List;
import java.util.Objects;

/**
 * One group of the EAT {@code measres} claim (RFC 9711 §4.2.17): the results a measurement
 * system on the device computed itself, e.g. a secure-boot check.
 *
 * @param system the name of the measurement system
 * @param results the individual results, at least one
 */
public record MeasurementResults(String system, List<Result> results) {
    /** What a device-side check found, with the RFC 9711 codes 1 to 4. */
    public enum Outcome {
        /** The check passed (1). */
        SUCCESS,
        /** The check failed (2). */
        FAIL,
        /** The check was not run (3). */
        NOT_RUN,
        /** The item to check was absent (4). */
        ABSENT
    }

    /**
     * One result.
     *
     * @param id what was checked
     * @param outcome the outcome
     */
    public record Result(String id, Outcome outcome) {
        /**
         * Validates the parts.
         *
         * @param id what was checked
         * @param outcome the outcome
         */
        public Result {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /**
     * Validates the parts.
     *
     * @param system the name of the measurement system
     * @param results the individual results, at least one
     */
    public MeasurementResults {
        Objects.requireNonNull(system, "system");
        results = List.copyOf(results);
        if (results.isEmpty()) {
            throw new IllegalArgumentException("a measres group needs at least one result");
        }
    }
}
