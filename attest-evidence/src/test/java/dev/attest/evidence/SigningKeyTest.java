package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A signing key read from its private PEM alone knows its verification key, as a TPM signer does. */
class SigningKeyTest {
    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void aKeyFromPrivatePemAloneHasTheVerificationKeyOfItsPair(SignatureAlgorithm alg) throws Exception {
        SigningKey generated = SigningKey.generate(alg, Optional.of(KeyId.of("dev-1")));
        SigningKey loaded = SigningKey.of(Pem.privateKey(Pem.privateKey(generated.privateKey())), alg,
                Optional.of(KeyId.of("dev-1")));
        VerificationKey derived = loaded.verificationKey().orElseThrow();
        assertArrayEquals(generated.verificationKey().orElseThrow().publicKey().getEncoded(),
                derived.publicKey().getEncoded());
        assertEquals(Optional.of(KeyId.of("dev-1")), derived.keyId());
        // And it verifies what the loaded key signs.
        byte[] token = EvidenceEncoder.of(loaded).encode(EatClaims.builder()
                .nonce("nonce-for-key-test".getBytes(StandardCharsets.US_ASCII)).build());
        assertEquals(1, EvidenceDecoder.builder(KeyResolver.single(derived)).build().decode(token).claims()
                .nonces().size());
    }
}
