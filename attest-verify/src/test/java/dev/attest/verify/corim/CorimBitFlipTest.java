package dev.attest.verify.corim;

import static dev.attest.verify.corim.CorimVectors.CORIM;
import static dev.attest.verify.corim.CorimVectors.SERVICES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every single-bit flip of a signed CoRIM is refused: Veraison's signed CoRIM and one signed here. */
class CorimBitFlipTest {

    private static Map<CorimException.Reason, Integer> campaign(byte[] signed, CorimDecoder decoder) throws Exception {
        decoder.decode(signed); // the original is accepted
        Map<CorimException.Reason, Integer> reasons = new EnumMap<>(CorimException.Reason.class);
        int accepted = 0;
        for (int i = 0; i < signed.length * 8; i++) {
            byte[] b = signed.clone();
            b[i / 8] ^= (byte) (1 << (i % 8));
            try {
                decoder.decode(b);
                accepted++;
            } catch (CorimException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
            }
        }
        assertEquals(0, accepted, "accepted bit flips; refusals " + reasons);
        assertEquals(signed.length * 8, reasons.values().stream().mapToInt(Integer::intValue).sum());
        return reasons;
    }

    @Test
    void noBitFlipOfVeraisonsSignedCorimIsAccepted() throws Exception {
        byte[] signed = CorimVectors.read(CORIM, "corim/testcases/signed-good-corim.cbor");
        Map<CorimException.Reason, Integer> r = campaign(signed, CorimVectors.signedDecoder(CorimVectors.IN_VALIDITY));
        // the 64-byte signature's 512 bits at the end can only break the signature
        assertEquals(true, r.get(CorimException.Reason.BAD_SIGNATURE) >= 512, r.toString());
    }

    @Test
    void noBitFlipOfACorimSignedHereIsAccepted() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("supplier")));
        Corim c = CorimVectors.unsignedDecoder().decode(CorimVectors.read(SERVICES,
                "scheme/psa-iot/test/corim/corim-psa-valid.cbor"));
        byte[] signed = CorimEncoder.sign(c, key, "supplier", Optional.empty(), Optional.of(new Corim.Validity(
                Optional.empty(), Instant.parse("2030-01-01T00:00:00Z"))));
        campaign(signed, CorimDecoder.builder().signer(key.verificationKey().orElseThrow()).clock(CorimVectors.IN_VALIDITY)
                .build());
    }
}
