package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One measurement of a triple ({@code measurement-map}, draft-ietf-rats-corim §5.1.4.1.4): which
 * element ({@code mkey}), its values ({@code mval}), and the keys that authorised it.
 *
 * @param key the measured element, if named
 * @param values the values
 * @param authorizedBy the keys that authorised the measurement; empty if not given
 */
public record MeasurementMap(Optional<Mkey> key, MeasurementValues values, List<CryptoKey> authorizedBy) {
    /**
     * Validates the parts.
     *
     * @param key the measured element, if named
     * @param values the values
     * @param authorizedBy the keys that authorised the measurement; empty if not given
     */
    public MeasurementMap {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(values, "values");
        authorizedBy = List.copyOf(authorizedBy);
    }
}
