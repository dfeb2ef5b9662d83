package dev.attest.cli;

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
import dev.attest.evidence.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/** Test helper: a token whose claims are fixed, so its decoded forms can be compared byte for byte. */
final class Tokens {
    static final String NONCE_HEX = "000102030405060708090a0b0c0d0e0f";

    private Tokens() {
    }

    static EatClaims fixedClaims(Instant iat) throws Exception {
        try (MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-golden", 16)) {
            LogHead since = log.head();
            Measurement app = Measurement.builder(ComponentId.of("/opt/app/app.jar", "2.1.0"), Layer.APPLICATION)
                    .collector("file-digest").time(Instant.parse("2026-01-02T03:04:05Z"))
                    .digest(DigestAlgorithm.SHA_256.hash("app".getBytes(StandardCharsets.US_ASCII)))
                    .value("size", 3L).build();
            Measurement conf = Measurement.builder(ComponentId.of("/etc/app.conf"), Layer.OS)
                    .collector("file-digest").time(Instant.parse("2026-01-02T03:04:05.250Z"))
                    .digest(DigestAlgorithm.SHA_256.hash("conf".getBytes(StandardCharsets.US_ASCII)))
                    .value("size", 4L).build();
            List<LogEntry> entries = log.append(List.of(app, conf));
            return EatClaims.builder().iat(iat).profile(EatProfile.PROFILE).swname("attest-cli")
                    .nonce(HexFormat.of().parseHex(NONCE_HEX)).measurementLog(since, entries, log.head()).build();
        }
    }

    static byte[] fixed(SigningKey key) throws Exception {
        return EvidenceEncoder.of(key).encode(fixedClaims(Instant.parse("2026-01-02T03:04:06Z")));
    }
}
