package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerifiedEvidence;
import dev.attest.tpm.Swtpm;
import dev.attest.tpm.Tpm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SignatureException;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EAT signed inside swtpm verifies with the SDK's decoder; the key is stable and bound to the TPM. */
class TpmSignerIT {
    @TempDir
    Path state;

    @Test
    void eatSignedByTheTpmVerifies() throws Exception {
        byte[] nonce = "tpm-signer-nonce".getBytes(StandardCharsets.US_ASCII);
        try (Swtpm swtpm = Swtpm.start(state); Tpm tpm = swtpm.connect()) {
            TpmSigner signer = TpmSigner.create(tpm, Optional.of(KeyId.of("tpm-dev")));
            assertEquals(SignatureAlgorithm.ES256, signer.algorithm());
            EatClaims claims = EatClaims.builder().iat(Instant.parse("2026-11-25T12:00:00Z")).nonce(nonce)
                    .swname("tpm-signer-test").build();
            // Many signatures, so that r or s with leading zero bytes (1 in 128) are padded correctly.
            for (int i = 0; i < 40; i++) {
                byte[] token = EvidenceEncoder.of(signer).encode(claims);
                VerifiedEvidence v = EvidenceDecoder.builder(KeyResolver.single(signer.verificationKey())).build()
                        .decode(token);
                assertArrayEquals(nonce, v.claims().nonces().get(0));
                assertEquals("tpm-signer-test", v.claims().swname().orElseThrow());
            }
            byte[] token = EvidenceEncoder.of(signer).encode(claims);
            // Primary keys are derived: a second signer in the same TPM has the same public key.
            signer.close();
            TpmSigner again = TpmSigner.create(tpm, Optional.of(KeyId.of("tpm-dev")));
            assertEquals(signer.verificationKey().fingerprint(), again.verificationKey().fingerprint());
            EvidenceDecoder.builder(KeyResolver.single(again.verificationKey())).build().decode(token);
            again.close();
            // ...and a software key of the same kid does not verify the TPM's token.
            SigningKey other = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("tpm-dev")));
            EvidenceException e = assertThrows(EvidenceException.class, () -> EvidenceDecoder
                    .builder(KeyResolver.single(other.verificationKey().orElseThrow())).build().decode(token));
            assertEquals(EvidenceException.Reason.BAD_SIGNATURE, e.reason());
            SignatureException closed = assertThrows(SignatureException.class, () -> signer.sign(new byte[] {1}));
            assertEquals("TPM signer closed", closed.getMessage());
        }
    }
}
