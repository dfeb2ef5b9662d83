package dev.attest.verify.ear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.arbitraries.StringArbitrary;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** EarCodec round-trips every EAR; no input, however mangled, gives anything but an EAR or an EarException. */
class EarCodecProperties {
    private static final Set<String> RESERVED = Set.of("eat_profile", "iat", "ear.verifier-id", "submods", "eat_nonce",
            "ear.raw-evidence", "exp", "ear.status", "ear.trustworthiness-vector", "ear.appraisal-policy-id",
            "ear.veraison.annotated-evidence", "ear.veraison.policy-claims", "ear.veraison.key-attestation");

    private static StringArbitrary text() {
        // ASCII (with the characters JSON must escape), Latin-1, BMP beyond it, and '\uE000'
        // which text(...) turns into a supplementary character (a surrogate pair, never a lone half).
        return Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u0000', '\u001f')
                .withChars('\u00e9', '\u00ff', '\u2028', '\u20ac', '\uFFFD', '\uFFFF', '\uE000');
    }

    private static Arbitrary<String> text(int min, int max) {
        return text().ofMinLength(min).ofMaxLength(max).map(s -> s.replace("\uE000", "\uD83D\uDE00"));
    }

    private static Arbitrary<String> nonEmptyText() {
        return text(1, 16);
    }

    private static Arbitrary<String> json(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(
                text(0, 12).map(s -> EarJson.ofString(s).text()),
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.of("0.5", "-1e-7", "1E+300", "true", "false", "null", "12345678901234567890123"));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<String> array = json(depth - 1).list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> object = entries(nonEmptyText(), json(depth - 1), 0, 3).map(m -> {
            List<String> members = new ArrayList<>();
            m.forEach((k, v) -> members.add(EarJson.ofString(k).text() + ":" + v));
            return "{" + String.join(",", members) + "}";
        });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, leaf), net.jqwik.api.Tuple.of(1, array), net.jqwik.api.Tuple.of(1, object));
    }

    private static Arbitrary<Map<String, EarJson>> extensions() {
        return entries(nonEmptyText().filter(n -> !RESERVED.contains(n)), json(2).map(EarJson::new), 0, 2);
    }

    // Cheaper than Arbitraries.maps (no unique-key search): a list of pairs, later names win.
    private static <V> Arbitrary<Map<String, V>> entries(Arbitrary<String> keys, Arbitrary<V> values, int min, int max) {
        return Combinators.combine(keys, values).as(Map::entry).list().ofMinSize(min).ofMaxSize(max).map(l -> {
            Map<String, V> m = new java.util.TreeMap<>();
            l.forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
    }

    private static Arbitrary<TrustVector> vectors() {
        return Arbitraries.maps(Arbitraries.of(TrustClaim.class), Arbitraries.integers().between(-128, 127)).ofMaxSize(8)
                .map(m -> new TrustVector(m.isEmpty() ? new EnumMap<>(TrustClaim.class) : new EnumMap<>(m)));
    }

    private static Arbitrary<EarAppraisal> appraisals() {
        Arbitrary<Optional<EarJson>> objects = json(2).filter(s -> s.startsWith("{")).map(EarJson::new).optional(0.3);
        return Combinators.combine(
                Arbitraries.of(TrustTier.class),
                vectors().optional(0.7),
                nonEmptyText().optional(0.7),
                objects,
                objects,
                Arbitraries.of(KeyAttestation.of(new byte[] {0x30, 0x05, 0x30, 0x00, 0x03, 0x01, 0x00})).optional(0.2),
                extensions()).as(EarAppraisal::new);
    }

    @Provide
    Arbitrary<Ear> ears() {
        Arbitrary<Long> iat = Arbitraries.longs().between(0, Ear.MAX_EPOCH_SECOND - 1);
        return Combinators.combine(
                iat,
                Combinators.combine(nonEmptyText(), nonEmptyText()).as(VerifierId::new),
                entries(nonEmptyText(), appraisals(), 1, 3),
                text().ofMinLength(8).ofMaxLength(88).map(s -> s.replace('\uE000', '\u00e9')).optional(0.5),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).optional(0.5),
                Arbitraries.longs().between(1, 1_000_000).optional(0.3),
                extensions())
                .as((t, vid, submods, nonce, raw, exp, ext) -> new Ear(Instant.ofEpochSecond(t), vid, submods, nonce,
                        raw.map(dev.attest.verify.internal.ear.Base64Url::encode),
                        exp.map(d -> Instant.ofEpochSecond(Math.min(Ear.MAX_EPOCH_SECOND, t + d))), ext));
    }

    @Property
    void everyEarRoundTripsToTheSameBytes(@ForAll("ears") Ear ear) throws EarException {
        byte[] json = EarCodec.toJson(ear);
        Ear back = EarCodec.parse(json);
        assertEquals(ear, back);
        assertArrayEquals(json, EarCodec.toJson(back));
        assertEquals(ear, EarCodec.parse(new String(json, StandardCharsets.UTF_8)));
    }

    @Property
    void randomBytesGiveOnlyEarException(@ForAll @Size(max = 200) byte[] input) {
        parseOrEarException(input);
    }

    @Property
    void mutatedEarsGiveOnlyAnEarOrEarException(@ForAll("ears") Ear ear, @ForAll @IntRange(min = 0, max = 5) int kind,
            @ForAll @IntRange(min = 0, max = 100_000) int where, @ForAll char c, @ForAll @IntRange(min = 1, max = 40) int len) {
        String json = EarCodec.toJsonString(ear);
        int at = where % (json.length() + 1);
        int end = Math.min(json.length(), at + len);
        String mutated;
        switch (kind) {
            case 0: mutated = json.substring(0, at) + json.substring(end); break;
            case 1: mutated = json.substring(0, at) + c + json.substring(at); break;
            case 2: mutated = json.substring(0, at) + json.substring(at, end) + json.substring(at); break;
            case 3: mutated = at < json.length() ? json.substring(0, at) + c + json.substring(at + 1) : json + c; break;
            case 4: mutated = json.substring(0, at); break;
            default: mutated = json.substring(0, at) + "[".repeat(len) + json.substring(at); break;
        }
        parseOrEarException(mutated.getBytes(StandardCharsets.UTF_8));
        parseOrEarException(mutated);
    }

    private static void parseOrEarException(byte[] input) {
        try {
            Ear ear = EarCodec.parse(input);
            assertEquals(ear, EarCodec.parse(EarCodec.toJson(ear)));
        } catch (EarException e) {
            assertEquals(EarException.class, e.getClass());
        }
    }

    private static void parseOrEarException(String input) {
        try {
            Ear ear = EarCodec.parse(input);
            assertEquals(ear, EarCodec.parse(EarCodec.toJson(ear)));
        } catch (EarException e) {
            assertEquals(EarException.class, e.getClass());
        }
    }
}
