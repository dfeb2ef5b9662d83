package dev.attest.verify;

import dev.attest.core.ComponentId;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** A device for tests: a real hash-chained log and a real signing key, producing real evidence. */
final class TestDevice {
    final String id;
    final SigningKey key;
    MeasurementLog log;
    LogHead lastSent;
    Instant now = Instant.parse("2026-11-25T12:00:00Z");
    String firmware = "firmware v1";

    TestDevice(String id) {
        this.id = id;
        this.key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(id)));
        reboot("boot-1");
    }

    void reboot(String bootId) {
        log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, bootId, 4096);
        lastSent = log.head();
    }

    VerificationKey publicKey() {
        return key.verificationKey().orElseThrow();
    }

    static Measurement file(String name, String content, Layer layer) {
        return Measurement.builder(ComponentId.of(name, "1.0"), layer).collector("file-digest")
                .time(Instant.parse("2026-11-25T12:00:00Z"))
                .digest(DigestAlgorithm.SHA_256.hash(content.getBytes(StandardCharsets.UTF_8))).build();
    }

    /** The measurements of one healthy cycle. */
    List<Measurement> cycle() {
        List<Measurement> ms = new ArrayList<>();
        ms.add(file("/boot/firmware.bin", firmware, Layer.FIRMWARE));
        ms.add(file("/usr/bin/agent", "agent code", Layer.APPLICATION));
        ms.add(Measurement.builder(ComponentId.of("workload"), Layer.TIMING).collector("timing")
                .time(Instant.parse("2026-11-25T12:00:00Z")).value("median-ms", 12.5).value("samples", 10L).build());
        return ms;
    }

    byte[] evidence(List<Measurement> ms, byte[] nonce) throws Exception {
        return evidence(ms, nonce, b -> b);
    }

    /** Appends {@code ms}, signs the extent since the last evidence, and advances. */
    byte[] evidence(List<Measurement> ms, byte[] nonce, UnaryOperator<EatClaims.Builder> tweak) throws Exception {
        List<LogEntry> entries = log.append(ms);
        EatClaims.Builder b = EatClaims.builder().profile(EatProfile.PROFILE).iat(now).swname("test-agent")
                .measurementLog(lastSent, entries, log.head());
        if (nonce != null) {
            b.nonce(nonce);
        }
        byte[] token = EvidenceEncoder.of(key).encode(tweak.apply(b).build());
        lastSent = log.head();
        return token;
    }

    byte[] evidence() throws Exception {
        return evidence(cycle(), null);
    }
}
