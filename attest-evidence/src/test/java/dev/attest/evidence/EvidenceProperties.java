package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.attest.evidence.EvidenceException.Reason;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Arbitrary claim sets round-trip through encode/sign/decode/verify; any single-byte change or
 * truncation of a signed token is refused with a typed {@link EvidenceException} (never
 * accepted, never an unchecked exception).
 */
class EvidenceProperties {
    private static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("p")));
    private static final EvidenceDecoder DECODER = EvidenceDecoder.builder(
            KeyResolver.single(KEY.verificationKey().orElseThrow())).build();
    private static final byte[] TOKEN;

    static {
        try {
            TOKEN = EvidenceEncoder.of(KEY).encode(Samples.claims(8));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Provide
    Arbitrary<EatClaims> claims() {
        Arbitrary<byte[]> nonce = Arbitraries.bytes().array(byte[].class).ofMinSize(8).ofMaxSize(64);
        Arbitrary<String> text = Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
        Arbitrary<Long> seconds = Arbitraries.longs().between(0, 4_000_000_000L);
        Arbitrary<Integer> n = Arbitraries.integers().between(0, 20);
        return Combinators.combine(nonce, text, text, seconds, n, Arbitraries.of(DebugStatus.class))
                .as((nc, name, version, t, count, dbg) -> {
                    try {
                        EatClaims base = Samples.claims(count);
                        return base.toBuilder().swname(name).swversion(version).iat(Instant.ofEpochSecond(t))
                                .uptime(t).dbgstat(dbg).nonce(nc).build();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }

    @Property(tries = 200)
    void claimsRoundTrip(@ForAll("claims") EatClaims claims) throws Exception {
        byte[] token = EvidenceEncoder.of(KEY).encode(claims);
        assertArrayEquals(EvidenceEncoder.payload(claims), EvidenceEncoder.payload(DECODER.decode(token).claims()));
    }

    @Property
    void everySingleByteChangeIsRefused(@ForAll @IntRange(min = 0, max = 1 << 20) int position,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] t = TOKEN.clone();
        int i = position % t.length;
        t[i] ^= (byte) xor;
        refused(t);
    }

    @Property
    void everyTruncationIsRefused(@ForAll @IntRange(min = 0, max = 1 << 20) int length) {
        refused(java.util.Arrays.copyOf(TOKEN, length % TOKEN.length));
    }

    @Property
    void randomBytesAreRefused(@ForAll byte[] bytes) {
        refused(bytes);
    }

    private static void refused(byte[] t) {
        try {
            DECODER.decode(t);
        } catch (EvidenceException e) {
            if (!Set.of(Reason.values()).contains(e.reason())) {
                throw new AssertionError(e);
            }
            return;
        }
        throw new AssertionError("a modified token was accepted");
    }
}
