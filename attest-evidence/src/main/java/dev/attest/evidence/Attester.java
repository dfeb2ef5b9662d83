package dev.attest.evidence;

import dev.attest.core.Collector;
import dev.attest.core.Cycle;
import dev.attest.core.CycleListener;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.MeasurementLog;
import dev.attest.core.MeasurementLogException;
import dev.attest.core.MeasurementScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side in one object (the RATS Attester, RFC 9334 §3.1): runs the collectors, chains
 * every measurement into the {@link MeasurementLog}, and signs each cycle as evidence (an EAT in
 * COSE_Sign1, see {@link EvidenceEncoder}) that the {@code Verifier} appraises.
 *
 * <pre>{@code
 * Attester attester = Attester.builder()
 *         .signer(key)                                   // SigningKey, an HSM key, TpmSigner
 *         .log(Path.of("/var/lib/myapp/attest.log"))     // survives restarts
 *         .discoveredCollectors()
 *         .period(Duration.ofMinutes(5))
 *         .build();
 * attester.start(evidence -> send(evidence.token()));   // periodic
 * byte[] answer = attester.evidence(nonce).token();     // challenge-response
 * }</pre>
 *
 * <p>Every token is filled in by construction: {@code eat_profile}, {@code iat} from the clock,
 * the configured identity claims ({@code ueid}, {@code swname}, ...), the verifier's nonce when it
 * answers a challenge, one submodule per layer with that layer's measurements, and the log
 * extent: from the head the previous token handed out ended at, to the head right after this
 * cycle's measurements were appended. A token counts as handed out when {@link #evidence} returns
 * it or the {@link EvidenceSink} accepts it without throwing; when signing fails, the sink throws,
 * or no one takes a token, its measurements stay in the log and the next token covers them, so
 * the chain the verifier replays never has a gap the device caused.
 *
 * <p>The attester owns the log (it is the only writer, and {@link #close()} closes it). Cycles
 * run one at a time on the scheduler's thread; thread-safe.
 */
public final class Attester implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Attester.class);

    private final MeasurementScheduler scheduler;
    private final MeasurementLog log;
    private final EvidenceEncoder encoder;
    private final Clock clock;
    private final EatClaims identity;
    private final Map<String, CompletableFuture<SignedEvidence>> challenges = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile EvidenceSink sink;
    /** The head the last token handed out ended at; guarded by {@code this}. */
    private LogHead covered;

    private Attester(Builder b, MeasurementLog log, LogHead covered) {
        this.log = log;
        this.covered = covered;
        this.clock = b.clock;
        this.identity = b.identity.build();
        EvidenceEncoder e = EvidenceEncoder.of(b.signer);
        this.encoder = b.x5chain.isEmpty() ? e : e.withX5chain(b.x5chain);
        this.scheduler = b.scheduler.listener(this::onCycle).build();
    }

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the periodic cycles (the first runs at once) and hands each cycle's evidence to
     * {@code sink}, in log order.
     *
     * @param sink where each periodic cycle's evidence goes
     * @throws IllegalStateException if already started or closed
     */
    public void start(EvidenceSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("attester already started");
        }
        this.sink = sink;
        scheduler.start();
    }

    /**
     * Answers a verifier's challenge: runs every collector now (after any cycle in progress)
     * with {@code nonce} in their {@link dev.attest.core.CollectionContext} (a TPM quote
     * collector quotes over it) and returns the signed evidence carrying {@code nonce}. Send it
     * to the verifier like periodic evidence: it continues the same chain. Not given to the sink.
     *
     * @param nonce the verifier's challenge, 8 to 64 bytes (RFC 9711 §4.1)
     * @return the signed evidence
     * @throws IllegalArgumentException if the nonce is shorter or longer, or the same nonce is
     *     being answered already
     * @throws EvidenceException LOG_REFUSED if the log refused the measurements, SIGNING_FAILED
     *     if the signer failed (the next evidence then covers them), CLOSED if the attester is closed
     * @throws InterruptedException if interrupted while waiting (the evidence then goes to the
     *     sink, or is covered by the next)
     */
    public SignedEvidence evidence(byte[] nonce) throws EvidenceException, InterruptedException {
        if (nonce.length < EatClaims.MIN_NONCE || nonce.length > EatClaims.MAX_NONCE) {
            throw new IllegalArgumentException("a nonce must be " + EatClaims.MIN_NONCE + ".."
                    + EatClaims.MAX_NONCE + " bytes");
        }
        String key = HexFormat.of().formatHex(nonce);
        CompletableFuture<SignedEvidence> answer = new CompletableFuture<>();
        if (challenges.putIfAbsent(key, answer) != null) {
            throw new IllegalArgumentException("this nonce is being answered already");
        }
        try {
            scheduler.collectNow(nonce);
        } catch (InterruptedException e) {
            if (!answer.isDone() || answer.isCompletedExceptionally()) {
                throw e;
            }
            // Signed and counted as handed out already: return it rather than lose it.
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            throw new EvidenceException(EvidenceException.Reason.CLOSED, "the attester is closed", e);
        } finally {
            challenges.remove(key, answer);
        }
        if (!answer.isDone()) {
            throw new EvidenceException(EvidenceException.Reason.CLOSED, "the attester closed during the cycle");
        }
        try {
            return answer.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EvidenceException ee) {
                throw new EvidenceException(ee.reason(), ee.getMessage(), ee);
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The collectors, in the order they run.
     *
     * @return the collectors, in run order
     */
    public List<Collector> collectors() {
        return scheduler.collectors();
    }

    /**
     * The head the last evidence handed out ended at (the log's head when built, until then).
     *
     * @return the head the last evidence ended at
     */
    public synchronized LogHead covered() {
        return covered;
    }

    private void onCycle(Cycle cycle) {
        Optional<byte[]> nonce = cycle.nonce();
        CompletableFuture<SignedEvidence> waiting = nonce.map(n -> challenges.remove(HexFormat.of().formatHex(n)))
                .orElse(null);
        synchronized (this) {
            SignedEvidence evidence;
            try {
                evidence = produce(cycle);
            } catch (EvidenceException e) {
                if (waiting != null) {
                    waiting.completeExceptionally(e);
                } else {
                    LOG.error("no evidence for cycle {}: {}", cycle.number(), e.reason(), e);
                }
                return;
            }
            if (waiting != null) {
                covered = evidence.head();
                waiting.complete(evidence);
                return;
            }
            if (evidence.head().sequence() == evidence.since().sequence() && nonce.isEmpty()) {
                return;
            }
            EvidenceSink s = sink;
            if (s == null) {
                LOG.warn("evidence of cycle {} was not taken; the next evidence covers its measurements",
                        cycle.number());
                return;
            }
            try {
                s.accept(evidence);
                covered = evidence.head();
            } catch (Exception e) {
                LOG.error("evidence sink failed on {}; the next evidence covers its measurements again",
                        evidence, e);
            }
        }
    }

    /** Appends the cycle, then signs from the last head handed out to the head after it. */
    private SignedEvidence produce(Cycle cycle) throws EvidenceException {
        try {
            log.append(cycle.measurements());
        } catch (MeasurementLogException e) {
            throw new EvidenceException(EvidenceException.Reason.LOG_REFUSED,
                    "measurement log refused cycle " + cycle.number() + ": " + e.reason(), e);
        }
        LogHead head = log.head();
        LogHead since = covered;
        List<LogEntry> entries = log.entriesAfter(since.sequence());
        if (!entries.isEmpty() && entries.get(0).sequence() != since.sequence() + 1) {
            // More entries went uncovered than the log's window holds: they are gone, and the
            // verifier will say so (continuity.broken); continue from what the log still has.
            LogHead start = log.windowStart();
            LOG.error("log entries {}..{} left the log's window before any evidence covered them",
                    since.sequence() + 1, start.sequence());
            since = new LogHead(start.sequence(), start.head(), head.bootId());
            entries = log.entriesAfter(since.sequence());
        } else if (!since.bootId().equals(head.bootId())) {
            since = new LogHead(since.sequence(), since.head(), head.bootId());
        }
        EatClaims.Builder b = identity.toBuilder().iat(clock.instant()).measurementLog(since, entries, head);
        cycle.nonce().ifPresent(b::nonce);
        try {
            return new SignedEvidence(encoder.encode(b.build()), since, head, cycle.nonce(), cycle.number());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new EvidenceException(EvidenceException.Reason.SIGNING_FAILED,
                    "signer failed on cycle " + cycle.number() + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** Stops the cycles (waiting for one in progress), then closes the log. Idempotent. */
    @Override
    public void close() {
        scheduler.close();
        log.close();
    }

    /** Configures an {@link Attester}: a signer, a log and at least one collector are required. */
    public static final class Builder {
        private final MeasurementScheduler.Builder scheduler = MeasurementScheduler.builder();
        private final EatClaims.Builder identity = EatClaims.builder().profile(EatProfile.PROFILE);
        private Signer signer;
        private List<X509Certificate> x5chain = List.of();
        private MeasurementLog log;
        private Path logPath;
        private long resumeAfter = -1;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Signs with {@code signer}: a {@link SigningKey} (software, or an HSM key through its
         * JCA provider), a TPM-resident key ({@code TpmSigner} in attest-tpm), or your own.
         *
         * @param signer the signer
         * @return this builder
         */
        public Builder signer(Signer signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        /**
         * Also sends {@code chain} (leaf first) in each token's {@code x5chain} (RFC 9360).
         *
         * @param chain the certificates, leaf first
         * @return this builder
         */
        public Builder x5chain(List<X509Certificate> chain) {
            this.x5chain = List.copyOf(chain);
            return this;
        }

        /**
         * The measurement log persisted at {@code path} (SHA-256, {@link MeasurementLog#DEFAULT_WINDOW}
         * entries), opened by {@link #build()}; the boot id is the kernel's
         * ({@code /proc/sys/kernel/random/boot_id}), or a random one per process where there is none.
         *
         * @param path the log file
         * @return this builder
         */
        public Builder log(Path path) {
            this.logPath = Objects.requireNonNull(path, "path");
            this.log = null;
            return this;
        }

        /**
         * A log you opened; the attester becomes its only writer and closes it.
         *
         * @param log the open log
         * @return this builder
         */
        public Builder log(MeasurementLog log) {
            this.log = Objects.requireNonNull(log, "log");
            this.logPath = null;
            return this;
        }

        /**
         * The first evidence covers the log's entries after {@code sequence} (which the last
         * evidence a previous run handed out ended at, e.g. as your delivery queue remembers it)
         * instead of starting at the log's head: entries a crash left uncovered are then sent.
         *
         * @param sequence the sequence number the last evidence ended at
         * @return this builder
         * @throws IllegalArgumentException for a negative sequence
         */
        public Builder resumeAfter(long sequence) {
            if (sequence < 0) {
                throw new IllegalArgumentException("sequence must not be negative");
            }
            this.resumeAfter = sequence;
            return this;
        }

        /**
         * Adds a collector at the default period; one that is a {@link CycleListener} also hears each cycle.
         *
         * @param c the collector
         * @return this builder
         */
        public Builder collector(Collector c) {
            scheduler.collector(c);
            if (c instanceof CycleListener l) {
                scheduler.listener(l);
            }
            return this;
        }

        /**
         * Adds a collector with its own interval.
         *
         * @param c the collector
         * @param interval the interval between its runs
         * @return this builder
         */
        public Builder collector(Collector c, Duration interval) {
            scheduler.collector(c, interval);
            if (c instanceof CycleListener l) {
                scheduler.listener(l);
            }
            return this;
        }

        /**
         * Adds every collector {@link Collector#discover()} finds: the built-ins and yours.
         *
         * @return this builder
         */
        public Builder discoveredCollectors() {
            Collector.discover().forEach(this::collector);
            return this;
        }

        /**
         * Adds a listener for each completed measurement cycle, periodic or challenged (its
         * duration, each collector's run), for metrics or logs. It is called on the scheduler's
         * thread before the cycle's evidence is signed, so it must be quick; one that throws is
         * logged and changes nothing else ({@link CycleListener}).
         *
         * @param l the listener
         * @return this builder
         */
        public Builder listener(CycleListener l) {
            scheduler.listener(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /**
         * The interval between periodic cycles (60 s unless set).
         *
         * @param period the interval
         * @return this builder
         */
        public Builder period(Duration period) {
            scheduler.period(period);
            return this;
        }

        /**
         * Each periodic cycle starts up to this much later, at random (zero unless set).
         *
         * @param jitter the largest random delay; must be below the period
         * @return this builder
         */
        public Builder jitter(Duration jitter) {
            scheduler.jitter(jitter);
            return this;
        }

        /**
         * How long one collector run may take (30 s unless set).
         *
         * @param timeout the longest a collector run may take
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            scheduler.timeout(timeout);
            return this;
        }

        /**
         * The clock for {@code iat} and the cycles (the system UTC clock unless set).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            scheduler.clock(clock);
            return this;
        }

        /**
         * The device's UEID (7 to 33 bytes, RFC 9711 §4.2.1), in every token.
         *
         * @param ueid the UEID
         * @return this builder
         */
        public Builder ueid(byte[] ueid) {
            identity.ueid(ueid);
            return this;
        }

        /**
         * The OEM id (RFC 9711 §4.2.2), in every token.
         *
         * @param oemid the OEM id
         * @return this builder
         */
        public Builder oemid(byte[] oemid) {
            identity.oemid(oemid);
            return this;
        }

        /**
         * The hardware model (RFC 9711 §4.2.4), in every token.
         *
         * @param hwmodel the hardware model
         * @return this builder
         */
        public Builder hwmodel(byte[] hwmodel) {
            identity.hwmodel(hwmodel);
            return this;
        }

        /**
         * The software name (RFC 9711 §4.2.6), in every token.
         *
         * @param swname the software name
         * @return this builder
         */
        public Builder swname(String swname) {
            identity.swname(swname);
            return this;
        }

        /**
         * The software version (RFC 9711 §4.2.7), in every token.
         *
         * @param swversion the software version
         * @return this builder
         */
        public Builder swversion(String swversion) {
            identity.swversion(swversion);
            return this;
        }

        /**
         * The attester; opens the log when it was given as a path.
         *
         * @return the attester, not yet started
         * @throws IllegalStateException without a signer or a log
         * @throws IllegalArgumentException without collectors, with a jitter not below the period,
         *     two collectors with one id, or a {@link #resumeAfter} the log does not hold
         * @throws MeasurementLogException if the log file cannot be opened (its reason says why)
         */
        public Attester build() throws MeasurementLogException {
            if (signer == null) {
                throw new IllegalStateException("no signer");
            }
            if (log == null && logPath == null) {
                throw new IllegalStateException("no measurement log (log(Path) or log(MeasurementLog))");
            }
            MeasurementLog l = log != null ? log : MeasurementLog.open(logPath, DigestAlgorithm.SHA_256, bootId(),
                    MeasurementLog.DEFAULT_WINDOW);
            try {
                return new Attester(this, l, start(l));
            } catch (RuntimeException e) {
                if (logPath != null) {
                    l.close();
                }
                throw e;
            }
        }

        private LogHead start(MeasurementLog l) {
            LogHead head = l.head();
            if (resumeAfter < 0 || resumeAfter == head.sequence()) {
                return head;
            }
            if (resumeAfter > head.sequence()) {
                throw new IllegalArgumentException("resumeAfter(" + resumeAfter + ") is past the log's head "
                        + head.sequence());
            }
            LogHead start = l.windowStart();
            if (resumeAfter == start.sequence()) {
                return new LogHead(start.sequence(), start.head(), head.bootId());
            }
            for (LogEntry e : l.entries()) {
                if (e.sequence() == resumeAfter) {
                    return new LogHead(e.sequence(), e.head(), head.bootId());
                }
            }
            throw new IllegalArgumentException("entry " + resumeAfter + " has left the log's window (it starts after "
                    + start.sequence() + ")");
        }

        private static String bootId() {
            try {
                String id = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
                if (!id.isEmpty()) {
                    return id;
                }
            } catch (IOException | SecurityException e) {
                LOG.debug("no kernel boot id: {}", e.toString());
            }
            return UUID.randomUUID().toString();
        }
    }
}
