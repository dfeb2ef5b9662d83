package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ClaimsTextTest {
    @Test
    void jsonUsesEatNamesAndIsValidJson() throws Exception {
        EatClaims c = Samples.claims(6);
        JsonNode j = new ObjectMapper().readTree(ClaimsText.json(c));
        assertEquals("MDEyMzQ1Njc4OWFiY2RlZg", j.get("eat_nonce").asText());
        assertEquals(EatProfile.PROFILE, j.get("eat_profile").asText());
        assertEquals(1, j.get("dbgstat").asInt());
        assertEquals(6, j.get("attest-log").get("head").get(0).asInt());
        JsonNode timing = j.get("submods").get("timing").get("measurements").get(0);
        assertEquals("/usr/lib/component-4", timing.get("component").asText());
        assertEquals(5.5, timing.get("values").get("p99_ms").asDouble());
        assertEquals("sha-256", timing.get("digests").get(0).get(0).asText());
    }

    @Test
    void diagnosticShowsTheSignedClaimKeys() throws Exception {
        String d = ClaimsText.diagnostic(Samples.claims(1));
        assertTrue(d.startsWith("{6: 1760000000, 10: h'30313233343536373839616263646566', 256: h'01"), d);
        assertTrue(d.contains("265: \"" + EatProfile.PROFILE + "\""), d);
        assertTrue(d.contains("-70001: {1: 1, 2: \"boot-1\", 3: 0"), d);
    }
}
