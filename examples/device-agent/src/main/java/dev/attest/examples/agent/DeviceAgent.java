package dev.attest.examples.agent;

import dev.attest.core.LogHead;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.Attester;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.SignedEvidence;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side of continuous attestation: the {@link Attester} measures, chains and signs
 * each cycle; the agent queues every token on disk and delivers the queue to the verifier in
 * order from a single delivery thread. While the verifier is unreachable evidence waits in the
 * queue; when it returns, everything is delivered, oldest first. A restart continues the log and
 * the queue. The agent opens no listening port (its optional metrics endpoint is
 * {@link MetricsEndpoint}, on loopback). A verifier that answers 401 or 403 does not accept the
 * agent's credentials (its TLS client certificate): the evidence stays queued, as when the
 * verifier is away, rather than being thrown away as refused.
 */
public final class DeviceAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceAgent.class);

    private final Attester attester;
    private final EvidenceQueue queue;
    private final VerifierClient client;
    private final ExecutorService delivery;
    private final AgentMetrics metrics;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastResult = "";

    /**
     * @param attester the collectors, cadence, signer and log; the agent resumes after the last
     *     evidence the queue took, so entries a crash left uncovered are sent
     */
    public DeviceAgent(Attester.Builder attester, MeasurementLog log, EvidenceQueue queue, VerifierClient client)
            throws Exception {
        this(attester, log, queue, client, AgentMetrics.NONE);
    }

    /**
     * @param attester the collectors, cadence, signer and log; the agent resumes after the last
     *     evidence the queue took, so entries a crash left uncovered are sent
     * @param metrics where cycles, queueing and deliveries are reported
     */
    public DeviceAgent(Attester.Builder attester, MeasurementLog log, EvidenceQueue queue, VerifierClient client,
            AgentMetrics metrics) throws Exception {
        this.queue = queue;
        this.client = client;
        this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");
        if (metrics != AgentMetrics.NONE) {
            attester.listener(cycle -> metrics.cycle(cycle.duration()));
        }
        long covered = queue.lastAdded();
        LogHead head = log.head();
        if (covered >= log.windowStart().sequence() && covered <= head.sequence()) {
            attester.resumeAfter(covered);
        } else if (covered != 0 || head.sequence() != 0) {
            LOG.error("the queue's last evidence ({}) is not in the log ({}..{}): the verifier will report a broken chain",
                    covered, log.windowStart().sequence(), head.sequence());
        }
        this.attester = attester.log(log).build();
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "attest-delivery");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the periodic cycles; evidence already queued is delivered first. */
    public void start() {
        delivery.execute(this::deliverQueued);
        attester.start(this::enqueue);
    }

    private void enqueue(SignedEvidence e) throws IOException {
        synchronized (this) {
            List<Long> dropped = queue.add(e.head().sequence(), e.token());
            metrics.queued();
            if (!dropped.isEmpty()) {
                LOG.warn("evidence queue full: dropped the oldest evidence {} (dropped so far: {})",
                        dropped, queue.droppedCount());
            }
        }
        delivery.execute(this::deliverQueued);
    }

    /**
     * Challenge-response: asks the verifier for a nonce, answers it with fresh evidence, and waits
     * until that evidence (and everything queued before it) was delivered.
     *
     * @return the verifier's answer to the challenged evidence
     */
    public String challenge() throws IOException, InterruptedException, EvidenceException {
        enqueue(attester.evidence(client.challenge()));
        try {
            delivery.submit(this::deliverQueued).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("delivery failed", e.getCause());
        }
        if (queued() != 0) {
            throw new IOException("verifier unreachable: " + queued() + " evidence queued");
        }
        return lastResult;
    }

    private void deliverQueued() {
        while (true) {
            Optional<EvidenceQueue.Item> next;
            synchronized (this) {
                try {
                    next = queue.oldest();
                } catch (IOException e) {
                    LOG.error("cannot read the evidence queue", e);
                    return;
                }
            }
            if (next.isEmpty()) {
                return;
            }
            EvidenceQueue.Item item = next.get();
            VerifierClient.Delivery d;
            try {
                d = client.send(item.evidence());
            } catch (IOException e) {
                LOG.info("verifier unreachable ({}); {} evidence queued", e.getMessage(), queued());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (d.accepted()) {
                delivered.incrementAndGet();
                metrics.accepted();
                lastResult = d.body();
            } else if (d.status() == 401 || d.status() == 403) {
                // The verifier does not accept this agent's credentials, not this evidence: keep
                // it until the credentials are fixed (the queue's bound still applies).
                LOG.error("verifier refuses this agent (HTTP {} {}); {} evidence queued: check client.key and client.cert",
                        d.status(), d.body(), queued());
                return;
            } else if (d.status() >= 400 && d.status() < 500 && d.status() != 408 && d.status() != 429) {
                // The verifier will never take this evidence: keep going, loudly, rather than block.
                refused.incrementAndGet();
                metrics.refused();
                LOG.error("verifier refused evidence {}: HTTP {} {}", item.sequence(), d.status(), d.body());
            } else {
                LOG.info("verifier busy (HTTP {}); {} evidence queued", d.status(), queued());
                return;
            }
            synchronized (this) {
                try {
                    queue.remove(item.sequence());
                } catch (IOException e) {
                    LOG.error("cannot remove delivered evidence {}", item.sequence(), e);
                    return;
                }
            }
        }
    }

    /** Evidence the verifier accepted since start. */
    public long deliveredCount() {
        return delivered.get();
    }

    /** Evidence the verifier refused outright (HTTP 4xx) since start. */
    public long refusedCount() {
        return refused.get();
    }

    /** Evidence waiting for the verifier. */
    public synchronized int queued() {
        return queue.size();
    }

    /** How long the oldest waiting evidence has waited; empty when none waits. */
    public synchronized Optional<java.time.Duration> oldestQueuedAge() throws IOException {
        return queue.oldestQueuedAt().map(t -> java.time.Duration.between(t, java.time.Instant.now()));
    }

    /** Evidence dropped because the queue was full, ever (the count survives restarts). */
    public synchronized long droppedCount() {
        return queue.droppedCount();
    }

    /** Stops cycles and delivery, then closes the log. */
    @Override
    public void close() {
        attester.close();
        delivery.shutdown();
        try {
            delivery.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
