package dev.attest.evidence;

import dev.attest.core.ComponentId;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test helper: realistic claims built from a real in-memory measurement log. */
final class Samples {
    static final byte[] NONCE = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] UEID = {0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    private Samples() {
    }

    /** {@code n} measurements over several layers, appended to a fresh log. */
    static EatClaims claims(int n) throws Exception {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-1", 4096);
        LogHead since = log.head();
        List<Measurement> ms = new ArrayList<>();
        Layer[] layers = {Layer.FIRMWARE, Layer.OS, Layer.APPLICATION, Layer.MEMORY, Layer.TIMING};
        for (int i = 0; i < n; i++) {
            Layer layer = layers[i % layers.length];
            Measurement.Builder b = Measurement.builder(ComponentId.of("/usr/lib/component-" + i, "1." + i), layer)
                    .collector("test.collector")
                    .time(Instant.ofEpochMilli(1_760_000_000_000L + i))
                    .digest(DigestAlgorithm.SHA_256.hash(("content " + i).getBytes(StandardCharsets.UTF_8)));
            if (layer.equals(Layer.TIMING)) {
                b.value("p99_ms", 1.5 + i).value("count", (long) i);
            }
            ms.add(b.build());
        }
        List<LogEntry> entries = log.append(ms);
        return EatClaims.builder()
                .nonce(NONCE)
                .ueid(UEID)
                .swname("attest-test")
                .swversion("0.1.0")
                .dbgstat(DebugStatus.DISABLED)
                .uptime(1234)
                .profile(EatProfile.PROFILE)
                .iat(Instant.ofEpochSecond(1_760_000_000L))
                .measurementLog(since, entries, log.head())
                .build();
    }
}
