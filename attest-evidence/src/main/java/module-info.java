/**
 * attest-evidence: the EAT claims model ({@link dev.attest.evidence.EatClaims}), its signed form
 * as a CWT in COSE_Sign1 ({@link dev.attest.evidence.EvidenceEncoder},
 * {@link dev.attest.evidence.EvidenceDecoder}), and keys ({@link dev.attest.evidence.SigningKey},
 * {@link dev.attest.evidence.VerificationKey}, {@link dev.attest.evidence.Signer}).
 */
module dev.attest.evidence {
    requires transitive dev.attest.core;
    requires org.slf4j;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;

    exports dev.attest.evidence;
    exports dev.attest.evidence.internal to dev.attest.verify, dev.attest.tpm;
}
