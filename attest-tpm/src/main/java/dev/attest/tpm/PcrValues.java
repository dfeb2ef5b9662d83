package dev.attest.tpm;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * PCR values per bank and index, as read from a TPM (TPM2_PCR_Read, TPM 2.0 Part 3 §22.4) or
 * computed by replaying an event log. Immutable; arrays are copied in and out.
 */
public final class PcrValues {
    private final EnumMap<HashAlg, TreeMap<Integer, byte[]>> values;

    private PcrValues(EnumMap<HashAlg, TreeMap<Integer, byte[]>> values) {
        this.values = values;
    }

    /**
     * @param values per bank, per PCR index, the value (its length must equal the bank's digest size)
     * @return an immutable copy
     * @throws IllegalArgumentException if a value has the wrong length
     */
    public static PcrValues of(Map<HashAlg, ? extends Map<Integer, byte[]>> values) {
        EnumMap<HashAlg, TreeMap<Integer, byte[]>> m = new EnumMap<>(HashAlg.class);
        for (Map.Entry<HashAlg, ? extends Map<Integer, byte[]>> e : values.entrySet()) {
            TreeMap<Integer, byte[]> bank = new TreeMap<>();
            for (Map.Entry<Integer, byte[]> v : e.getValue().entrySet()) {
                if (v.getValue().length != e.getKey().digestSize()) {
                    throw new IllegalArgumentException("PCR " + v.getKey() + " value length " + v.getValue().length
                            + " for " + e.getKey());
                }
                bank.put(v.getKey(), v.getValue().clone());
            }
            m.put(e.getKey(), bank);
        }
        return new PcrValues(m);
    }

    /**
     * The inverse of {@link #concatenate(PcrSelection)}: splits concatenated PCR values (bank by
     * bank in selection order, ascending index; the layout {@code tpm2_pcrread -o} writes).
     *
     * @param selection the PCRs the values belong to
     * @param values the concatenated values
     * @return the values per bank and index
     * @throws TpmFormatException TRUNCATED or TRAILING_BYTES if the length does not match the selection
     */
    public static PcrValues fromConcatenation(PcrSelection selection, byte[] values) throws TpmFormatException {
        dev.attest.tpm.internal.TpmReader r = dev.attest.tpm.internal.TpmReader.of(values);
        Map<HashAlg, Map<Integer, byte[]>> m = new EnumMap<>(HashAlg.class);
        for (PcrSelection.Bank b : selection.banks()) {
            Map<Integer, byte[]> bank = new TreeMap<>();
            for (int p : b.pcrs()) {
                bank.put(p, r.bytes(b.hash().digestSize(), b.hash() + " PCR " + p));
            }
            m.put(b.hash(), bank);
        }
        r.end("PCR values");
        return of(m);
    }

    /**
     * @param hash the bank
     * @param index the PCR index
     * @return the value of PCR {@code index} in bank {@code hash}, if present
     */
    public Optional<byte[]> get(HashAlg hash, int index) {
        TreeMap<Integer, byte[]> bank = values.get(hash);
        if (bank == null || !bank.containsKey(index)) {
            return Optional.empty();
        }
        return Optional.of(bank.get(index).clone());
    }

    /** @return a deep copy: per bank, per index, the value */
    public Map<HashAlg, SortedMap<Integer, byte[]>> asMap() {
        EnumMap<HashAlg, SortedMap<Integer, byte[]>> m = new EnumMap<>(HashAlg.class);
        values.forEach((h, bank) -> {
            TreeMap<Integer, byte[]> c = new TreeMap<>();
            bank.forEach((i, v) -> c.put(i, v.clone()));
            m.put(h, Collections.unmodifiableSortedMap(c));
        });
        return Collections.unmodifiableMap(m);
    }

    /**
     * The concatenation of the selected PCR values, bank by bank in selection order and ascending
     * index within a bank: the input of a quote's pcrDigest (TPM 2.0 Part 1 §17.6.5).
     *
     * @param selection the PCRs to concatenate
     * @return the concatenation, or empty if a selected PCR has no value here
     */
    public Optional<byte[]> concatenate(PcrSelection selection) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (PcrSelection.Bank b : selection.banks()) {
            TreeMap<Integer, byte[]> bank = values.get(b.hash());
            for (int p : b.pcrs()) {
                byte[] v = bank == null ? null : bank.get(p);
                if (v == null) {
                    return Optional.empty();
                }
                out.write(v, 0, v.length);
            }
        }
        return Optional.of(out.toByteArray());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PcrValues other) || !values.keySet().equals(other.values.keySet())) {
            return false;
        }
        for (Map.Entry<HashAlg, TreeMap<Integer, byte[]>> e : values.entrySet()) {
            TreeMap<Integer, byte[]> ob = other.values.get(e.getKey());
            if (!e.getValue().keySet().equals(ob.keySet())) {
                return false;
            }
            for (Map.Entry<Integer, byte[]> v : e.getValue().entrySet()) {
                if (!java.util.Arrays.equals(v.getValue(), ob.get(v.getKey()))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<HashAlg, TreeMap<Integer, byte[]>> e : values.entrySet()) {
            for (Map.Entry<Integer, byte[]> v : e.getValue().entrySet()) {
                h = 31 * h + e.getKey().hashCode() * 97 + v.getKey() + java.util.Arrays.hashCode(v.getValue());
            }
        }
        return h;
    }

    /** PCR values are measurements, not secrets: printed in hex. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PcrValues{");
        HexFormat hex = HexFormat.of();
        values.forEach((h, bank) -> bank.forEach((i, v) -> sb.append(h).append(':').append(i).append('=')
                .append(hex.formatHex(v)).append(' ')));
        return sb.append('}').toString();
    }
}
