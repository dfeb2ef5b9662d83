package dev.attest.verify.corim;

import static dev.attest.verify.corim.CorimVectors.CORIM;
import static dev.attest.verify.corim.CorimVectors.SERVICES;
import static dev.attest.verify.corim.CorimVectors.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.TrustAnchors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The encoder against the decoder, and the CoRIM ends of ReferenceValues and TrustAnchors. */
class CorimCodecTest {

    @Test
    void everyVectorReadsBackEqualAfterEncoding() throws Exception {
        CorimDecoder d = CorimVectors.unsignedDecoder();
        int n = 0;
        for (String sub : List.of("corim/testcases", "profiles/psa/testcases", "comid/testcases")) {
            try (Stream<Path> s = Files.list(CorimVectors.dir(CORIM, sub))) {
                for (Path p : s.filter(f -> f.toString().endsWith(".cbor")).sorted().toList()) {
                    byte[] in = Files.readAllBytes(p);
                    if (sub.startsWith("comid")) {
                        Comid c = d.decodeComid(in);
                        byte[] out = CorimEncoder.encodeComid(c);
                        assertEquals(c, d.decodeComid(out), p.toString());
                        assertArrayEquals(out, CorimEncoder.encodeComid(d.decodeComid(out)), p.toString());
                    } else if (p.getFileName().toString().startsWith("signed")) {
                        Corim c = CorimVectors.signedDecoder(CorimVectors.IN_VALIDITY).decode(in);
                        Corim unsigned = d.decode(CorimEncoder.encode(c));
                        assertEquals(new Corim(c.id(), c.comids(), c.otherTags(), c.dependentRims(), c.profile(),
                                c.validity(), c.entities(), c.extensions(), Optional.empty()), unsigned, p.toString());
                    } else {
                        Corim c = d.decode(in);
                        assertEquals(c, d.decode(CorimEncoder.encode(c)), p.toString());
                    }
                    n++;
                }
            }
        }
        assertEquals(11 + 4 + 20, n);
    }

    @Test
    void aCorimSignedHereVerifiesAndReadsBackWithItsMeta() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES384, Optional.of(KeyId.of("supplier-1")));
        Corim c = CorimVectors.unsignedDecoder().decode(read(SERVICES, "scheme/psa-iot/test/corim/corim-psa-valid.cbor"));
        Corim.Validity v = new Corim.Validity(Optional.of(Instant.parse("2024-01-01T00:00:00Z")),
                Instant.parse("2025-01-01T00:00:00Z"));
        byte[] signed = CorimEncoder.sign(c, key, "ACME supplier", Optional.of("https://acme.example"), Optional.of(v));
        Corim back = CorimDecoder.builder().signer(key.verificationKey().orElseThrow()).clock(CorimVectors.IN_VALIDITY)
                .build().decode(signed);
        assertEquals(c.comids(), back.comids());
        Corim.Signature s = back.signature().orElseThrow();
        assertEquals(new Corim.Signature(SignatureAlgorithm.ES384, Optional.of(Octets.of("supplier-1".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII))), "ACME supplier", Optional.of("https://acme.example"),
                Optional.of(v)), s);
        // an ES256 key is not asked to verify an ES384 signature
        SigningKey es256 = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        assertEquals(CorimException.Reason.ALG_NOT_ALLOWED, assertThrows(CorimException.class,
                () -> CorimDecoder.builder().signer(es256.verificationKey().orElseThrow()).clock(CorimVectors.IN_VALIDITY)
                        .build().decode(signed)).reason());
    }

    @Test
    void sdkReferenceValuesRoundTripThroughACorim() throws Exception {
        ReferenceValues rv = ReferenceValues.builder()
                .allow("kernel", List.of(DigestAlgorithm.SHA_256.hash(new byte[] {1}), DigestAlgorithm.SHA_384.hash(new byte[] {2})))
                .require("kernel")
                .versions("kernel", Optional.of("6.1"), Optional.of("6.8.0-rc1"))
                .allow("agent", List.of(DigestAlgorithm.SHA3_256.hash(new byte[] {3})))
                .versions("openssl", Optional.empty(), Optional.of("3.0.99"))
                .forbid("debugger")
                .put(new ReferenceValues.Component("bare", java.util.Set.of(), Optional.empty(), Optional.empty(), false, false))
                .build();
        Corim c = CorimEndorsements.toCorim(rv);
        byte[] bytes = CorimEncoder.encode(c);
        ReferenceValues back = CorimEndorsements.referenceValues(List.of(CorimVectors.unsignedDecoder().decode(bytes)));
        assertEquals(rv.toJson(), back.toJson());
        assertEquals(rv.components(), back.components());
        assertArrayEquals(bytes, CorimEncoder.encode(CorimEndorsements.toCorim(back)));
    }

    @Test
    void referenceValuesOfAnotherProfileUseNamesDigestsAndVersionsAndRefuseTheRest() throws Exception {
        CorimDecoder d = CorimVectors.unsignedDecoder();
        Corim good = d.decode(read(CORIM, "profiles/psa/testcases/psa-valid.cbor"));
        CorimException psa = assertThrows(CorimException.class, () -> CorimEndorsements.referenceValues(List.of(good)));
        assertEquals(CorimException.Reason.UNSUPPORTED, psa.reason()); // the signer id has no SDK equivalent
        assertEquals("corim 0: /1/0/4/0/0/1/0/1", psa.path());
        Corim noName = d.decode(read(CORIM, "corim/testcases/corim-1.cbor"));
        CorimException e = assertThrows(CorimException.class, () -> CorimEndorsements.referenceValues(List.of(noName)));
        assertEquals(CorimException.Reason.UNSUPPORTED, e.reason());
        assertEquals("corim 0: /1/0/4/0/0/1/0/0", e.path());
        Comid c3 = d.decodeComid(read(CORIM, "comid/testcases/comid-1a.cbor"));
        MeasurementMap v1 = c3.triples().referenceValues().get(0).measurements().get(0);
        MeasurementMap named = new MeasurementMap(Optional.of(Mkey.text("roadrunner")), v1.values(), List.of());
        Corim one = Corim.of(Identifier.text("x"), List.of(new Comid(Optional.empty(), c3.tagId(), c3.tagVersion(),
                List.of(), List.of(), Triples.of(List.of(new ReferenceValueTriple(
                        c3.triples().referenceValues().get(0).environment(), List.of(named)))), List.of())), Optional.empty());
        ReferenceValues rv = CorimEndorsements.referenceValues(List.of(one));
        ReferenceValues.Component k = rv.component("roadrunner").orElseThrow();
        assertEquals(java.util.Set.of(Digest.ofHex(DigestAlgorithm.SHA_256,
                "44aa336af4cb14a879432e53dd6571c7fa9bccafb75f488259262d6ea3a4d91b")), k.digests());
        assertEquals(Optional.of("1.0.0"), k.minVersion());
        assertEquals(Optional.of("1.0.0"), k.maxVersion());
    }

    @Test
    void trustAnchorsPinEachInstancesKey() throws Exception {
        Corim c = CorimVectors.unsignedDecoder().decode(read(SERVICES, "scheme/psa-iot/test/corim/corim-psa-valid.cbor"));
        TrustAnchors ta = CorimEndorsements.trustAnchors(List.of(c));
        assertEquals("TrustAnchors[pinned 2 devices]", ta.toString());
        Corim noInstance = CorimVectors.unsignedDecoder().decode(read(SERVICES,
                "scheme/psa-iot/test/corim/corim-psa-bad-ta-no-instance.cbor"));
        CorimException e = assertThrows(CorimException.class, () -> CorimEndorsements.trustAnchors(List.of(noInstance)));
        assertEquals(CorimException.Reason.UNSUPPORTED, e.reason());
        CorimException twice = assertThrows(CorimException.class, () -> CorimEndorsements.trustAnchors(List.of(c, c)));
        assertEquals(CorimException.Reason.BAD_VALUE, twice.reason());
        Comid keys = CorimVectors.unsignedDecoder().decodeComid(read(CORIM, "comid/testcases/comid-4.cbor"));
        assertEquals(CorimException.Reason.UNSUPPORTED, assertThrows(CorimException.class,
                () -> CorimKeys.verificationKey(keys.triples().referenceValues().get(0).measurements().get(0).values()
                        .cryptoKeys().get(0), "/")).reason()); // "base64_key_ACME_MAX" is no key
    }
}
