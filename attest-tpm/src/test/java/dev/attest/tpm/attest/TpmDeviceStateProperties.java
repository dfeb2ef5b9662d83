package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmsAttest;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * TpmAppraiser's per-device state encoding: any state round-trips exactly (to equal fields and
 * the same bytes), and any mutation of an encoding either decodes to a state that re-encodes to
 * it or is refused with {@link TpmFormatException}, never another exception.
 */
class TpmDeviceStateProperties {
    @Provide
    Arbitrary<TpmsAttest.ClockInfo> clocks() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers(), Arbitraries.integers(),
                Arbitraries.of(true, false)).as(TpmsAttest.ClockInfo::new);
    }

    Arbitrary<Map<HashAlg, byte[]>> banks() {
        return Arbitraries.bytes().array(byte[].class).ofSize(64).map(seed -> {
            Map<HashAlg, byte[]> m = new EnumMap<>(HashAlg.class);
            for (HashAlg h : HashAlg.values()) {
                m.put(h, java.util.Arrays.copyOf(seed, h.digestSize()));
            }
            return m;
        });
    }

    Arbitrary<String> texts() {
        // Any UTF-16 content, unpaired surrogates and NUL included, up to a Finding's 512 characters.
        return Arbitraries.strings().all().ofMaxLength(512);
    }

    Arbitrary<Finding> findings() {
        return Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(40),
                Arbitraries.of(TrustClaim.class), Arbitraries.of(Severity.class), texts(), texts(), texts())
                .as(Finding::new);
    }

    Arbitrary<ImaBinding.State> imaStates() {
        Arbitrary<long[]> positions = Arbitraries.longs().between(0, Long.MAX_VALUE / 2).list().ofSize(2)
                .map(l -> new long[] {Math.min(l.get(0), l.get(1)), Math.max(l.get(0), l.get(1))});
        return Builders.withBuilder(() -> new Object[10])
                .use(Arbitraries.integers()).in((a, v) -> set(a, 0, v))
                .use(clocks()).in((a, v) -> set(a, 1, v))
                .use(Arbitraries.bytes().array(byte[].class).ofSize(32)).in((a, v) -> set(a, 2, v))
                .use(positions).in((a, v) -> set(a, 3, v))
                .use(banks()).in((a, v) -> set(a, 4, v))
                .use(banks()).in((a, v) -> set(a, 5, v))
                .use(findings().list().ofMaxSize(4)).in((a, v) -> set(a, 6, v))
                .use(Arbitraries.longs().greaterOrEqual(0)).in((a, v) -> set(a, 7, v))
                .use(texts().optional()).in((a, v) -> set(a, 8, v))
                .build(TpmDeviceStateProperties::state);
    }

    private static Object[] set(Object[] a, int i, Object v) {
        a[i] = v;
        return a;
    }

    @SuppressWarnings("unchecked")
    private static ImaBinding.State state(Object[] a) {
        long[] p = (long[]) a[3];
        return new ImaBinding.State((Integer) a[0], (TpmsAttest.ClockInfo) a[1], (byte[]) a[2], p[0], p[1],
                (Map<HashAlg, byte[]>) a[4], (Map<HashAlg, byte[]>) a[5], List.copyOf((List<Finding>) a[6]),
                (Long) a[7], (Optional<String>) a[8]);
    }

    @Provide
    Arbitrary<TpmDeviceState> states() {
        return Combinators.combine(clocks().optional(), imaStates().optional()).as(TpmDeviceState::new);
    }

    @Property(tries = 300)
    void everyStateRoundTrips(@ForAll("states") TpmDeviceState s) throws TpmFormatException {
        byte[] e = s.encode();
        TpmDeviceState d = TpmDeviceState.decode(e);
        TpmDeviceStateTest.assertSameState(s, d);
        assertArrayEquals(e, d.encode());
    }

    @Property(tries = 1000)
    void mutatedEncodingsAreRefusedOrCanonical(@ForAll("states") TpmDeviceState s,
            @ForAll @IntRange(min = 0, max = 100_000) int at, @ForAll byte value,
            @ForAll @IntRange(min = -2, max = 2) int lengthChange) {
        byte[] e = s.encode();
        byte[] m = java.util.Arrays.copyOf(e, Math.max(0, e.length + lengthChange));
        if (m.length > 0) {
            m[at % m.length] = value;
        }
        try {
            assertArrayEquals(m, TpmDeviceState.decode(m).encode());
        } catch (TpmFormatException expected) {
            // refused: the only other outcome allowed
        }
    }
}
