/**
 * attest-verify: appraisal of evidence and the attestation results it produces. This module
 * currently exports the EAR (EAT Attestation Result, draft-ietf-rats-ear) model, its JSON codec
 * and its JWT signer/verifier in {@link dev.attest.verify.ear}.
 */
module dev.attest.verify {
    requires dev.attest.core;
    requires com.fasterxml.jackson.core;

    exports dev.attest.verify.ear;
}
