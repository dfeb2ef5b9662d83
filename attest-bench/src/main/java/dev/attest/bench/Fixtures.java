package dev.attest.bench;

import dev.attest.core.ComponentId;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.DebugStatus;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.Signer;
import dev.attest.evidence.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The evidence the benchmarks sign, decode and appraise: one agent cycle of
 * {@value #MEASUREMENTS} measurements as a real device reports them (boot chain, kernel, OS
 * libraries, application files, timing statistics), appended to a real hash-chained log.
 */
public final class Fixtures {
    /** Measurements per evidence. */
    public static final int MEASUREMENTS = 50;
    /** The time every evidence claims ({@code iat}) and measurements carry. */
    public static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    /** The 16-byte nonce of challenge-response evidence. */
    public static final byte[] NONCE = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static final String[] FIRMWARE = {"/boot/efi/EFI/debian/shimx64.efi", "/boot/efi/EFI/debian/grubx64.efi",
        "/boot/vmlinuz-6.1.0-28-amd64", "/boot/initrd.img-6.1.0-28-amd64"};
    private static final String[] OS_LIBS = {"libc.so.6", "libssl.so.3", "libcrypto.so.3", "libz.so.1", "libm.so.6",
        "libpthread.so.0", "libdl.so.2", "libstdc++.so.6", "libgcc_s.so.1", "libsystemd.so.0", "libcap.so.2",
        "libseccomp.so.2", "libselinux.so.1", "libpcre2-8.so.0", "liblzma.so.5", "libzstd.so.1", "libgcrypt.so.20",
        "libffi.so.8", "libexpat.so.1", "libuuid.so.1"};
    /** Components of the timing layer and their statistics (no digests). */
    public static final String[] TIMING = {"workload/request", "workload/db", "workload/tls", "workload/gc",
        "workload/startup"};

    private Fixtures() {
    }

    /** The period between two cycles of a device. */
    public static final java.time.Duration PERIOD = java.time.Duration.ofMinutes(1);

    private static Measurement file(String path, String version, Layer layer, Instant at) {
        return Measurement.builder(ComponentId.of(path, version), layer).collector("file-digest").time(at)
                .digest(DigestAlgorithm.SHA_256.hash(("contents of " + path + " " + version)
                        .getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    /**
     * The repository's test vectors ({@code vectors/} in the repository root, found by walking up
     * from the working directory, so the benchmarks run from the root or from attest-bench).
     */
    public static java.nio.file.Path vectors() {
        java.nio.file.Path start = java.nio.file.Path.of("").toAbsolutePath().normalize();
        for (java.nio.file.Path p = start; p != null; p = p.getParent()) {
            if (java.nio.file.Files.isRegularFile(p.resolve("mvnw"))
                    && java.nio.file.Files.isDirectory(p.resolve("vectors"))) {
                return p.resolve("vectors");
            }
        }
        throw new IllegalStateException("run the benchmarks inside the repository: no vectors/ folder above " + start);
    }

    /** One agent cycle taken at {@link #T0}. */
    public static List<Measurement> cycle() {
        return cycle(T0);
    }

    /**
     * One agent cycle: 4 boot files, 20 OS libraries, 21 application files, 5 timing statistics,
     * each taken a millisecond after the one before, from {@code start} on (as collectors do: the
     * times differ from cycle to cycle, the rest of each measurement does not).
     */
    public static List<Measurement> cycle(Instant start) {
        List<Measurement> ms = new ArrayList<>(MEASUREMENTS);
        for (String f : FIRMWARE) {
            ms.add(file(f, "6.1.119-1", Layer.FIRMWARE, start.plusMillis(ms.size())));
        }
        for (String lib : OS_LIBS) {
            ms.add(file("/usr/lib/x86_64-linux-gnu/" + lib, "12.8", Layer.OS, start.plusMillis(ms.size())));
        }
        ms.add(file("/opt/shop/bin/shop-server", "4.2.1", Layer.APPLICATION, start.plusMillis(ms.size())));
        for (int i = 1; i <= 20; i++) {
            ms.add(file("/opt/shop/lib/dependency-" + i + ".jar", "1." + i + ".0", Layer.APPLICATION,
                    start.plusMillis(ms.size())));
        }
        for (int i = 0; i < TIMING.length; i++) {
            ms.add(Measurement.builder(ComponentId.of(TIMING[i]), Layer.TIMING).collector("timing")
                    .time(start.plusMillis(ms.size()))
                    .value("median-ms", 2.5 + i).value("p99-ms", 11.25 + i).value("samples", 1000L + i).build());
        }
        return ms;
    }

    /** A device: a real signing key and a real hash-chained measurement log. */
    public static final class Device {
        private final SigningKey key;
        private final MeasurementLog log;
        private LogHead lastSent;
        private long cycles;

        /** A device whose key has id {@code id}. */
        public Device(String id, SignatureAlgorithm alg) {
            this.key = SigningKey.generate(alg, Optional.of(KeyId.of(id)));
            this.log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-" + id, 4096);
            this.lastSent = log.head();
        }

        /** Its signing key. */
        public SigningKey key() {
            return key;
        }

        /** The claims of the next cycle: appends {@link #cycle(Instant)}, one {@link #PERIOD} after the last, to the log and advances. */
        public EatClaims nextClaims(Optional<byte[]> nonce) throws Exception {
            return nextClaims(nonce, List.of());
        }

        /** As {@link #nextClaims(Optional)}, with {@code extra} measurements after the cycle's. */
        public EatClaims nextClaims(Optional<byte[]> nonce, List<Measurement> extra) throws Exception {
            List<Measurement> ms = cycle(T0.plus(PERIOD.multipliedBy(cycles++)));
            ms.addAll(extra);
            List<LogEntry> entries = log.append(ms);
            EatClaims.Builder b = EatClaims.builder().profile(EatProfile.PROFILE).iat(T0)
                    .ueid(new byte[] {0x01, 0x5e, 0x1f, 0x00, 0x42, 0x13, 0x37, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                        0x00, 0x00, 0x2a})
                    .swname("shop-agent").swversion("0.1.0").dbgstat(DebugStatus.DISABLED).uptime(86_400)
                    .measurementLog(lastSent, entries, log.head());
            nonce.ifPresent(b::nonce);
            lastSent = log.head();
            return b.build();
        }

        /** The signed evidence of the next cycle. */
        public byte[] next() throws Exception {
            return EvidenceEncoder.of(key).encode(nextClaims(Optional.empty()));
        }
    }

    /** A signer that remembers the last Sig_structure it signed, to benchmark the same bytes raw. */
    public static final class Capturing implements Signer {
        private final Signer inner;
        private byte[] toBeSigned;

        public Capturing(Signer inner) {
            this.inner = inner;
        }

        @Override
        public SignatureAlgorithm algorithm() {
            return inner.algorithm();
        }

        @Override
        public Optional<KeyId> keyId() {
            return inner.keyId();
        }

        @Override
        public byte[] sign(byte[] tbs) throws GeneralSecurityException {
            toBeSigned = tbs.clone();
            return inner.sign(tbs);
        }

        /** The last Sig_structure signed. */
        public byte[] toBeSigned() {
            return toBeSigned.clone();
        }
    }
}
