/**
 * attest-tpm: a TPM 2.0 client that marshals its own commands (TPM 2.0 Library Part 2/3),
 * strict verifier-side parsers for quote structures, quote verification, the TCG PC Client
 * boot event log and the Linux IMA measurement list.
 */
module dev.attest.tpm {
    requires dev.attest.core;
    requires com.fasterxml.jackson.core;

    exports dev.attest.tpm;
    exports dev.attest.tpm.eventlog;
    exports dev.attest.tpm.ima;
}
