package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.verify.ear.TrustClaim;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any severity table, exact ids and wildcards mixed: either {@link Policy#fromJson} refuses it
 * with {@link ConfigException.Reason#BELOW_FLOOR} at an entry that lowers something under the
 * floor, or the policy it loads keeps every floor check contraindicated.
 */
class PolicyFloorProperties {
    private static final List<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(Checks.builtIn());
        keys.addAll(List.of("identity.revoked", "continuity.*", "freshness.*", "identity.*", "identity.x.*",
                "evidence.*", "reference.*", "runtime.*", "appraiser.*", "continuity.replay.*", "freshness.nonce.*",
                "policy.*", "scheme.*", "scheme.signature"));
        KEYS = List.copyOf(keys);
    }

    @Provide
    Arbitrary<Map<String, String>> tables() {
        return Arbitraries.maps(Arbitraries.of(KEYS), Arbitraries.of("info", "warning", "contraindicated"))
                .ofMinSize(1).ofMaxSize(6);
    }

    @Property
    void aLoadedPolicyNeverLowersTheFloor(@ForAll("tables") Map<String, String> table) {
        StringBuilder json = new StringBuilder("{\"attest-policy\": 1, \"id\": \"p\", \"severity\": {");
        table.forEach((k, v) -> json.append(json.charAt(json.length() - 1) == '{' ? "" : ", ")
                .append('"').append(k).append("\": \"").append(v).append('"'));
        json.append("}}");
        boolean lowersTheFloor = false;
        for (Map.Entry<String, String> e : table.entrySet()) {
            lowersTheFloor |= !e.getValue().equals("contraindicated")
                    && Checks.reachedFloor(e.getKey(), Checks.FLOOR).isPresent();
        }
        Policy p;
        try {
            p = Policy.fromJson(json.toString());
        } catch (ConfigException e) {
            assertEquals(ConfigException.Reason.BELOW_FLOOR, e.reason(), e.getMessage());
            String entry = e.path().substring("/severity/".length());
            assertTrue(!table.get(entry).equals("contraindicated"), e.getMessage());
            assertTrue(lowersTheFloor, e.getMessage());
            return;
        }
        assertTrue(!lowersTheFloor, json.toString());
        for (String id : KEYS) {
            if (!id.endsWith(".*") && Checks.inFloor(id)) {
                Severity s = p.severity(new Finding(id, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/",
                        "a", "b"));
                assertEquals(Severity.CONTRAINDICATED, s, id + " under " + json);
            } else if (table.containsKey(id)) {
                Severity s = p.severity(new Finding(id, TrustClaim.EXECUTABLES, Severity.WARNING, "/", "a", "b"));
                assertEquals(table.get(id).toUpperCase(Locale.ROOT), s.name(), id + " under " + json);
            }
        }
    }
}
