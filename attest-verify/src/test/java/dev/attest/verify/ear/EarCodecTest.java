package dev.attest.verify.ear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.verify.ear.EarException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EarCodecTest {
    /** A minimal valid EAR; tests replace one piece of it with {@link #with}. */
    private static final String BASE = "{\"eat_profile\":\"tag:github.com,2023:veraison/ear\",\"iat\":1666091373,"
            + "\"ear.verifier-id\":{\"developer\":\"Acme Inc.\",\"build\":\"rrtrap-v1.0.0\"},"
            + "\"submods\":{\"test\":{\"ear.status\":\"affirming\"}}}";

    private static String with(String from, String to) {
        String s = BASE.replace(from, to);
        if (s.equals(BASE)) {
            throw new AssertionError("test bug: " + from + " not in BASE");
        }
        return s;
    }

    private static EarException reject(String json) {
        return assertThrows(EarException.class, () -> EarCodec.parse(json));
    }

    private static void assertRejected(Reason reason, String path, String json) {
        EarException e = reject(json);
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(path, e.path(), e.getMessage());
    }

    @Test
    void baseParses() throws Exception {
        Ear ear = EarCodec.parse(BASE);
        assertEquals(Instant.ofEpochSecond(1666091373), ear.issuedAt());
        assertEquals(TrustTier.AFFIRMING, ear.submods().get("test").status());
    }

    @Test
    void serializationIsDeterministicWithAFixedMemberOrder() throws Exception {
        Ear ear = Ear.builder(new VerifierId("dev", "b1"), Instant.ofEpochSecond(1700000000, 999_000_000))
                .submod("z", EarAppraisal.of(TrustTier.CONTRAINDICATED,
                        TrustVector.EMPTY.with(TrustClaim.SOURCED_DATA, -5).with(TrustClaim.INSTANCE_IDENTITY, 97), "p"))
                .submod("a", EarAppraisal.builder(TrustTier.NONE)
                        .annotatedEvidence(new EarJson("{ \"b\" : [1, 2.50, true, null], \"a\" : \"\\u00e9\" }"))
                        .extension("x.y", EarJson.ofString("v")).build())
                .expiry(Instant.ofEpochSecond(1700000600))
                .nonce("ABCDEFGHIJ")
                .rawEvidence(new byte[] {(byte) 0xde, (byte) 0xad})
                .extension("b", new EarJson("1"))
                .extension("a", new EarJson("{}"))
                .build();
        String expected = "{\"eat_profile\":\"tag:github.com,2023:veraison/ear\",\"iat\":1700000000,\"exp\":1700000600,"
                + "\"ear.verifier-id\":{\"developer\":\"dev\",\"build\":\"b1\"},\"eat_nonce\":\"ABCDEFGHIJ\","
                + "\"ear.raw-evidence\":\"3q0\",\"submods\":{"
                + "\"a\":{\"ear.status\":\"none\",\"ear.veraison.annotated-evidence\":{\"a\":\"\u00e9\",\"b\":[1,2.50,true,null]},\"x.y\":\"v\"},"
                + "\"z\":{\"ear.status\":\"contraindicated\",\"ear.trustworthiness-vector\":{\"instance-identity\":97,\"sourced-data\":-5},"
                + "\"ear.appraisal-policy-id\":\"p\"}},\"a\":{},\"b\":1}";
        assertEquals(expected, EarCodec.toJsonString(ear));
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), EarCodec.toJson(ear));
        assertEquals(ear, EarCodec.parse(expected));
    }

    @Test
    void sizeAndDepthAreBounded() {
        String big = with("\"submods\"", "\"pad\":\"" + "x".repeat(EarCodec.MAX_BYTES) + "\",\"submods\"");
        assertRejected(Reason.TOO_LARGE, "", big);
        assertEquals(Reason.TOO_LARGE, assertThrows(EarException.class,
                () -> EarCodec.parse(big.getBytes(StandardCharsets.UTF_8))).reason());
        String deep = "[".repeat(40) + "]".repeat(40);
        assertRejected(Reason.TOO_DEEP, "ext" + "[0]".repeat(31), with("\"submods\"", "\"ext\":" + deep + ",\"submods\""));
        String ok = "[".repeat(31) + "]".repeat(31);
        assertEquals(1, assertDoesParse(with("\"submods\"", "\"ext\":" + ok + ",\"submods\"")).extensions().size());
    }

    private static Ear assertDoesParse(String json) {
        try {
            return EarCodec.parse(json);
        } catch (EarException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void malformedJsonIsRejected() {
        assertRejected(Reason.MALFORMED_JSON, "", "");
        assertRejected(Reason.MALFORMED_JSON, "", BASE + " {}");
        assertRejected(Reason.MALFORMED_JSON, "", BASE + "x");
        assertRejected(Reason.MALFORMED_JSON, "", "\uFEFF" + BASE);
        assertRejected(Reason.MALFORMED_JSON, "", BASE.substring(0, BASE.length() - 3));
        assertRejected(Reason.MALFORMED_JSON, "", with("1666091373", "1666091373,"));
        assertRejected(Reason.MALFORMED_JSON, "", with("{\"eat_profile\"", "{'eat_profile'"));
        assertRejected(Reason.MALFORMED_JSON, "", with("1666091373", "NaN"));
        assertRejected(Reason.MALFORMED_JSON, "", with("1666091373", "1666091373 /* c */"));
        // A lone surrogate escape is valid JSON syntax but not Unicode text.
        assertRejected(Reason.MALFORMED_JSON, "ear.verifier-id.developer", with("Acme Inc.", "\\ud800"));
        byte[] invalid = BASE.replace("Acme", "Acmx").getBytes(StandardCharsets.UTF_8);
        invalid[BASE.indexOf("Acme") + 3] = (byte) 0xFF;
        assertEquals(Reason.MALFORMED_JSON, assertThrows(EarException.class, () -> EarCodec.parse(invalid)).reason());
        byte[] utf16 = BASE.getBytes(StandardCharsets.UTF_16LE);
        assertEquals(Reason.MALFORMED_JSON, assertThrows(EarException.class, () -> EarCodec.parse(utf16)).reason());
    }

    @Test
    void duplicateMembersAreRejectedAtEveryLevel() {
        assertRejected(Reason.DUPLICATE_MEMBER, "iat", with("\"iat\":1666091373", "\"iat\":1666091373,\"iat\":1666091373"));
        assertRejected(Reason.DUPLICATE_MEMBER, "submods.test.ear.status",
                with("{\"ear.status\":\"affirming\"}", "{\"ear.status\":\"affirming\",\"ear.status\":\"contraindicated\"}"));
        assertRejected(Reason.DUPLICATE_MEMBER, "x.a", with("\"submods\"", "\"x\":{\"a\":1,\"a\":1},\"submods\""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"eat_profile\":\"tag:github.com,2023:veraison/ear\",|   | eat_profile",
        "\"iat\":1666091373,|                                     | iat",
        "\"developer\":\"Acme Inc.\",|                             | ear.verifier-id.developer",
        ",\"build\":\"rrtrap-v1.0.0\"|                             | ear.verifier-id.build",
        "\"ear.status\":\"affirming\"|                             | submods.test.ear.status",
    })
    void missingMandatoryClaims(String remove, String replacement, String path) {
        assertRejected(Reason.MISSING_CLAIM, path, with(remove, replacement == null ? "" : replacement));
    }

    @Test
    void missingOrEmptySubmods() {
        String noSubmods = BASE.substring(0, BASE.indexOf(",\"submods\"")) + "}";
        assertRejected(Reason.MISSING_CLAIM, "submods", noSubmods);
        assertRejected(Reason.MISSING_CLAIM, "submods", with("{\"test\":{\"ear.status\":\"affirming\"}}", "{}"));
        assertRejected(Reason.MISSING_CLAIM, "ear.verifier-id",
                with("\"ear.verifier-id\":{\"developer\":\"Acme Inc.\",\"build\":\"rrtrap-v1.0.0\"},", ""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1666091373                          | \"1666091373\"     | iat",
        "1666091373                          | 1666091373.0       | iat",
        "1666091373                          | 1.666091373e9      | iat",
        "\"tag:github.com,2023:veraison/ear\" | 1                  | eat_profile",
        "\"Acme Inc.\"                        | [\"Acme Inc.\"]    | ear.verifier-id.developer",
        "\"affirming\"                        | 2                  | submods.test.ear.status",
        "{\"test\":{\"ear.status\":\"affirming\"}} | []           | submods",
        "{\"ear.status\":\"affirming\"}       | \"affirming\"      | submods.test",
    })
    void wrongTypes(String from, String to, String path) {
        assertRejected(Reason.WRONG_TYPE, path, with(from, to));
    }

    @Test
    void wrongTypesInOptionalClaims() {
        String tv = "{\"ear.status\":\"affirming\",\"ear.trustworthiness-vector\":%s}";
        assertRejected(Reason.WRONG_TYPE, "submods.test.ear.trustworthiness-vector",
                with("{\"ear.status\":\"affirming\"}", String.format(tv, "[2]")));
        assertRejected(Reason.WRONG_TYPE, "submods.test.ear.trustworthiness-vector.hardware",
                with("{\"ear.status\":\"affirming\"}", String.format(tv, "{\"hardware\":\"2\"}")));
        assertRejected(Reason.WRONG_TYPE, "submods.test.ear.trustworthiness-vector.hardware",
                with("{\"ear.status\":\"affirming\"}", String.format(tv, "{\"hardware\":2.0}")));
        assertRejected(Reason.WRONG_TYPE, "eat_nonce", with("\"submods\"", "\"eat_nonce\":12345678901,\"submods\""));
        assertRejected(Reason.WRONG_TYPE, "submods.test.ear.veraison.policy-claims",
                with("\"affirming\"", "\"affirming\",\"ear.veraison.policy-claims\":[]"));
        assertRejected(Reason.WRONG_TYPE, "submods.test.ear.veraison.key-attestation.akpub",
                with("\"affirming\"", "\"affirming\",\"ear.veraison.key-attestation\":{\"akpub\":1}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1666091373                | -1                        | iat",
        "1666091373                | 253402300800              | iat",
        "1666091373                | 99999999999999999999999   | iat",
        "\"Acme Inc.\"             | \"\"                      | ear.verifier-id.developer",
        "\"rrtrap-v1.0.0\"}        | \"b\",\"extra\":\"x\"}    | ear.verifier-id.extra",
        "{\"test\"                 | {\"\"                     | submods.",
    })
    void invalidValues(String from, String to, String path) {
        assertRejected(Reason.INVALID_VALUE, path, with(from, to));
    }

    @Test
    void invalidOptionalValues() {
        assertRejected(Reason.INVALID_VALUE, "eat_nonce", with("\"submods\"", "\"eat_nonce\":\"short\",\"submods\""));
        assertRejected(Reason.INVALID_VALUE, "eat_nonce", with("\"submods\"", "\"eat_nonce\":\"" + "n".repeat(89) + "\",\"submods\""));
        assertRejected(Reason.INVALID_VALUE, "ear.raw-evidence", with("\"submods\"", "\"ear.raw-evidence\":\"3q2+7w\",\"submods\""));
        assertRejected(Reason.INVALID_VALUE, "ear.raw-evidence", with("\"submods\"", "\"ear.raw-evidence\":\"3q2-7w==\",\"submods\""));
        assertRejected(Reason.INVALID_VALUE, "ear.raw-evidence", with("\"submods\"", "\"ear.raw-evidence\":\"3q2-7x\",\"submods\""));
        assertRejected(Reason.INVALID_VALUE, "exp", with("\"submods\"", "\"exp\":1666091373,\"submods\""));
        assertRejected(Reason.INVALID_VALUE, "submods.test.ear.appraisal-policy-id",
                with("\"affirming\"", "\"affirming\",\"ear.appraisal-policy-id\":\"\""));
        assertRejected(Reason.INVALID_VALUE, "submods.test.ear.veraison.key-attestation.akpub",
                with("\"affirming\"", "\"affirming\",\"ear.veraison.key-attestation\":{\"akpub\":\"MAA\"}"));
        assertRejected(Reason.INVALID_VALUE, "submods.test.ear.veraison.key-attestation.other",
                with("\"affirming\"", "\"affirming\",\"ear.veraison.key-attestation\":{\"akpub\":\"MAA\",\"other\":1}"));
        assertRejected(Reason.INVALID_VALUE, "", with("\"submods\"", "\"\":1,\"submods\""));
    }

    @Test
    void profileStatusAndVectorVocabulary() {
        assertRejected(Reason.UNSUPPORTED_PROFILE, "eat_profile", with("2023:veraison", "2022:veraison"));
        assertRejected(Reason.UNKNOWN_STATUS, "submods.test.ear.status", with("\"affirming\"", "\"Affirming\""));
        assertRejected(Reason.UNKNOWN_STATUS, "submods.test.ear.status", with("\"affirming\"", "\"verified\""));
        String tv = "{\"ear.status\":\"affirming\",\"ear.trustworthiness-vector\":{%s}}";
        assertRejected(Reason.UNKNOWN_TRUST_CLAIM, "submods.test.ear.trustworthiness-vector.firmware",
                with("{\"ear.status\":\"affirming\"}", String.format(tv, "\"firmware\":2")));
        assertRejected(Reason.TRUST_VALUE_OUT_OF_RANGE, "submods.test.ear.trustworthiness-vector.hardware",
                with("{\"ear.status\":\"affirming\"}", String.format(tv, "\"hardware\":128")));
        assertRejected(Reason.TRUST_VALUE_OUT_OF_RANGE, "submods.test.ear.trustworthiness-vector.hardware",
                with("{\"ear.status\":\"affirming\"}", String.format(tv, "\"hardware\":-129")));
    }

    @Test
    void claimsInTheWrongPlaceAreRejected() {
        assertRejected(Reason.MISPLACED_CLAIM, "ear.status", with("\"submods\"", "\"ear.status\":\"affirming\",\"submods\""));
        assertRejected(Reason.MISPLACED_CLAIM, "ear.trustworthiness-vector",
                with("\"submods\"", "\"ear.trustworthiness-vector\":{},\"submods\""));
        assertRejected(Reason.MISPLACED_CLAIM, "submods.test.iat", with("\"affirming\"", "\"affirming\",\"iat\":1"));
        assertRejected(Reason.MISPLACED_CLAIM, "submods.test.submods", with("\"affirming\"", "\"affirming\",\"submods\":{}"));
    }

    @Test
    void trustVectorValuesKeepRangeAndExplicitZero() throws Exception {
        Ear ear = EarCodec.parse(with("{\"ear.status\":\"affirming\"}",
                "{\"ear.status\":\"warning\",\"ear.trustworthiness-vector\":{\"hardware\":-128,\"executables\":127,\"configuration\":0}}"));
        TrustVector tv = ear.submods().get("test").trustVector().orElseThrow();
        assertEquals(Map.of(TrustClaim.HARDWARE, -128, TrustClaim.EXECUTABLES, 127, TrustClaim.CONFIGURATION, 0), tv.values());
        assertEquals(TrustTier.CONTRAINDICATED, tv.tier(TrustClaim.HARDWARE));
        assertEquals(TrustTier.NONE, tv.tier(TrustClaim.STORAGE_OPAQUE));
        assertEquals(TrustTier.CONTRAINDICATED, tv.worstTier());
        assertEquals(ear, EarCodec.parse(EarCodec.toJson(ear)));
        assertEquals(Optional.empty(), EarCodec.parse(BASE).submods().get("test").trustVector());
    }

    @Test
    void unknownClaimsAreKeptAsCanonicalJson() throws Exception {
        Ear ear = EarCodec.parse(with("\"affirming\"", "\"affirming\",\"acme.x\":{ \"z\":1, \"a\":[ 1e3 ] }"));
        assertEquals(Map.of("acme.x", new EarJson("{\"a\":[1e3],\"z\":1}")), ear.submods().get("test").extensions());
        assertEquals("{\"a\":[1e3],\"z\":1}", ear.submods().get("test").extensions().get("acme.x").text());
    }

    @ParameterizedTest
    @CsvSource({"-129,", "-128,CONTRAINDICATED", "-97,CONTRAINDICATED", "-96,WARNING", "-33,WARNING", "-32,AFFIRMING",
        "-2,AFFIRMING", "-1,NONE", "0,NONE", "1,NONE", "2,AFFIRMING", "31,AFFIRMING", "32,WARNING", "95,WARNING",
        "96,CONTRAINDICATED", "127,CONTRAINDICATED", "128,"})
    void tiersFollowAr4siRanges(int value, TrustTier tier) {
        if (tier == null) {
            assertThrows(IllegalArgumentException.class, () -> TrustTier.ofValue(value));
        } else {
            assertEquals(tier, TrustTier.ofValue(value));
        }
    }

    @Test
    void jsonNamesAreTheAr4siOnes() {
        assertEquals("instance-identity,configuration,executables,file-system,hardware,runtime-opaque,storage-opaque,sourced-data",
                String.join(",", java.util.Arrays.stream(TrustClaim.values()).map(TrustClaim::jsonName).toList()));
        assertEquals("none,affirming,warning,contraindicated",
                String.join(",", java.util.Arrays.stream(TrustTier.values()).map(TrustTier::jsonName).toList()));
        assertEquals(Optional.of(TrustClaim.FILE_SYSTEM), TrustClaim.fromJsonName("file-system"));
        for (TrustTier t : TrustTier.values()) {
            assertEquals(t, TrustTier.ofValue(t.value()));
        }
        assertEquals(96, TrustTier.CONTRAINDICATED.value());
        assertEquals(Optional.empty(), TrustTier.fromJsonName("NONE"));
    }

    @Test
    void modelRejectsMisuseInCode() {
        VerifierId v = new VerifierId("d", "b");
        Instant t = Instant.ofEpochSecond(1);
        assertThrows(IllegalArgumentException.class, () -> Ear.builder(v, t).build());
        assertThrows(IllegalArgumentException.class, () -> new VerifierId("", "b"));
        assertThrows(IllegalArgumentException.class, () -> new VerifierId("\ud800", "b"));
        EarAppraisal a = EarAppraisal.of(TrustTier.AFFIRMING, TrustVector.EMPTY, "p");
        assertThrows(IllegalArgumentException.class, () -> Ear.builder(v, t).submod("s", a).extension("iat", new EarJson("1")).build());
        assertThrows(IllegalArgumentException.class, () -> Ear.builder(v, t).submod("s", a).extension("ear.status", new EarJson("1")).build());
        assertThrows(IllegalArgumentException.class, () -> EarAppraisal.builder(TrustTier.NONE).extension("ear.status", new EarJson("1")).build());
        assertThrows(IllegalArgumentException.class, () -> EarAppraisal.builder(TrustTier.NONE).policyClaims(new EarJson("[]")).build());
        assertThrows(IllegalArgumentException.class, () -> new EarJson("{\"a\":1,\"a\":2}"));
        assertThrows(IllegalArgumentException.class, () -> new EarJson("1 2"));
        assertThrows(IllegalArgumentException.class, () -> TrustVector.EMPTY.with(TrustClaim.HARDWARE, 200));
        assertThrows(IllegalArgumentException.class, () -> Ear.builder(v, t).submod("s", a).expiry(t).build());
        assertThrows(IllegalArgumentException.class, () -> Ear.builder(v, t).submod("", a).build());
        assertThrows(UnsupportedOperationException.class,
                () -> Ear.builder(v, t).submod("s", a).build().submods().put("x", a));
    }

    @Test
    void nonceComparison() throws Exception {
        Ear ear = EarCodec.parse(with("\"submods\"", "\"eat_nonce\":\"bm9uY2UtMTIz\",\"submods\""));
        assertEquals(Optional.of("bm9uY2UtMTIz"), ear.nonce());
        assertEquals(true, ear.nonceMatches("bm9uY2UtMTIz"));
        assertEquals(false, ear.nonceMatches("bm9uY2UtMTIy"));
        assertEquals(false, EarCodec.parse(BASE).nonceMatches("bm9uY2UtMTIz"));
    }
}
