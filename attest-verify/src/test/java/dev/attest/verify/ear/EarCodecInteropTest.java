package dev.attest.verify.ear;

import dev.attest.testkit.Vectors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Veraison's EAR claim sets (github.com/veraison/ear arc/data): every -ok parses, every -ko is rejected. */
class EarCodecInteropTest {

    private static Ear parse(String file) throws IOException, EarException {
        return EarCodec.parse(Files.readAllBytes(Vectors.file("ear", file)));
    }

    @Test
    void everyVectorIsCoveredByANamedTest() throws IOException {
        try (Stream<Path> s = Files.list(Vectors.dir("ear"))) {
            List<String> claims = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("ear-claims") && n.endsWith(".json")).sorted().collect(Collectors.toList());
            assertEquals(List.of("ear-claims-extension-ok.json", "ear-claims-key-attestation-ko.json",
                    "ear-claims-key-attestation-ok.json", "ear-claims-tv-ok.json", "ear-claims.json"), claims);
        }
    }

    @Test
    void earClaimsParses() throws Exception {
        Ear ear = parse("ear-claims.json");
        assertEquals(Instant.ofEpochSecond(1666091373), ear.issuedAt());
        assertEquals(new VerifierId("Acme Inc.", "rrtrap-v1.0.0"), ear.verifierId());
        assertEquals(List.of("test"), List.copyOf(ear.submods().keySet()));
        EarAppraisal a = ear.submods().get("test");
        assertEquals(TrustTier.AFFIRMING, a.status());
        assertEquals(Optional.of("https://veraison.example/policy/1/60a0068d"), a.policyId());
        assertEquals(Optional.empty(), a.trustVector());
        assertEquals(Map.of(), ear.extensions());
        assertEquals(Optional.empty(), ear.nonce());
    }

    @Test
    void trustVectorParses() throws Exception {
        Ear ear = parse("ear-claims-tv-ok.json");
        assertArrayEquals(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}, ear.rawEvidenceBytes().orElseThrow());
        TrustVector tv = ear.submods().get("test").trustVector().orElseThrow();
        assertEquals(8, tv.values().size());
        for (TrustClaim c : TrustClaim.values()) {
            assertEquals(c == TrustClaim.EXECUTABLES ? TrustClaim.APPROVED_BOOT : 2, tv.value(c), c.jsonName());
            assertEquals(TrustTier.AFFIRMING, tv.tier(c));
        }
        assertEquals(TrustTier.AFFIRMING, tv.worstTier());
    }

    @Test
    void extensionsAreKept() throws Exception {
        Ear ear = parse("ear-claims-extension-ok.json");
        assertEquals(Map.of("ear.veraison.annotated-evidence", new EarJson("{\"k1\":\"v1\",\"k2\":\"v2\"}"),
                "ear.veraison.policy-claims", new EarJson("{\"bar\":\"baz\",\"foo\":\"bar\"}")), ear.extensions());
        assertEquals(Optional.of("policy://test/01234"), ear.submods().get("test").policyId());
    }

    @Test
    void keyAttestationParses() throws Exception {
        Ear ear = parse("ear-claims-key-attestation-ok.json");
        EarAppraisal a = ear.submods().get("PARSEC_TPM");
        assertEquals(TrustTier.AFFIRMING, a.status());
        assertEquals(Map.of(TrustClaim.INSTANCE_IDENTITY, 2, TrustClaim.EXECUTABLES, 2, TrustClaim.HARDWARE, 2),
                a.trustVector().orElseThrow().values());
        KeyAttestation ka = a.keyAttestation().orElseThrow();
        assertEquals("EC", ka.publicKey().getAlgorithm());
        assertEquals(91, ka.spki().length); // P-256 SubjectPublicKeyInfo
    }

    @Test
    void keyAttestationWithoutAkpubIsRejected() throws IOException {
        byte[] ko = Files.readAllBytes(Vectors.file("ear", "ear-claims-key-attestation-ko.json"));
        EarException e = assertThrows(EarException.class, () -> EarCodec.parse(ko));
        assertEquals(EarException.Reason.MISSING_CLAIM, e.reason());
        assertEquals("submods.PARSEC_TPM.ear.veraison.key-attestation.akpub", e.path());
    }

    @Test
    void okVectorsRoundTrip() throws Exception {
        for (String f : List.of("ear-claims.json", "ear-claims-tv-ok.json", "ear-claims-extension-ok.json",
                "ear-claims-key-attestation-ok.json")) {
            Ear ear = parse(f);
            byte[] json = EarCodec.toJson(ear);
            assertEquals(ear, EarCodec.parse(json), f);
            assertArrayEquals(json, EarCodec.toJson(EarCodec.parse(json)), f);
            assertTrue(new String(json, java.nio.charset.StandardCharsets.UTF_8)
                    .startsWith("{\"eat_profile\":\"tag:github.com,2023:veraison/ear\",\"iat\":"), f);
        }
    }
}
