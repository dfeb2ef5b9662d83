package dev.attest.verify.psa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Checks;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.corim.AttestKeyTriple;
import dev.attest.verify.corim.Comid;
import dev.attest.verify.corim.Corim;
import dev.attest.verify.corim.CorimDecoder;
import dev.attest.verify.corim.CorimEncoder;
import dev.attest.verify.corim.CryptoKey;
import dev.attest.verify.corim.Environment;
import dev.attest.verify.corim.HashEntry;
import dev.attest.verify.corim.Identifier;
import dev.attest.verify.corim.MeasurementMap;
import dev.attest.verify.corim.MeasurementValues;
import dev.attest.verify.corim.Mkey;
import dev.attest.verify.corim.Octets;
import dev.attest.verify.corim.PsaCorimProfile;
import dev.attest.verify.corim.ReferenceValueTriple;
import dev.attest.verify.corim.Triples;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Trusted Firmware-M's signed PSA token against a CoRIM of the PSA endorsement profile that
 * carries its key (TF-M's {@code public.pem}, attest-key triple of its instance and
 * implementation) and its reference values (its SPE and NSPE components): affirming; with one
 * reference digest changed in the CoRIM, contraindicated with a finding naming the component.
 * The CoRIM is written with {@link CorimEncoder} and read back with {@link CorimDecoder}, as a
 * supplier would ship it and a verifier would accept it. attest-cli's tests take the token and
 * the CoRIM from here (attest-verify's test-jar) for {@code attest verify --corim}.
 */
public class PsaTfmCorimTest {
    /** JUnit's. */
    public PsaTfmCorimTest() {
    }

    /** TF-M's signed profile-2 token ({@code psa-2_0_0_sign1.bin}). */
    public static byte[] token() throws Exception {
        return PsaTestKit.read(PsaInteropTest.ORIGIN, "testvectors/tf-m/psa-2_0_0_sign1.bin");
    }

    /** The CoRIM of the TF-M device; {@code change} >= 0 alters that component's digest. */
    public static byte[] corim(int change) throws Exception {
        PsaClaims c = PsaTestKit.unverified(token());
        Environment.ClassMap cls = Environment.ClassMap.of(new Environment.ClassId(Environment.ClassId.Kind.BYTES,
                Octets.of(c.implementationId())));
        String pem = Files.readString(PsaTestKit.file(PsaInteropTest.ORIGIN, "testvectors/tf-m/public.pem")).trim();
        AttestKeyTriple key = new AttestKeyTriple(new Environment(Optional.of(cls),
                Optional.of(Environment.InstanceId.ueid(Octets.of(c.instanceId()))), Optional.empty()),
                List.of(CryptoKey.text(CryptoKey.Kind.PKIX_BASE64_KEY, pem)), Optional.empty());
        List<MeasurementMap> ms = new ArrayList<>();
        for (int i = 0; i < c.softwareComponents().size(); i++) {
            PsaSoftwareComponent s = c.softwareComponents().get(i);
            byte[] digest = s.measurement();
            if (i == change) {
                digest[digest.length - 1] ^= 1;
            }
            ms.add(new MeasurementMap(Optional.of(Mkey.text(PsaCorimProfile.SOFTWARE_COMPONENT)),
                    MeasurementValues.of(s.type(), List.of(new HashEntry(HashEntry.SHA_256, Octets.of(digest))),
                            s.version().map(v -> new MeasurementValues.Version(v, OptionalLong.empty())),
                            List.of(CryptoKey.bytes(CryptoKey.Kind.BYTES, Octets.of(s.signerId().orElseThrow())))),
                    List.of()));
        }
        ReferenceValueTriple refs = new ReferenceValueTriple(new Environment(Optional.of(cls), Optional.empty(),
                Optional.empty()), ms);
        Comid comid = new Comid(Optional.empty(), Identifier.text("tf-m-an521"), OptionalLong.empty(), List.of(),
                List.of(), new Triples(List.of(refs), List.of(), List.of(), List.of(key), List.of()), List.of());
        return CorimEncoder.encode(Corim.of(Identifier.text("tf-m-endorsements"), List.of(comid),
                Optional.of(Corim.Profile.uri(PsaCorimProfile.PROFILE))));
    }

    static Verifier verifier(byte[] corim) throws Exception {
        Corim read = CorimDecoder.builder().allowUnsigned().build().decode(corim);
        return Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of()))
                .scheme(PsaScheme.of(PsaEndorsements.fromCorims(List.of(read)))).build();
    }

    @Test
    void theTfmTokenIsAffirmingAgainstACorimWithItsKeyAndReferenceValues() throws Exception {
        AttestationResult r = verifier(corim(-1)).appraise(token(), AppraisalContext.challenge(PsaInteropTest.TFM_NONCE));
        assertEquals(TrustTier.AFFIRMING, r.status(), r.findings().toString());
        assertEquals(List.of(), r.findings());
        assertEquals(TrustClaim.APPROVED_RUNTIME, r.trustVector().value(TrustClaim.EXECUTABLES));
    }

    @Test
    void aChangedReferenceValueInTheCorimIsContraindicatedNamingTheComponent() throws Exception {
        AttestationResult r = verifier(corim(1)).appraise(token(), AppraisalContext.challenge(PsaInteropTest.TFM_NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals("NSPE", r.findings(Checks.REFERENCE_DIGEST).get(0).path());
        assertEquals("087d13c68f32aaafb8c4fc0a2253445432009765e216fb85c398c9580522c1bf",
                r.findings(Checks.REFERENCE_DIGEST).get(0).actual());
        assertEquals("NSPE", r.findings(Checks.REFERENCE_MISSING).get(0).path());
        assertEquals(HexFormat.of().formatHex(PsaTestKit.unverified(token()).instanceId()), r.device().orElseThrow());
    }
}
