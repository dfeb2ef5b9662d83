package dev.attest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.core.internal.MeasurementCodec;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueTest {
    private static Value nest(int depth) {
        Value v = Value.of(1);
        for (int i = 0; i < depth; i++) {
            v = new Value.ListValue(List.of(v));
        }
        return v;
    }

    @Test
    void nestingIsBounded() {
        nest(Value.MAX_DEPTH);
        assertEquals("values nest deeper than 8",
                assertThrows(IllegalArgumentException.class, () -> nest(Value.MAX_DEPTH + 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Value.MapValue.of(Map.of("k", nest(Value.MAX_DEPTH))));
    }

    @Test
    void rejectsNonFiniteRealsAndBadNames() {
        assertThrows(IllegalArgumentException.class, () -> Value.of(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Value.MapValue.of(Map.of("", Value.of(1))));
        assertThrows(IllegalArgumentException.class, () -> Value.MapValue.of(Map.of("a\nb", Value.of(1))));
    }

    @Test
    void measurementsRoundTripThroughTheirCanonicalForm() throws Exception {
        Measurement m = Measurement.builder(ComponentId.of("libjvm.so", "17.0.15"), Layer.PROCESS)
                .collector("process-memory").time(Fixtures.T0)
                .digest(DigestAlgorithm.SHA_384.hash(new byte[] {1}))
                .value("match", false).value("size", 4096).value("ratio", 0.25)
                .value("mappings", new Value.ListValue(List.of(Value.MapValue.of(Map.of(
                        "perms", Value.of("r-xp"), "raw", new Value.Bytes(new byte[] {9}))))))
                .message("note").build();
        byte[] canonical = MeasurementCodec.canonical(m);
        Measurement back = MeasurementCodec.fromCbor(CborDecoder.deterministic(1 << 16, 16, 1000).decode(canonical));
        assertEquals(m, back);
        assertEquals(java.util.HexFormat.of().formatHex(canonical), java.util.HexFormat.of().formatHex(CborEncoder.encode(MeasurementCodec.toCbor(back))));
        Measurement err = Measurement.error("c", ComponentId.of("x"), Layer.OS, Fixtures.T0, "boom");
        assertEquals(err, MeasurementCodec.fromCbor(CborDecoder.deterministic(1 << 16, 16, 1000).decode(MeasurementCodec.canonical(err))));
    }

    @Test
    void measurementInvariants() {
        assertThrows(IllegalArgumentException.class, () -> Measurement.builder(ComponentId.of("x"), Layer.OS)
                .collector("c").time(Fixtures.T0).build());
        assertThrows(IllegalArgumentException.class, () -> Measurement.builder(ComponentId.of("x"), Layer.OS)
                .collector("c").time(Fixtures.T0).digest(DigestAlgorithm.SHA_256.hash(new byte[1]))
                .digest(DigestAlgorithm.SHA_256.hash(new byte[2])).build());
        assertThrows(IllegalArgumentException.class, () -> Measurement.error("c", ComponentId.of("x"), Layer.OS, Fixtures.T0, " "));
        assertThrows(IllegalArgumentException.class, () -> Layer.of("Bad Layer"));
        assertThrows(IllegalArgumentException.class, () -> ComponentId.of("a\u0000b"));
        assertThrows(IllegalArgumentException.class, () -> new Digest(DigestAlgorithm.SHA_256, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("md5:00"));
        assertEquals(DigestAlgorithm.SHA_256.hash(new byte[0]),
                Digest.parse("sha-256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }
}
