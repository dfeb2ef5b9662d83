package dev.attest.tpm;

import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.internal.TpmReader;
import dev.attest.tpm.internal.TpmWriter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A TPMS_ATTEST (TPM 2.0 Part 2 §10.12.12) whose attested part is a TPMS_QUOTE_INFO (§10.12.4):
 * what TPM2_Quote signs. The parser is strict: bounded sizes, a known attestation type, no
 * trailing bytes. The magic is parsed but not checked here (the {@link QuoteVerifier} reports it).
 *
 * @param magic TPM_GENERATED; {@link #TPM_GENERATED_VALUE} for TPM-made structures
 * @param type TPMI_ST_ATTEST; {@link #TPM_ST_ATTEST_QUOTE} for quotes
 * @param qualifiedSigner the qualified Name of the signing key
 * @param extraData the caller's qualifying data (the verifier's nonce)
 * @param clockInfo the TPM's clock, reset and restart counts
 * @param firmwareVersion the TPM vendor's firmware version
 * @param pcrSelect the quoted PCRs
 * @param pcrDigest the digest of the quoted PCR values
 */
public record TpmsAttest(int magic, int type, byte[] qualifiedSigner, byte[] extraData, ClockInfo clockInfo,
        long firmwareVersion, PcrSelection pcrSelect, byte[] pcrDigest) {

    /** TPM_GENERATED_VALUE, 0xFF 'T' 'C' 'G' (Part 2 §6.2). */
    public static final int TPM_GENERATED_VALUE = 0xFF544347;
    /** TPM_ST_ATTEST_QUOTE (Part 2 §6.9). */
    public static final int TPM_ST_ATTEST_QUOTE = 0x8018;
    /** Bound on a TPMS_ATTEST (TPM2B_ATTEST holds at most sizeof(TPMS_ATTEST)). */
    public static final int MAX_ENCODED = 1024;

    /**
     * TPMS_CLOCK_INFO (Part 2 §10.11.1).
     *
     * @param clock milliseconds the TPM has been powered since its last TPM2_Clear
     * @param resetCount number of TPM resets since the last TPM2_Clear
     * @param restartCount number of restarts/resumes since the last reset
     * @param safe whether {@code clock} is guaranteed not to have been reported before
     */
    public record ClockInfo(long clock, int resetCount, int restartCount, boolean safe) {

        /** How the TPM's state moved between two attestations (TPM 2.0 Part 1 §36.3-36.5). */
        public enum Transition {
            /** Same boot cycle: counts equal and clock not earlier. */
            SAME_BOOT,
            /** A TPM Restart or Resume (hibernation): resetCount equal, restartCount higher. */
            RESTARTED,
            /** A TPM Reset (reboot): resetCount higher. */
            REBOOTED,
            /**
             * Counts or clock went backwards: a TPM2_Clear, another TPM, or replayed evidence.
             * Counts are unsigned, so a wrap-around also lands here.
             */
            ROLLED_BACK
        }

        /**
         * Compares this (later) clock info with an earlier one from the same TPM and signing key.
         * For keys outside the endorsement and platform hierarchies the TPM obfuscates
         * resetCount, restartCount (and firmwareVersion) with a per-key offset (Part 3 §18.1), so
         * only quotes made by the same key are comparable.
         *
         * @param earlier the clock info of the previous attestation
         * @return the transition
         */
        public Transition since(ClockInfo earlier) {
            int reset = Integer.compareUnsigned(resetCount, earlier.resetCount);
            if (reset != 0) {
                return reset > 0 ? Transition.REBOOTED : Transition.ROLLED_BACK;
            }
            int restart = Integer.compareUnsigned(restartCount, earlier.restartCount);
            if (restart != 0) {
                return restart > 0 ? Transition.RESTARTED : Transition.ROLLED_BACK;
            }
            return Long.compareUnsigned(clock, earlier.clock) >= 0 ? Transition.SAME_BOOT : Transition.ROLLED_BACK;
        }
    }

    /**
     * Validates and copies arrays.
     *
     * @param magic TPM_GENERATED; {@link #TPM_GENERATED_VALUE} for TPM-made structures
     * @param type TPMI_ST_ATTEST; {@link #TPM_ST_ATTEST_QUOTE} for quotes
     * @param qualifiedSigner the qualified Name of the signing key
     * @param extraData the caller's qualifying data (the verifier's nonce)
     * @param clockInfo the TPM's clock, reset and restart counts
     * @param firmwareVersion the TPM vendor's firmware version
     * @param pcrSelect the quoted PCRs
     * @param pcrDigest the digest of the quoted PCR values
     */
    public TpmsAttest {
        Objects.requireNonNull(clockInfo, "clockInfo");
        Objects.requireNonNull(pcrSelect, "pcrSelect");
        qualifiedSigner = qualifiedSigner.clone();
        extraData = extraData.clone();
        pcrDigest = pcrDigest.clone();
    }

    /** @return a copy of {@code qualifiedSigner} */
    @Override
    public byte[] qualifiedSigner() {
        return qualifiedSigner.clone();
    }

    /** @return a copy of {@code extraData} */
    @Override
    public byte[] extraData() {
        return extraData.clone();
    }

    /** @return a copy of {@code pcrDigest} */
    @Override
    public byte[] pcrDigest() {
        return pcrDigest.clone();
    }

    /** @return the TPMS_ATTEST encoding */
    public byte[] encode() {
        TpmWriter w = new TpmWriter().u32(magic).u16(type).tpm2b(qualifiedSigner).tpm2b(extraData)
                .u64(clockInfo.clock()).u32(clockInfo.resetCount()).u32(clockInfo.restartCount())
                .u8(clockInfo.safe() ? 1 : 0).u64(firmwareVersion);
        pcrSelect.write(w);
        w.tpm2b(pcrDigest);
        return w.toByteArray();
    }

    /**
     * Decodes a quote's TPMS_ATTEST that fills {@code bytes} exactly.
     *
     * @param bytes the encoded TPMS_ATTEST
     * @return the decoded structure
     * @throws TpmFormatException TRUNCATED, TRAILING_BYTES, SIZE_LIMIT, UNSUPPORTED_TYPE (not a quote),
     *         INVALID_VALUE (safe not 0/1), UNKNOWN_ALGORITHM (PCR bank)
     */
    public static TpmsAttest parse(byte[] bytes) throws TpmFormatException {
        if (bytes.length > MAX_ENCODED) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, 0, "TPMS_ATTEST of " + bytes.length + " bytes");
        }
        TpmReader r = TpmReader.of(bytes);
        int magic = r.u32("TPMS_ATTEST.magic");
        long tAt = r.offset();
        int type = r.u16("TPMS_ATTEST.type");
        if (type != TPM_ST_ATTEST_QUOTE) {
            throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, tAt, String.format("attestation type 0x%04X", type));
        }
        byte[] signer = r.tpm2b(2 + 64, "TPMS_ATTEST.qualifiedSigner");
        byte[] extra = r.tpm2b(64, "TPMS_ATTEST.extraData");
        long clock = r.u64("TPMS_CLOCK_INFO.clock");
        int reset = r.u32("TPMS_CLOCK_INFO.resetCount");
        int restart = r.u32("TPMS_CLOCK_INFO.restartCount");
        long sAt = r.offset();
        int safe = r.u8("TPMS_CLOCK_INFO.safe");
        if (safe > 1) {
            throw new TpmFormatException(Reason.INVALID_VALUE, sAt, "TPMI_YES_NO " + safe);
        }
        long fw = r.u64("TPMS_ATTEST.firmwareVersion");
        PcrSelection sel = PcrSelection.read(r);
        byte[] digest = r.tpm2b(64, "TPMS_QUOTE_INFO.pcrDigest");
        r.end("TPMS_ATTEST");
        return new TpmsAttest(magic, type, signer, extra, new ClockInfo(clock, reset, restart, safe == 1), fw, sel, digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmsAttest t && Arrays.equals(encode(), t.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return String.format("TpmsAttest{magic=0x%08X, type=0x%04X, clock=%s, firmware=0x%016X, pcrSelect=%s, pcrDigest=%s}",
                magic, type, clockInfo, firmwareVersion, pcrSelect, HexFormat.of().formatHex(pcrDigest));
    }
}
