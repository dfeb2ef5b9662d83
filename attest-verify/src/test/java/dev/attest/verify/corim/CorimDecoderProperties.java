package dev.attest.verify.corim;

import static dev.attest.verify.corim.CorimVectors.CORIM;
import static dev.attest.verify.corim.CorimVectors.SERVICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing the CoRIM decoder: random bytes and mutations of every vector (byte changes,
 * insertions, deletions, truncations) give a CoRIM or a {@link CorimException}, never another
 * exception; what is accepted re-encodes and reads back equal. Tries: {@code attest.fuzz.tries}.
 */
class CorimDecoderProperties {
    private static final List<byte[]> SEEDS = seeds();

    private static List<byte[]> seeds() {
        List<byte[]> out = new java.util.ArrayList<>();
        for (String n : List.of("corim/testcases/corim-2.cbor", "corim/testcases/unsigned-corim-with-extensions.cbor",
                "corim/testcases/corim-design-cd.cbor", "corim/testcases/corim-roles.cbor",
                "corim/testcases/signed-good-corim.cbor", "profiles/psa/testcases/psa-valid.cbor",
                "comid/testcases/comid-5.cbor", "comid/testcases/comid-raw-value.cbor", "comid/testcases/comid-7.cbor",
                "comid/testcases/comid-series.cbor", "comid/testcases/comid-flags.cbor",
                "comid/testcases/comid-integrity-registers.cbor")) {
            out.add(CorimVectors.read(CORIM, n));
        }
        out.add(CorimVectors.read(SERVICES, "scheme/psa-iot/test/corim/corim-psa-valid.cbor"));
        return List.copyOf(out);
    }

    private static final CorimDecoder UNSIGNED = CorimDecoder.builder().allowUnsigned().maxBytes(64 * 1024).build();
    private static final CorimDecoder SIGNED = CorimVectors.signedDecoder(CorimVectors.IN_VALIDITY);

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> seed = Arbitraries.of(SEEDS);
        return Combinators.combine(seed, Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.bytes(), Arbitraries.integers().between(1, 4)).as((s, op, pos, b, n) -> {
                    int at = pos % s.length;
                    byte[] out;
                    switch (op) {
                        case 0 -> {
                            out = s.clone();
                            for (int i = 0; i < n; i++) {
                                out[(at + i * 7919) % out.length] ^= b == 0 ? 1 : b;
                            }
                        }
                        case 1 -> {
                            out = new byte[s.length + n];
                            System.arraycopy(s, 0, out, 0, at);
                            java.util.Arrays.fill(out, at, at + n, b.byteValue());
                            System.arraycopy(s, at, out, at + n, s.length - at);
                        }
                        case 2 -> {
                            int k = Math.min(n, s.length - at);
                            out = new byte[s.length - k];
                            System.arraycopy(s, 0, out, 0, at);
                            System.arraycopy(s, at + k, out, at, s.length - at - k);
                        }
                        default -> out = java.util.Arrays.copyOf(s, at);
                    }
                    return out;
                });
    }

    @Property
    void mutatedVectorsGiveACorimOrATypedRefusal(@ForAll("mutated") byte[] input) {
        check(input);
    }

    @Property
    void randomBytesGiveACorimOrATypedRefusal(@ForAll @Size(max = 512) byte[] input) {
        check(input);
    }

    @Property
    void randomTailsAfterACorimTagAreRefusedTyped(@ForAll @Size(max = 256) byte[] tail) {
        byte[] in = new byte[tail.length + 3];
        in[0] = (byte) 0xd9;
        in[1] = 0x01;
        in[2] = (byte) 0xf5;
        System.arraycopy(tail, 0, in, 3, tail.length);
        check(in);
    }

    private static void check(byte[] input) {
        for (CorimDecoder d : List.of(UNSIGNED, SIGNED)) {
            try {
                Corim c = d.decode(input);
                if (c.signature().isEmpty()) {
                    assertEquals(c, UNSIGNED.decode(CorimEncoder.encode(c)));
                }
            } catch (CorimException e) {
                assertTrue(e.path().isEmpty() || e.path().startsWith("/"), e.path());
            }
            try {
                Comid c = d.decodeComid(input);
                assertEquals(c, d.decodeComid(CorimEncoder.encodeComid(c)));
            } catch (CorimException e) {
                assertTrue(e.path().isEmpty() || e.path().startsWith("/"), e.path());
            }
        }
    }
}
