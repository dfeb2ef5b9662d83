package dev.attest.tpm.attest;

import dev.attest.core.Value;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrValues;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The {@code "<bank>:<index>"} keys of the {@code pcrs} value (e.g. {@code sha256:10}). */
final class PcrNames {
    private PcrNames() {
    }

    static String key(HashAlg bank, int index) {
        return bank.name().toLowerCase(Locale.ROOT) + ":" + index;
    }

    /** The PCR values of a {@code pcrs} map, or empty if a key or value is not well-formed. */
    static Optional<PcrValues> parse(Map<String, Value> map) {
        Map<HashAlg, Map<Integer, byte[]>> out = new EnumMap<>(HashAlg.class);
        for (Map.Entry<String, Value> e : map.entrySet()) {
            String k = e.getKey();
            int colon = k.indexOf(':');
            if (colon < 0 || !(e.getValue() instanceof Value.Bytes b)) {
                return Optional.empty();
            }
            HashAlg bank;
            try {
                bank = HashAlg.valueOf(k.substring(0, colon).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                return Optional.empty();
            }
            String idx = k.substring(colon + 1);
            if (!idx.matches("0|[1-9][0-9]?") || Integer.parseInt(idx) > 23
                    || b.value().length != bank.digestSize() || !k.equals(key(bank, Integer.parseInt(idx)))) {
                return Optional.empty();
            }
            out.computeIfAbsent(bank, x -> new TreeMap<>()).put(Integer.parseInt(idx), b.value());
        }
        return Optional.of(PcrValues.of(out));
    }
}
