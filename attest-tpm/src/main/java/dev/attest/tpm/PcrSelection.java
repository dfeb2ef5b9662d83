package dev.attest.tpm;

import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.internal.TpmReader;
import dev.attest.tpm.internal.TpmWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A TPML_PCR_SELECTION (TPM 2.0 Part 2 §10.9.7): per hash bank, the PCR indices selected, in
 * bank order. The order matters: a quote's pcrDigest hashes the PCR values bank by bank in this
 * order, each bank in ascending PCR index (Part 3 §18.4, Part 1 §17.6.5).
 *
 * @param banks the banks in order, each bank's algorithm at most once
 */
public record PcrSelection(List<Bank> banks) {
    /** Bound on selection bytes per bank (64 PCRs; PC Client TPMs have 24). */
    public static final int MAX_SIZE_OF_SELECT = 8;
    /** Bound on banks in one selection (TPM HASH_COUNT). */
    public static final int MAX_BANKS = 16;

    /**
     * A TPMS_PCR_SELECTION: one bank and its selected PCR indices.
     *
     * @param hash the bank's hash algorithm
     * @param pcrs the selected PCR indices (0..63), ascending
     */
    public record Bank(HashAlg hash, SortedSet<Integer> pcrs) {
        /**
         * Validates indices and copies the set.
         *
         * @param hash the bank's hash algorithm
         * @param pcrs the selected PCR indices (0..63), ascending
         */
        public Bank {
            Objects.requireNonNull(hash, "hash");
            TreeSet<Integer> c = new TreeSet<>(pcrs);
            for (int p : c) {
                if (p < 0 || p >= MAX_SIZE_OF_SELECT * 8) {
                    throw new IllegalArgumentException("PCR index out of range: " + p);
                }
            }
            pcrs = Collections.unmodifiableSortedSet(c);
        }
    }

    /**
     * Validates (no duplicate bank) and copies.
     *
     * @param banks the banks in order, each bank's algorithm at most once
     */
    public PcrSelection {
        banks = List.copyOf(banks);
        EnumSet<HashAlg> seen = EnumSet.noneOf(HashAlg.class);
        for (Bank b : banks) {
            if (!seen.add(b.hash())) {
                throw new IllegalArgumentException("bank selected twice: " + b.hash());
            }
        }
        if (banks.size() > MAX_BANKS) {
            throw new IllegalArgumentException("too many banks");
        }
    }

    /**
     * @param hash the bank
     * @param pcrs the PCR indices
     * @return a selection of one bank
     */
    public static PcrSelection of(HashAlg hash, int... pcrs) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int p : pcrs) {
            s.add(p);
        }
        return new PcrSelection(List.of(new Bank(hash, s)));
    }

    /** @return true if no PCR is selected in any bank */
    public boolean isEmpty() {
        return banks.stream().allMatch(b -> b.pcrs().isEmpty());
    }

    /** @return the TPML_PCR_SELECTION encoding (sizeofSelect at least 3, PCR_SELECT_MIN) */
    public byte[] encode() {
        TpmWriter w = new TpmWriter();
        write(w);
        return w.toByteArray();
    }

    /** Writes the TPML_PCR_SELECTION encoding. */
    void write(TpmWriter w) {
        w.u32(banks.size());
        for (Bank b : banks) {
            int max = b.pcrs().isEmpty() ? 0 : b.pcrs().last();
            int size = Math.max(3, max / 8 + 1);
            byte[] sel = new byte[size];
            for (int p : b.pcrs()) {
                sel[p / 8] |= (byte) (1 << (p % 8));
            }
            w.u16(b.hash().algId()).u8(size).bytes(sel);
        }
    }

    /**
     * Decodes a TPML_PCR_SELECTION that fills {@code bytes} exactly (the counterpart of {@link #encode()}).
     *
     * @param bytes the encoding
     * @return the selection
     * @throws TpmFormatException TRUNCATED, TRAILING_BYTES, SIZE_LIMIT, UNKNOWN_ALGORITHM, INVALID_VALUE
     */
    public static PcrSelection parse(byte[] bytes) throws TpmFormatException {
        TpmReader r = TpmReader.of(bytes);
        PcrSelection s = read(r);
        r.end("TPML_PCR_SELECTION");
        return s;
    }

    /**
     * Decodes a TPML_PCR_SELECTION from the reader.
     *
     * @throws TpmFormatException TRUNCATED, SIZE_LIMIT (count or sizeofSelect), UNKNOWN_ALGORITHM,
     *         INVALID_VALUE (a bank twice)
     */
    static PcrSelection read(TpmReader r) throws TpmFormatException {
        long at = r.offset();
        int count = r.u32("TPML_PCR_SELECTION.count");
        if (count < 0 || count > MAX_BANKS) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, at, "PCR selection count " + Integer.toUnsignedString(count));
        }
        List<Bank> banks = new ArrayList<>(count);
        EnumSet<HashAlg> seen = EnumSet.noneOf(HashAlg.class);
        for (int i = 0; i < count; i++) {
            long aAt = r.offset();
            int alg = r.u16("TPMS_PCR_SELECTION.hash");
            HashAlg h = HashAlg.fromAlgId(alg).orElseThrow(() -> new TpmFormatException(Reason.UNKNOWN_ALGORITHM, aAt,
                    String.format("PCR bank algorithm 0x%04X", alg)));
            if (!seen.add(h)) {
                throw new TpmFormatException(Reason.INVALID_VALUE, aAt, "bank selected twice: " + h);
            }
            long sAt = r.offset();
            int size = r.u8("TPMS_PCR_SELECTION.sizeofSelect");
            if (size > MAX_SIZE_OF_SELECT) {
                throw new TpmFormatException(Reason.SIZE_LIMIT, sAt, "sizeofSelect " + size);
            }
            byte[] sel = r.bytes(size, "TPMS_PCR_SELECTION.pcrSelect");
            TreeSet<Integer> pcrs = new TreeSet<>();
            for (int p = 0; p < size * 8; p++) {
                if ((sel[p / 8] & (1 << (p % 8))) != 0) {
                    pcrs.add(p);
                }
            }
            banks.add(new Bank(h, pcrs));
        }
        return new PcrSelection(banks);
    }
}
