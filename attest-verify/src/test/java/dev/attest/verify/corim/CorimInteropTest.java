package dev.attest.verify.corim;

import static dev.attest.verify.corim.CorimVectors.CORIM;
import static dev.attest.verify.corim.CorimVectors.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every CoRIM and CoMID test case of veraison/corim, decoded by the SDK's strict decoder. */
class CorimInteropTest {

    private static List<String> cases(String sub) throws IOException {
        try (Stream<Path> s = Files.list(CorimVectors.dir(CORIM, sub))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cbor")).sorted().toList();
        }
    }

    @Test
    void everyComidTestCaseDecodes() throws Exception {
        List<String> names = cases("comid/testcases");
        assertEquals(20, names.size());
        for (String n : names) {
            Comid c = CorimVectors.unsignedDecoder().decodeComid(read(CORIM, "comid/testcases/" + n));
            assertFalse(c.tagId().toString().isEmpty(), n);
        }
    }

    @Test
    void everyUnsignedCorimTestCaseDecodes() throws Exception {
        for (String n : cases("corim/testcases")) {
            if (n.startsWith("signed")) {
                continue;
            }
            Corim c = CorimVectors.unsignedDecoder().decode(read(CORIM, "corim/testcases/" + n));
            assertTrue(c.signature().isEmpty(), n);
            assertFalse(c.comids().isEmpty(), n);
        }
        for (String n : cases("profiles/psa/testcases")) {
            CorimVectors.unsignedDecoder().decode(read(CORIM, "profiles/psa/testcases/" + n));
        }
    }

    @Test
    void everySignedCorimTestCaseVerifiesWithVeraisonsKeyWithinItsValidity() throws Exception {
        for (String n : List.of("signed-corim-with-extensions.cbor", "signed-example-corim.cbor", "signed-good-corim.cbor")) {
            Corim c = CorimVectors.signedDecoder(CorimVectors.IN_VALIDITY).decode(read(CORIM, "corim/testcases/" + n));
            Corim.Signature s = c.signature().orElseThrow();
            assertEquals("ACME Ltd signing key", s.signerName(), n);
            assertEquals(Optional.of("https://acme.example"), s.signerUri(), n);
            assertEquals(Instant.parse("2025-12-31T00:00:00Z"), s.validity().orElseThrow().notAfter(), n);
        }
    }

    @Test
    void aSignedCorimIsRefusedAfterItsValidityWithoutAKeyOrWithAnotherKey() throws Exception {
        byte[] good = read(CORIM, "corim/testcases/signed-good-corim.cbor");
        CorimException expired = assertThrows(CorimException.class,
                () -> CorimVectors.signedDecoder(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"),
                        java.time.ZoneOffset.UTC)).decode(good));
        assertEquals(CorimException.Reason.EXPIRED, expired.reason());
        assertEquals("/0/8/1", expired.path());
        CorimException early = assertThrows(CorimException.class,
                () -> CorimVectors.signedDecoder(Clock.fixed(Instant.parse("2021-01-01T00:00:00Z"),
                        java.time.ZoneOffset.UTC)).decode(good));
        assertEquals(CorimException.Reason.NOT_YET_VALID, early.reason());
        assertEquals(CorimException.Reason.BAD_SIGNATURE, assertThrows(CorimException.class,
                () -> CorimDecoder.builder().allowUnsigned().build().decode(good)).reason());
        dev.attest.evidence.SigningKey other = dev.attest.evidence.SigningKey.generate(
                dev.attest.evidence.SignatureAlgorithm.ES256, Optional.empty());
        assertEquals(CorimException.Reason.BAD_SIGNATURE, assertThrows(CorimException.class,
                () -> CorimDecoder.builder().signer(other.verificationKey().orElseThrow()).clock(CorimVectors.IN_VALIDITY).build()
                        .decode(good)).reason());
        assertEquals(CorimException.Reason.UNSIGNED, assertThrows(CorimException.class,
                () -> CorimVectors.signedDecoder(CorimVectors.IN_VALIDITY).decode(read(CORIM,
                        "corim/testcases/unsigned-good-corim.cbor"))).reason());
    }

    @Test
    void corim1ReadsAsVeraisonReadsIt() throws Exception {
        Corim c = CorimVectors.unsignedDecoder().decode(read(CORIM, "corim/testcases/corim-1.cbor"));
        assertEquals("284e6c3e-5d9f-4f6b-851f-5a4247f243a7", c.id().toString());
        Comid m = c.comids().get(0);
        assertEquals("3f06af63-a93c-11e4-9797-00505690773f", m.tagId().toString());
        assertEquals(List.of(0L), m.entities().get(0).roles());
        assertEquals(Optional.of("https://acme.example"), m.entities().get(0).registrationId());
        ReferenceValueTriple rv = m.triples().referenceValues().get(0);
        Environment.ClassMap cls = rv.environment().classMap().orElseThrow();
        assertEquals(Environment.ClassId.Kind.UUID, cls.id().orElseThrow().kind());
        assertEquals("67b28b6c34cc40a19117ab5b05911e37", cls.id().orElseThrow().value().hex());
        assertEquals(Optional.of("ACME RoadRunner"), cls.model());
        assertEquals(1, cls.layer().getAsLong());
        MeasurementValues v = rv.measurements().get(0).values();
        assertEquals("1.0.0", v.version().orElseThrow().version());
        assertEquals(16384, v.version().orElseThrow().scheme().getAsLong());
        assertEquals(new HashEntry(1, Octets.fromHex("44aa336af4cb14a879432e53dd6571c7fa9bccafb75f488259262d6ea3a4d91b")),
                v.digests().get(0));
    }

    @Test
    void extensionsAreKeptNotDropped() throws Exception {
        Corim c = CorimVectors.unsignedDecoder().decode(read(CORIM, "corim/testcases/unsigned-corim-with-extensions.cbor"));
        assertEquals(-1, c.extensions().get(0).key());
        assertEquals("63666f6f", c.extensions().get(0).value().hex()); // "foo"
        assertEquals(Optional.of(Corim.Profile.uri("http://example.com/test-profile")), c.profile());
        assertEquals(-1, c.comids().get(0).entities().get(0).extensions().get(0).key());
        assertEquals(-1, c.comids().get(0).triples().referenceValues().get(0).measurements().get(0).values()
                .extensions().get(0).key());
    }

    @Test
    void comidShapesReadAsWritten() throws Exception {
        CorimDecoder d = CorimVectors.unsignedDecoder();
        Comid flags = d.decodeComid(read(CORIM, "comid/testcases/comid-flags.cbor"));
        assertEquals(Boolean.FALSE, flags.triples().endorsedValues().get(0).measurements().get(0).values().flags().get(3L));
        assertEquals(10, flags.triples().endorsedValues().get(0).measurements().get(0).values().flags().size());
        Comid raw = d.decodeComid(read(CORIM, "comid/testcases/comid-raw-value.cbor"));
        MeasurementValues.RawValue masked = raw.triples().referenceValues().get(1).measurements().get(0).values()
                .rawValue().orElseThrow();
        assertEquals("12340000", masked.value().hex());
        assertEquals("ffff0000", masked.mask().orElseThrow().hex());
        assertTrue(masked.masked());
        Comid keys = d.decodeComid(read(CORIM, "comid/testcases/comid-5.cbor"));
        IdentityTriple id = keys.triples().identities().get(0);
        assertEquals(7, id.keys().size());
        assertEquals(CryptoKey.Kind.COSE_KEY, id.keys().get(4).kind());
        assertEquals(Optional.of(Mkey.text("thing 1")), keys.triples().identities().get(1).conditions().orElseThrow().key());
        Comid range = d.decodeComid(read(CORIM, "comid/testcases/comid-7.cbor"));
        MeasurementValues.IntRange r = range.triples().referenceValues().get(0).measurements().get(1).values()
                .intRange().orElseThrow();
        assertEquals(-1, r.min().getAsLong());
        assertEquals(1, r.max().getAsLong());
        assertTrue(range.triples().referenceValues().get(0).measurements().get(0).values().intRange().orElseThrow()
                .max().isEmpty());
        Comid series = d.decodeComid(read(CORIM, "comid/testcases/comid-series.cbor"));
        assertEquals(8, series.triples().others().get(0).key());
        Comid oid = d.decodeComid(read(CORIM, "comid/testcases/comid-3.cbor"));
        assertEquals(new Mkey(Mkey.Kind.UINT, "700", Octets.empty()),
                oid.triples().referenceValues().get(0).measurements().get(0).key().orElseThrow());
        Mkey o = oid.triples().referenceValues().get(0).measurements().get(2).key().orElseThrow();
        assertEquals("2.5.2.8193", o.text());
    }
}
