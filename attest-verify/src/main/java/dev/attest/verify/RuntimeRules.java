package dev.attest.verify;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the built-in runtime checks tolerate (docs/collectors.md names the values they read).
 *
 * @param allowJit whether anonymous writable+executable mappings identified as the JVM's JIT code
 *     cache ({@code jit-code-cache = true}) are allowed
 * @param wxAllow path prefixes of mappings allowed to be flagged by the memory-protection collector
 * @param jvmAllow JVM findings allowed (e.g. {@code attach-enabled}, or a prefix such as
 *     {@code javaagent:/opt/apm/})
 * @param timing upper bounds on timing statistics
 */
public record RuntimeRules(boolean allowJit, List<String> wxAllow, Set<String> jvmAllow, List<TimingBound> timing) {
    /**
     * An upper bound on one value of one timing measurement.
     *
     * @param component the measurement name, e.g. {@code workload}
     * @param value the value name, e.g. {@code median-ms}
     * @param max the largest value allowed
     */
    public record TimingBound(String component, String value, double max) {
        /**
         * Validates the parts.
         *
         * @param component the measurement name, e.g. {@code workload}
         * @param value the value name, e.g. {@code median-ms}
         * @param max the largest value allowed
         */
        public TimingBound {
            Objects.requireNonNull(component, "component");
            Objects.requireNonNull(value, "value");
            if (!Double.isFinite(max)) {
                throw new IllegalArgumentException("timing bound must be finite");
            }
        }
    }

    /**
     * Copies the lists.
     *
     * @param allowJit whether anonymous writable+executable mappings identified as the JVM's JIT code cache
     *     ({@code jit-code-cache = true}) are allowed
     * @param wxAllow path prefixes of mappings allowed to be flagged by the memory-protection collector
     * @param jvmAllow JVM findings allowed (e.g. {@code attach-enabled}, or a prefix such as {@code
     *     javaagent:/opt/apm/})
     * @param timing upper bounds on timing statistics
     */
    public RuntimeRules {
        wxAllow = List.copyOf(wxAllow);
        jvmAllow = Set.copyOf(jvmAllow);
        timing = List.copyOf(timing);
    }

    /**
     * The defaults: the JIT code cache allowed, nothing else.
     *
     * @return the default rules
     */
    public static RuntimeRules defaults() {
        return new RuntimeRules(true, List.of(), Set.of(), List.of());
    }
}
