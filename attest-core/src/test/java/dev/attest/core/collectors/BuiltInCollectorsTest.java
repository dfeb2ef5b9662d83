package dev.attest.core.collectors;

import static dev.attest.core.collectors.ImaCollectorTest.CTX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.Collector;
import dev.attest.core.Measurement;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The built-in collectors are discoverable and never return silently nothing. */
class BuiltInCollectorsTest {
    @Test
    void allBuiltInCollectorsAreDiscoveredWithDistinctIds() {
        Set<String> ids = Collector.discover().stream().map(Collector::id).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(ids.containsAll(Set.of("process-memory", "memory-protection", "ima", "boot-event-log", "timing",
                "jvm-runtime")), ids.toString());
    }

    @Test
    void everyDiscoveredCollectorReportsSomethingHereThatRoundTripsThroughCbor() throws Exception {
        for (Collector c : Collector.discover()) {
            List<Measurement> ms = c.collect(CTX);
            assertFalse(ms.isEmpty(), c.id());
            for (Measurement m : ms) {
                assertEquals(c.id(), m.collectorId());
                // Every measurement survives the canonical encoding the log and evidence use.
                assertEquals(m, dev.attest.core.internal.MeasurementCodec.fromCbor(
                        dev.attest.core.internal.MeasurementCodec.toCbor(m)));
            }
        }
    }

    @Test
    void absentKernelInterfacesAreUnsupportedWithTheReason() throws Exception {
        Measurement ima = new ImaCollector().collect(CTX).get(0);
        if (!Files.exists(ImaCollector.DEFAULT_PATH)) {
            assertEquals(Measurement.Status.UNSUPPORTED, ima.status());
            assertTrue(ima.message().orElseThrow().contains("IMA not enabled"), ima.toString());
        }
        Measurement boot = new BootEventLogCollector().collect(CTX).get(0);
        if (!Files.exists(BootEventLogCollector.DEFAULT_PATH)) {
            assertEquals(Measurement.Status.UNSUPPORTED, boot.status());
            assertTrue(boot.message().orElseThrow().contains("no TPM"), boot.toString());
        }
    }
}
