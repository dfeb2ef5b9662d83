package dev.attest.verify.corim;

import static dev.attest.verify.corim.CorimVectors.CORIM;
import static dev.attest.verify.corim.CorimVectors.SERVICES;
import static dev.attest.verify.corim.CorimVectors.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The PSA profile on Veraison's PSA CoRIMs: the valid ones pass and give the keys and software
 * components Veraison's sources name; each bad one is refused for its own reason.
 */
class PsaCorimProfileTest {
    private static final String PSA_IOT = "scheme/psa-iot/test/corim/";

    private static Corim decode(String origin, String name) throws CorimException {
        return CorimVectors.unsignedDecoder().decode(read(origin, name));
    }

    @ParameterizedTest
    @CsvSource({
        "corim-psa-bad-class.cbor, PROFILE_CLASS_ID, /1/0/4/3/0/0/0/0",
        "corim-psa-bad-instance.cbor, PROFILE_INSTANCE_ID, /1/0/4/3/0/0/1",
        "corim-psa-bad-ta-no-instance.cbor, PROFILE_INSTANCE_ID, /1/0/4/3/0/0/1",
        "corim-psa-bad-ta-cert.cbor, PROFILE_VERIFICATION_KEY, /1/0/4/3/0/1",
        "corim-psa-bad-refval-instance.cbor, PROFILE_REFERENCE_ENVIRONMENT, /1/0/4/0/0/0/1",
        "corim-psa-bad-refval-mkey.cbor, PROFILE_MEASUREMENT_KEY, /1/0/4/0/0/1/1/0",
    })
    void eachBadPsaSchemeCorimIsRefusedForItsReason(String name, CorimException.Reason reason, String path)
            throws Exception {
        Corim c = decode(SERVICES, PSA_IOT + name);
        CorimException e = assertThrows(CorimException.class, () -> PsaCorimProfile.validate(c));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(path, e.path());
    }

    @Test
    void theBadMeasurementValueIsAnSvnBeyondSixtyFourBitsRefusedByTheDecoder() {
        // svn 15208092991676744000 > 2^63 - 1: refused by the CBOR limit of decision 0000, before any profile rule
        CorimException e = assertThrows(CorimException.class,
                () -> decode(SERVICES, PSA_IOT + "corim-psa-bad-refval-mval.cbor"));
        assertEquals(CorimException.Reason.INTEGER_OUT_OF_RANGE, e.reason());
        assertEquals("/1/0", e.path());
    }

    @ParameterizedTest
    @CsvSource({
        "no-profile.cbor, PROFILE_MISMATCH, /3",
        "psa-invalid-impl-id.cbor, PROFILE_CLASS_ID, /1/0/4/0/0/0/0/0",
        "psa-invalid-attest-key.cbor, PROFILE_VERIFICATION_KEY, /1/0/4/3/0/1",
    })
    void veraisonsInvalidPsaProfileCasesAreRefused(String name, CorimException.Reason reason, String path)
            throws Exception {
        Corim c = decode(CORIM, "profiles/psa/testcases/" + name);
        CorimException e = assertThrows(CorimException.class, () -> PsaCorimProfile.validate(c));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(path, e.path());
    }

    @Test
    void theValidPsaSchemeCorimGivesItsKeysAndSoftwareComponents() throws Exception {
        PsaCorimProfile psa = PsaCorimProfile.of(List.of(decode(SERVICES, PSA_IOT + "corim-psa-valid.cbor"),
                decode(CORIM, "profiles/psa/testcases/psa-valid.cbor")));
        Octets impl = Octets.of("acme-implementation-id-000000001".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        List<PsaCorimProfile.SoftwareComponent> sw = psa.softwareComponents(impl);
        assertEquals(List.of(Optional.of("BL"), Optional.of("PRoT"), Optional.of("ARoT")),
                sw.stream().map(PsaCorimProfile.SoftwareComponent::measurementType).toList());
        assertEquals("87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7", sw.get(0).digests().get(0).value().hex());
        assertEquals("5378796307535df3ec8d8b15a2e2dc5641419c3d3060cfe32238c0fa973f7aa3", sw.get(0).signerId().hex());
        Octets inst = Octets.fromHex("01ceebae7b8927a3227e5303cf5e0f1f7b34bb542ad7250ac03fbcde36ec2f1508");
        VerificationKey k = psa.verificationKey(inst).orElseThrow();
        assertEquals(SignatureAlgorithm.ES256, k.algorithm());
        assertEquals(inst, Octets.of(k.keyId().orElseThrow().value()));
        // the key is the public part of the PSA TF-M key used by Veraison's PSA tests (x starts 30a0424c)
        assertEquals(true, ((java.security.interfaces.ECPublicKey) k.publicKey()).getW().getAffineX().toString(16)
                .startsWith("30a0424c"));
        assertEquals(Optional.empty(), psa.verificationKey(Octets.fromHex("01" + "00".repeat(32))));
        assertEquals(List.of(), psa.softwareComponents(Octets.of(new byte[32])));
        assertEquals(1, psa.softwareComponents(Octets.of("0123456789012345678901234567890".concat("1")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII))).size());
    }
}
