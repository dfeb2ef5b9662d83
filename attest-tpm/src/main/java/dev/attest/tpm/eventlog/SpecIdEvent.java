package dev.attest.tpm.eventlog;

import java.util.Arrays;
import java.util.List;

/**
 * The Specification ID Version event, TCG_EfiSpecIDEventStruct (TCG PFP §10.4.5.1): the first
 * event of a log, an EV_NO_ACTION in PCR 0 whose data names the log format and, for the
 * crypto-agile format ("Spec ID Event03"), the digest algorithms and sizes every later event carries.
 *
 * @param signature "Spec ID Event03" (crypto-agile) or "Spec ID Event00"/"Spec ID Event02" (SHA-1 format)
 * @param platformClass 0 client, 1 server
 * @param specVersionMajor major version of the PFP specification
 * @param specVersionMinor minor version
 * @param specErrata errata
 * @param uintnSize 1 for UINT32, 2 for UINT64 UINTN fields
 * @param algorithms the algorithms and digest sizes (crypto-agile only; empty for SHA-1 format)
 * @param vendorInfo vendor data
 */
public record SpecIdEvent(String signature, int platformClass, int specVersionMajor, int specVersionMinor,
        int specErrata, int uintnSize, List<AlgorithmSize> algorithms, byte[] vendorInfo) {

    /**
     * One TCG_EfiSpecIdEventAlgorithmSize.
     *
     * @param algId the TPM_ALG_ID
     * @param digestSize its digest size in bytes
     */
    public record AlgorithmSize(int algId, int digestSize) {
    }

    /**
     * Copies.
     *
     * @param signature "Spec ID Event03" (crypto-agile) or "Spec ID Event00"/"Spec ID Event02" (SHA-1 format)
     * @param platformClass 0 client, 1 server
     * @param specVersionMajor major version of the PFP specification
     * @param specVersionMinor minor version
     * @param specErrata errata
     * @param uintnSize 1 for UINT32, 2 for UINT64 UINTN fields
     * @param algorithms the algorithms and digest sizes (crypto-agile only; empty for SHA-1 format)
     * @param vendorInfo vendor data
     */
    public SpecIdEvent {
        algorithms = List.copyOf(algorithms);
        vendorInfo = vendorInfo.clone();
    }

    /** @return a copy of {@code vendorInfo} */
    @Override
    public byte[] vendorInfo() {
        return vendorInfo.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecIdEvent s && s.signature.equals(signature) && s.platformClass == platformClass
                && s.specVersionMajor == specVersionMajor && s.specVersionMinor == specVersionMinor
                && s.specErrata == specErrata && s.uintnSize == uintnSize && s.algorithms.equals(algorithms)
                && Arrays.equals(s.vendorInfo, vendorInfo);
    }

    @Override
    public int hashCode() {
        return signature.hashCode() * 31 + algorithms.hashCode();
    }
}
