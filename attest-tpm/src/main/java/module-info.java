/**
 * attest-tpm: a TPM 2.0 client that marshals its own commands (TPM 2.0 Library Part 2/3),
 * strict verifier-side parsers for quote structures, quote verification, the TCG PC Client
 * boot event log and the Linux IMA measurement list; and its integration with the SDK
 * ({@link dev.attest.tpm.attest}): a quote {@code Collector}, a TPM-resident {@code Signer} and
 * the verifier's {@code EvidenceAppraiser}.
 *
 * <p>{@code TpmAppraiser} is deliberately not registered with {@code ServiceLoader}: it needs
 * each device's enrolled attestation key, which a no-argument constructor cannot know (trusting
 * whatever AK the evidence names would prove nothing). Pass it to
 * {@code Verifier.Builder.appraiser}. {@code TpmQuoteCollector} is not registered either: which
 * TPM to use ({@code /dev/tpmrm0}, a simulator) and which PCRs to quote is deployment
 * configuration.
 */
module dev.attest.tpm {
    requires transitive dev.attest.core;
    requires transitive dev.attest.evidence;
    requires transitive dev.attest.verify;
    requires com.fasterxml.jackson.core;

    exports dev.attest.tpm;
    exports dev.attest.tpm.attest;
    exports dev.attest.tpm.eventlog;
    exports dev.attest.tpm.ima;
}
