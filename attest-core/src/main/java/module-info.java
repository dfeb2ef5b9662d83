/**
 * attest-core: the measurement model ({@link dev.attest.core.Measurement}), the
 * {@link dev.attest.core.Collector} SPI, the hash-chained {@link dev.attest.core.MeasurementLog},
 * the {@link dev.attest.core.MeasurementScheduler}, and the built-in collectors.
 */
module dev.attest.core {
    requires org.slf4j;
    requires java.management;

    exports dev.attest.core;
    exports dev.attest.core.collectors;
    // Shared with the SDK's own modules only; not a public API.
    exports dev.attest.core.internal.cbor to dev.attest.evidence, dev.attest.verify, dev.attest.tpm;
    exports dev.attest.core.internal to dev.attest.evidence, dev.attest.verify, dev.attest.tpm;
    // The one parser of each device-side format, shared with the verifier side (attest-tpm).
    exports dev.attest.core.internal.eventlog to dev.attest.tpm;
    exports dev.attest.core.internal.ima to dev.attest.tpm;
    exports dev.attest.core.internal.proc to dev.attest.tpm;

    uses dev.attest.core.Collector;
    provides dev.attest.core.Collector with
            dev.attest.core.collectors.ProcessMemoryCollector,
            dev.attest.core.collectors.MemoryProtectionCollector,
            dev.attest.core.collectors.ImaCollector,
            dev.attest.core.collectors.BootEventLogCollector,
            dev.attest.core.collectors.TimingCollector,
            dev.attest.core.collectors.JvmRuntimeCollector;
}
