package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Reference values and policy JSON from untrusted hands: random text and single-character
 * mutations of valid documents give a valid object or a {@link ConfigException}, never anything
 * else; valid reference values round-trip through their JSON form.
 */
class ConfigProperties {
    static final String REFS = """
            {"attest-reference-values": 1, "components": [
              {"name": "/opt/app/app.bin", "digests": ["sha-256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"], "required": true},
              {"name": "/boot/fw", "min-version": "2.1", "max-version": "2.9"},
              {"name": "/usr/bin/gdbserver", "forbidden": true}]}""";
    static final String POLICY = """
            {"attest-policy": 1, "id": "p", "severity": {"continuity.reboot": "info"},
             "runtime": {"allow-jit": true, "wx-allow": ["/opt/x"], "jvm-allow": ["attach-enabled"],
                         "timing": [{"component": "workload", "value": "median-ms", "max": 250}]}}""";
    private static final char[] NOISE = "{}[]\":,0123456789.-+eEtrufalsn \\\u0000\u00e9\ud83d".toCharArray();

    @Provide
    Arbitrary<String> junk() {
        return Arbitraries.strings().withChars(NOISE).ofMaxLength(200);
    }

    @Property
    void randomTextIsRefusedCleanly(@ForAll("junk") String s) {
        parseBoth(s);
    }

    @Property
    void mutatedDocumentsParseOrAreRefusedCleanly(@ForAll @IntRange(min = 0, max = 10_000) int pos,
            @ForAll @IntRange(min = 0, max = 17) int ch, @ForAll boolean delete) {
        for (String doc : new String[] {REFS, POLICY}) {
            int i = pos % doc.length();
            String m = delete ? doc.substring(0, i) + doc.substring(i + 1)
                    : doc.substring(0, i) + NOISE[ch] + doc.substring(i + 1);
            parseBoth(m);
        }
    }

    @Property(tries = 50)
    void deepNestingIsRefused(@ForAll @IntRange(min = 33, max = 5000) int depth) {
        String s = "[".repeat(depth) + "]".repeat(depth);
        try {
            ReferenceValues.fromJson(s);
            throw new AssertionError("accepted");
        } catch (ConfigException e) {
            assertEquals(ConfigException.Reason.TOO_LARGE, e.reason());
        }
    }

    @Property(tries = 20)
    void referenceValuesRoundTrip() throws Exception {
        ReferenceValues r = ReferenceValues.fromJson(REFS);
        assertEquals(r.toJson(), ReferenceValues.fromJson(r.toJson()).toJson());
        assertEquals(3, r.components().size());
    }

    private static void parseBoth(String s) {
        try {
            ReferenceValues.fromJson(s);
        } catch (ConfigException e) {
            // the only acceptable failure
        }
        try {
            Policy.fromJson(s);
        } catch (ConfigException e) {
            // the only acceptable failure
        }
    }
}
