package dev.attest.examples.verifier;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues challenge nonces (32 random bytes) per device and redeems each at most once, within its
 * time to live. A nonce redeemed for another device, twice, or too late is refused. Lookups
 * compare in constant time. Bounded: at most {@code maxOutstanding} nonces wait at once.
 */
final class NonceIssuer {
    private record Issued(String device, byte[] nonce, Instant expires) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Issued> outstanding = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;
    private final int maxOutstanding;

    NonceIssuer(Duration ttl, Clock clock, int maxOutstanding) {
        this.ttl = ttl;
        this.clock = clock;
        this.maxOutstanding = maxOutstanding;
    }

    /** A fresh nonce for {@code device}. */
    byte[] issue(String device) {
        purgeExpired();
        if (outstanding.size() >= maxOutstanding) {
            throw new IllegalStateException("too many outstanding challenges");
        }
        byte[] nonce = new byte[32];
        random.nextBytes(nonce);
        outstanding.put(key(nonce), new Issued(device, nonce.clone(), clock.instant().plus(ttl)));
        return nonce;
    }

    /**
     * Redeems {@code nonce} for {@code device}: present, unexpired, issued to that device. The
     * nonce is consumed whether or not it matched the device, so it cannot be tried again.
     */
    Optional<byte[]> redeem(String device, byte[] nonce) {
        Issued i = outstanding.remove(key(nonce));
        if (i == null || clock.instant().isAfter(i.expires())
                || !MessageDigest.isEqual(i.device().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        device.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                || !MessageDigest.isEqual(i.nonce(), nonce)) {
            return Optional.empty();
        }
        return Optional.of(i.nonce().clone());
    }

    private void purgeExpired() {
        Instant now = clock.instant();
        for (Iterator<Issued> it = outstanding.values().iterator(); it.hasNext(); ) {
            if (now.isAfter(it.next().expires())) {
                it.remove();
            }
        }
    }

    // The map key is a hash of the nonce, so map lookups do not compare secret bytes early-exit.
    private static String key(byte[] nonce) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(nonce));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
