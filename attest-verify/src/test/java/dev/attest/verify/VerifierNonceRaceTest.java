package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyResolver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The same challenged token submitted twice at once is accepted exactly once. The verifier spends
 * the nonce only after winning the continuity compare-and-set, so the copy that loses (or that
 * sees the new state) is a replay and never spends the nonce first. The store here pauses the
 * first nonce use to force the worst interleaving. (Found by this test when the verifier still
 * spent the nonce before the compare-and-set.)
 */
class VerifierNonceRaceTest {
    private static final byte[] NONCE = "nonce-race-01234".getBytes(StandardCharsets.US_ASCII);

    @Test
    void sameChallengedTokenTwiceAtOnceIsAcceptedExactlyOnce() throws Exception {
        DeviceStateStore real = DeviceStateStore.inMemory();
        CountDownLatch firstUsedNonce = new CountDownLatch(1);
        CountDownLatch secondDone = new CountDownLatch(1);
        AtomicInteger nonceUses = new AtomicInteger();
        DeviceStateStore pausing = new DeviceStateStore() {
            @Override
            public Optional<DeviceState> get(String device) {
                return real.get(device);
            }

            @Override
            public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
                return real.compareAndSet(device, expected, next);
            }

            @Override
            public Optional<byte[]> appraiserState(String device, String appraiser) {
                return real.appraiserState(device, appraiser);
            }

            @Override
            public boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected,
                    byte[] next) {
                return real.compareAndSetAppraiserState(device, appraiser, expected, next);
            }

            @Override
            public boolean useNonce(String device, byte[] nonce, Duration ttl) {
                boolean fresh = real.useNonce(device, nonce, ttl);
                if (nonceUses.getAndIncrement() == 0) {
                    firstUsedNonce.countDown();
                    try {
                        assertTrue(secondDone.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return fresh;
            }
        };
        TestDevice device = new TestDevice("dev-1");
        TestDevice golden = new TestDevice("golden");
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(golden.publicKey()))
                .build().decode(golden.evidence()).claims());
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev-1", device.publicKey())))
                .referenceValues(refs).stateStore(pausing)
                .clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC)).build();
        byte[] token = device.evidence(device.cycle(), NONCE);

        CompletableFuture<AttestationResult> a = CompletableFuture.supplyAsync(
                () -> v.appraise(token, AppraisalContext.challenge(NONCE)));
        assertTrue(firstUsedNonce.await(10, TimeUnit.SECONDS));
        AttestationResult b = v.appraise(token, AppraisalContext.challenge(NONCE));
        secondDone.countDown();
        List<String> outcomes = List.of(Fleet.outcome(a.get(10, TimeUnit.SECONDS)), Fleet.outcome(b));
        assertEquals(1, outcomes.stream().filter(o -> o.equals("affirming []")).count(), outcomes.toString());
    }
}
