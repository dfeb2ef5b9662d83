package dev.attest.verify;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@link DeviceStateStore} in memory, for one verifier process. Atomic through
 * {@link ConcurrentHashMap}; nonces are kept until {@code ttl} after first use; appraiser states
 * are copied in and out and compared byte for byte.
 */
final class InMemoryDeviceStateStore implements DeviceStateStore {
    private final ConcurrentMap<String, DeviceState> states = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, byte[]> appraiserStates = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Long> nonces = new ConcurrentHashMap<>();
    /** Purge expired nonces when the map has grown to this size (doubling keeps it amortized O(1)). */
    private final java.util.concurrent.atomic.AtomicInteger purgeAt = new java.util.concurrent.atomic.AtomicInteger(10_000);

    @Override
    public Optional<DeviceState> get(String device) {
        return Optional.ofNullable(states.get(device));
    }

    @Override
    public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
        Objects.requireNonNull(next, "next");
        if (expected.isEmpty()) {
            return states.putIfAbsent(device, next) == null;
        }
        return states.replace(device, expected.get(), next);
    }

    @Override
    public boolean useNonce(String device, byte[] nonce, Duration ttl) {
        long now = System.nanoTime();
        int limit = purgeAt.get();
        if (nonces.size() > limit && purgeAt.compareAndSet(limit, Integer.MAX_VALUE)) {
            nonces.values().removeIf(expiry -> expiry - now < 0);
            purgeAt.set(Math.max(10_000, nonces.size() * 2));
        }
        String key = device + '\u0000' + HexFormat.of().formatHex(nonce);
        return nonces.putIfAbsent(key, now + ttl.toNanos()) == null;
    }

    @Override
    public Optional<byte[]> appraiserState(String device, String appraiser) {
        Objects.requireNonNull(device, "device");
        DeviceStateStore.checkAppraiserId(appraiser);
        return Optional.ofNullable(appraiserStates.get(new Key(device, appraiser))).map(byte[]::clone);
    }

    @Override
    public boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected, byte[] next) {
        Objects.requireNonNull(device, "device");
        DeviceStateStore.checkAppraiserSwap(appraiser, expected, next);
        byte[] copy = next.clone();
        boolean[] swapped = new boolean[1];
        appraiserStates.compute(new Key(device, appraiser), (k, current) -> {
            swapped[0] = expected.isEmpty() ? current == null
                    : current != null && MessageDigest.isEqual(current, expected.get());
            return swapped[0] ? copy : current;
        });
        return swapped[0];
    }

    private record Key(String device, String appraiser) {
    }
}
