package dev.attest.core;

import java.time.Instant;

/** Small measurements for tests. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");

    private Fixtures() {
    }

    static Measurement measurement(int i) {
        return Measurement.builder(ComponentId.of("/opt/app/file-" + i, "1." + i), Layer.APPLICATION)
                .collector("test")
                .time(T0.plusSeconds(i))
                .digest(DigestAlgorithm.SHA_256.hash(new byte[] {(byte) i, (byte) (i >> 8)}))
                .value("size", i * 10L)
                .build();
    }
}
