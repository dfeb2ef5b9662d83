/**
 * attest-verify: {@link dev.attest.verify.Verifier#appraise} with reference values, policy,
 * freshness and continuity, producing {@link dev.attest.verify.AttestationResult}s and EAR
 * (EAT Attestation Results, draft-ietf-rats-ear) in {@link dev.attest.verify.ear}.
 */
module dev.attest.verify {
    requires transitive dev.attest.evidence;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires transitive java.sql;
    requires com.zaxxer.hikari;

    exports dev.attest.verify;
    exports dev.attest.verify.ear;
    exports dev.attest.verify.corim;
    exports dev.attest.verify.psa;

    uses dev.attest.verify.EvidenceAppraiser;
    uses dev.attest.verify.EvidenceScheme;
}
