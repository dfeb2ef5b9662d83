package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.evidence.EvidenceException.Reason;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DecodeUnverifiedTest {
    private static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));

    /** A decoder whose resolver fails the test if it is ever asked for a key. */
    private static EvidenceDecoder decoder() {
        return EvidenceDecoder.builder(r -> {
            throw new AssertionError("decodeUnverified must not resolve a key");
        }).build();
    }

    @Test
    void decodesClaimsWithoutAnyKey() throws Exception {
        EatClaims claims = Samples.claims(4);
        byte[] token = EvidenceEncoder.of(KEY).encode(claims);
        EatClaims got = decoder().decodeUnverified(token);
        assertArrayEquals(EvidenceEncoder.payload(claims), EvidenceEncoder.payload(got));
    }

    @Test
    void aForgedSignatureStillDecodesWhichIsWhyTheResultIsUntrusted() throws Exception {
        EatClaims claims = Samples.claims(1);
        byte[] token = EvidenceEncoder.of(KEY).encode(claims);
        byte[] forged = token.clone();
        forged[forged.length - 1] ^= 1;
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(EvidenceException.class,
                () -> EvidenceDecoder.builder(KeyResolver.single(KEY.verificationKey().orElseThrow())).build()
                        .decode(forged)).reason());
        assertArrayEquals(EvidenceEncoder.payload(claims), EvidenceEncoder.payload(decoder().decodeUnverified(forged)));
    }

    @Test
    void structuralRulesStillApply() throws Exception {
        byte[] token = EvidenceEncoder.of(KEY).encode(Samples.claims(2));
        assertEquals(Reason.MALFORMED_CBOR, assertThrows(EvidenceException.class,
                () -> decoder().decodeUnverified(Arrays.copyOf(token, token.length - 5))).reason());
        byte[] trailing = Arrays.copyOf(token, token.length + 1);
        assertEquals(Reason.TRAILING_BYTES, assertThrows(EvidenceException.class,
                () -> decoder().decodeUnverified(trailing)).reason());
        assertEquals(Reason.TOO_LARGE, assertThrows(EvidenceException.class,
                () -> EvidenceDecoder.builder(r -> Optional.empty()).maxBytes(16).build().decodeUnverified(token)).reason());
        assertEquals(Reason.ALG_NOT_ALLOWED, assertThrows(EvidenceException.class,
                () -> EvidenceDecoder.builder(r -> Optional.empty()).algorithms(EnumSet.of(SignatureAlgorithm.EDDSA))
                        .build().decodeUnverified(token)).reason());
        assertEquals(Reason.NOT_COSE_SIGN1, assertThrows(EvidenceException.class,
                () -> decoder().decodeUnverified(new byte[] {(byte) 0x83, 1, 2, 3})).reason());
    }
}
