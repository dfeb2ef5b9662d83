package dev.attest.bench.verify;

import dev.attest.bench.Fixtures;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.DeviceState;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.JdbcDeviceStateStore;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * A fleet verifier's appraisal rate with durable state: {@link Verifier#appraise} for a fleet of
 * {@value #FLEET} devices (each its own ES256 key, pinned, and its own chain of 50-measurement
 * evidences), on {@value #THREADS} threads as a service's workers would (its HTTP pool), with the state in
 * PostgreSQL ({@link JdbcDeviceStateStore}, group commit and grouped reads) against the same with
 * {@link DeviceStateStore#inMemory()} in the same run ({@code baselineInMemory}); issue 22's
 * target: {@code appraisePostgres} at least 0.8 of the baseline. {@link #paired} alternates the
 * two every iteration in one JVM, which is how the ratio is judged on a shared machine.
 *
 * <p>Each thread owns every {@value #THREADS}th device and visits them in turn, appraising each
 * one's next evidence: every appraisal reads its device's state, checks continuity and
 * compare-and-sets the new head, a different device each time. When a device's chain of
 * {@value #CHAIN} is used up it starts again under a new state key (one "first seen" appraisal,
 * an insert, in {@value #CHAIN}), for both stores alike. Every result must be affirming.
 *
 * <p>PostgreSQL is the one the tests use: {@code ATTEST_TEST_JDBC_URL}, else that line of
 * {@code target/test-services} in the repository root ({@code .ci/setup.d/35-postgresql.sh}
 * writes it); the benchmark works in a schema of its own, dropped at the end. The server runs on
 * the same machine and shares its cores with the verifier, and commits are durable
 * ({@code fsync} and {@code synchronous_commit} as the server is configured).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Threads(FleetStoreBenchmark.THREADS)
@Warmup(iterations = 3, time = 5)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 5)
public class FleetStoreBenchmark {
    static final int FLEET = 10_000;
    static final int CHAIN = 10;
    static final int THREADS = 32;

    /** A verifier over one store, with the state key each device has now in it. */
    static final class Side {
        final Verifier verifier;
        /** Device id to the key its state has now (a new one each time its chain starts again). */
        final Map<String, String> stateKeys = new ConcurrentHashMap<>();
        final LongAdder notAffirming = new LongAdder();

        Side(Fleet fleet, DeviceStateStore store) throws dev.attest.verify.ConfigException {
            verifier = Verifier.builder()
                    .trustAnchors(TrustAnchors.pinned(fleet.pinned))
                    .referenceValues(fleet.refs)
                    .policy(Policy.fromJson(AppraisalBenchmark.POLICY))
                    .stateStore(new Rekeyed(store, stateKeys))
                    .clock(Clock.fixed(Fixtures.T0.plusSeconds(30), ZoneOffset.UTC))
                    .build();
        }

        void check() {
            long n = notAffirming.sumThenReset();
            if (n != 0) {
                throw new IllegalStateException(n + " appraisals were not affirming");
            }
        }
    }

    /**
     * The fleet's evidence, and a verifier over each store: in memory, and PostgreSQL in a fresh
     * schema. Both appraise the same evidence bytes, each with its own state.
     */
    @State(Scope.Benchmark)
    public static class Fleet {
        final String[] ids = new String[FLEET];
        final byte[][][] chains = new byte[FLEET][][];
        final Map<String, VerificationKey> pinned = new ConcurrentHashMap<>();
        ReferenceValues refs;
        Side inMemory;
        Side postgres;
        private String base;
        private String schema;
        private JdbcDeviceStateStore store;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Fixtures.Device golden = new Fixtures.Device("golden", SignatureAlgorithm.ES256);
            refs = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(
                    golden.key().verificationKey().orElseThrow())).build().decode(golden.next()).claims());
            IntStream.range(0, FLEET).parallel().forEach(i -> {
                String id = String.format("device-%05d", i);
                Fixtures.Device device = new Fixtures.Device(id, SignatureAlgorithm.ES256);
                byte[][] chain = new byte[CHAIN][];
                try {
                    for (int k = 0; k < CHAIN; k++) {
                        chain[k] = device.next();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                ids[i] = id;
                chains[i] = chain;
                pinned.put(id, device.key().verificationKey().orElseThrow());
            });
            base = postgresUrl();
            schema = "attest_bench_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
            try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            }
            store = JdbcDeviceStateStore.open(base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema);
            inMemory = new Side(this, DeviceStateStore.inMemory());
            postgres = new Side(this, store);
        }

        @TearDown(Level.Iteration)
        public void checkAllAffirming() {
            inMemory.check();
            postgres.check();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            store.close();
            try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /** One thread's devices (every {@code threads}th) and where each one's chain is, per store. */
    @State(Scope.Thread)
    public static class Cursor {
        private int[] devices;
        private final int[][] position = new int[2][];
        private final int[][] round = new int[2][];
        private final int[] next = new int[2];
        private final AppraisalContext context = AppraisalContext.periodic();

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            devices = IntStream.range(0, FLEET).filter(i -> i % thread.getThreadCount() == thread.getThreadIndex())
                    .toArray();
            for (int s = 0; s < 2; s++) {
                position[s] = new int[devices.length];
                round[s] = new int[devices.length];
            }
        }

        AttestationResult appraiseNext(Fleet fleet, boolean postgres) {
            int s = postgres ? 1 : 0;
            Side side = postgres ? fleet.postgres : fleet.inMemory;
            int slot = next[s];
            next[s] = slot + 1 == devices.length ? 0 : slot + 1;
            int d = devices[slot];
            if (position[s][slot] == CHAIN) {
                position[s][slot] = 0;
                round[s][slot]++;
                side.stateKeys.put(fleet.ids[d], fleet.ids[d] + "#" + round[s][slot]);
            }
            AttestationResult r = side.verifier.appraise(fleet.chains[d][position[s][slot]++], context);
            if (!r.affirming()) {
                side.notAffirming.increment();
            }
            return r;
        }
    }

    /**
     * Which store {@link #paired} appraises with in an iteration: in turn, one per iteration,
     * counted in its own field, so that {@code dev.attest.bench.Main} pairs each baseline
     * iteration with the PostgreSQL iteration just before it.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Sides {
        public long appraisePostgres;
        public long baselineInMemory;
        private int iterations;
        private boolean postgres;

        @Setup(Level.Iteration)
        public void nextSide() {
            appraisePostgres = 0;
            baselineInMemory = 0;
            postgres = iterations++ % 2 == 0;
        }
    }

    @Benchmark
    public AttestationResult baselineInMemory(Fleet fleet, Cursor cursor) {
        return cursor.appraiseNext(fleet, false);
    }

    @Benchmark
    public AttestationResult appraisePostgres(Fleet fleet, Cursor cursor) {
        return cursor.appraiseNext(fleet, true);
    }

    /**
     * Both in one JVM, alternating every iteration: the shared machine's drift cancels out of each
     * pair of neighbouring iterations. Its own score mixes the two and means nothing.
     */
    @Benchmark
    public AttestationResult paired(Fleet fleet, Cursor cursor, Sides sides) {
        if (sides.postgres) {
            sides.appraisePostgres++;
            return cursor.appraiseNext(fleet, true);
        }
        sides.baselineInMemory++;
        return cursor.appraiseNext(fleet, false);
    }

    /** The URL the tests use ({@code ATTEST_TEST_JDBC_URL} or the repository's target/test-services). */
    static String postgresUrl() throws Exception {
        String url = System.getenv("ATTEST_TEST_JDBC_URL");
        Path services = Fixtures.vectors().getParent().resolve("target").resolve("test-services");
        if ((url == null || url.isBlank()) && Files.isRegularFile(services)) {
            for (String line : Files.readAllLines(services)) {
                if (line.startsWith("ATTEST_TEST_JDBC_URL=")) {
                    url = line.substring("ATTEST_TEST_JDBC_URL=".length()).trim();
                }
            }
        }
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("no PostgreSQL: set ATTEST_TEST_JDBC_URL or run sudo "
                    + ".ci/setup.d/35-postgresql.sh (it writes target/test-services)");
        }
        return url;
    }

    /** A store under another state key per device (the fleet's chains start again under a new one). */
    private record Rekeyed(DeviceStateStore inner, Map<String, String> keys) implements DeviceStateStore {
        private String key(String device) {
            return keys.getOrDefault(device, device);
        }

        @Override
        public Optional<DeviceState> get(String device) {
            return inner.get(key(device));
        }

        @Override
        public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
            return inner.compareAndSet(key(device), expected, next);
        }

        @Override
        public boolean useNonce(String device, byte[] nonce, Duration ttl) {
            return inner.useNonce(key(device), nonce, ttl);
        }

        @Override
        public Optional<byte[]> appraiserState(String device, String appraiser) {
            return inner.appraiserState(key(device), appraiser);
        }

        @Override
        public boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected,
                byte[] next) {
            return inner.compareAndSetAppraiserState(key(device), appraiser, expected, next);
        }
    }
}
