package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.corim.AttestKeyTriple;
import dev.attest.verify.corim.Comid;
import dev.attest.verify.corim.Corim;
import dev.attest.verify.corim.CorimDecoder;
import dev.attest.verify.corim.CorimEncoder;
import dev.attest.verify.corim.CorimEndorsements;
import dev.attest.verify.corim.CryptoKey;
import dev.attest.verify.corim.Environment;
import dev.attest.verify.corim.Identifier;
import dev.attest.verify.corim.Octets;
import dev.attest.verify.corim.Triples;
import dev.attest.verify.ear.TrustTier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The verifier with reference values and keys that came as signed CoRIMs: a supplier captures a
 * golden device's reference values into a CoRIM and pins the device key in another; the verifier
 * affirms the device, and a CoRIM that allows another firmware digest makes it contraindicated,
 * with the finding naming the firmware.
 */
class CorimAppraisalTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC);
    private final SigningKey supplier = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("supplier")));
    private final CorimDecoder decoder = CorimDecoder.builder().signer(supplier.verificationKey().orElseThrow())
            .clock(CLOCK).build();

    private byte[] signed(Corim c) throws Exception {
        return CorimEncoder.sign(c, supplier, "ACME supplier", Optional.empty(), Optional.of(new Corim.Validity(
                Optional.of(Instant.parse("2026-01-01T00:00:00Z")), Instant.parse("2027-01-01T00:00:00Z"))));
    }

    private byte[] keyCorim(TestDevice device) throws Exception {
        Environment env = new Environment(Optional.empty(), Optional.of(new Environment.InstanceId(
                Environment.InstanceId.Kind.BYTES, Octets.of(device.id.getBytes(StandardCharsets.UTF_8)), Optional.empty())),
                Optional.empty());
        CryptoKey key = CryptoKey.text(CryptoKey.Kind.PKIX_BASE64_KEY, Pem.publicKey(device.publicKey().publicKey()));
        Comid comid = new Comid(Optional.empty(), Identifier.text("keys"), OptionalLong.empty(), List.of(), List.of(),
                new Triples(List.of(), List.of(), List.of(), List.of(new AttestKeyTriple(env, List.of(key), Optional.empty())),
                        List.of()), List.of());
        return signed(Corim.of(Identifier.text("acme keys"), List.of(comid), Optional.empty()));
    }

    private Verifier verifier(byte[] refsCorim, byte[] keysCorim) throws Exception {
        return Verifier.builder()
                .trustAnchors(CorimEndorsements.trustAnchors(List.of(decoder.decode(keysCorim))))
                .referenceValues(CorimEndorsements.referenceValues(List.of(decoder.decode(refsCorim))))
                .clock(CLOCK).build();
    }

    @Test
    void referenceValuesAndKeysFromSignedCorimsAppraiseTheDevice() throws Exception {
        TestDevice golden = new TestDevice("dev-1");
        ReferenceValues captured = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(golden.publicKey()))
                .build().decode(golden.evidence()).claims());
        byte[] refs = signed(CorimEndorsements.toCorim(captured));

        TestDevice device = new TestDevice("dev-1");
        AttestationResult ok = verifier(refs, keyCorim(device)).appraise(device.evidence(), AppraisalContext.periodic());
        assertEquals(TrustTier.AFFIRMING, ok.status(), ok.findings().toString());
        assertEquals("6465762d31", ok.device().orElseThrow()); // the instance id "dev-1" in hex

        // the supplier's CoRIM now allows another firmware only
        ReferenceValues.Component fw = captured.component("/boot/firmware.bin").orElseThrow();
        ReferenceValues other = ReferenceValues.builder().put(new ReferenceValues.Component(fw.name(),
                java.util.Set.of(DigestAlgorithm.SHA_256.hash("firmware v2".getBytes(StandardCharsets.UTF_8))),
                fw.minVersion(), fw.maxVersion(), fw.required(), fw.forbidden()))
                .put(captured.component("/usr/bin/agent").orElseThrow()).build();
        TestDevice again = new TestDevice("dev-1");
        AttestationResult bad = verifier(signed(CorimEndorsements.toCorim(other)), keyCorim(again))
                .appraise(again.evidence(), AppraisalContext.periodic());
        assertEquals(TrustTier.CONTRAINDICATED, bad.status());
        assertEquals(1, bad.findings(Checks.REFERENCE_DIGEST).size(), bad.findings().toString());
        Finding f = bad.findings(Checks.REFERENCE_DIGEST).get(0);
        assertEquals("/boot/firmware.bin", f.path());
        Digest v1 = DigestAlgorithm.SHA_256.hash("firmware v1".getBytes(StandardCharsets.UTF_8));
        Digest v2 = DigestAlgorithm.SHA_256.hash("firmware v2".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(v2.toString()).toString(), f.expected());
        assertEquals(v1.toString(), f.actual());
    }

    @Test
    void aDeviceWhoseKeyNoCorimPinsIsNotIdentified() throws Exception {
        TestDevice golden = new TestDevice("dev-1");
        ReferenceValues captured = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(golden.publicKey()))
                .build().decode(golden.evidence()).claims());
        TestDevice stranger = new TestDevice("dev-1"); // same kid, another key
        AttestationResult r = verifier(signed(CorimEndorsements.toCorim(captured)), keyCorim(golden))
                .appraise(stranger.evidence(), AppraisalContext.periodic());
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
    }
}
