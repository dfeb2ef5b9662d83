package dev.attest.tpm;

import java.util.Arrays;

/**
 * The output of TPM2_Quote (TPM 2.0 Part 3 §18.4): the signed TPMS_ATTEST bytes (the contents of
 * TPM2B_ATTEST, without its size) and the TPMT_SIGNATURE over them, both exactly as the TPM sent them.
 *
 * @param attest the TPMS_ATTEST bytes
 * @param signature the TPMT_SIGNATURE bytes
 */
public record Quote(byte[] attest, byte[] signature) {
    /**
     * Copies arrays.
     *
     * @param attest the TPMS_ATTEST bytes
     * @param signature the TPMT_SIGNATURE bytes
     */
    public Quote {
        attest = attest.clone();
        signature = signature.clone();
    }

    /** @return a copy of {@code attest} */
    @Override
    public byte[] attest() {
        return attest.clone();
    }

    /** @return a copy of {@code signature} */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * @return the parsed TPMS_ATTEST
     * @throws TpmFormatException as {@link TpmsAttest#parse(byte[])}
     */
    public TpmsAttest parseAttest() throws TpmFormatException {
        return TpmsAttest.parse(attest);
    }

    /**
     * @return the parsed TPMT_SIGNATURE
     * @throws TpmFormatException as {@link TpmtSignature#parse(byte[])}
     */
    public TpmtSignature parseSignature() throws TpmFormatException {
        return TpmtSignature.parse(signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quote q && Arrays.equals(attest, q.attest) && Arrays.equals(signature, q.signature);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(attest) + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "Quote{attest=" + attest.length + " bytes, signature=" + signature.length + " bytes}";
    }
}
