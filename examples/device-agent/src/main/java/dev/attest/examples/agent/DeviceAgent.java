package dev.attest.examples.agent;

import dev.attest.core.Cycle;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.MeasurementLog;
import dev.attest.core.MeasurementLogException;
import dev.attest.core.MeasurementScheduler;
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
 * The device side of continuous attestation: every cycle's measurements are appended to the
 * persistent log, signed as evidence covering exactly the entries since the previous evidence,
 * queued on disk, and delivered to the verifier in order by a single delivery thread. While the
 * verifier is unreachable evidence waits in the queue; when it returns, everything is delivered,
 * oldest first. A restart continues the log and the queue. The agent opens no listening port.
 */
public final class DeviceAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceAgent.class);

    private final MeasurementLog log;
    private final EvidenceQueue queue;
    private final EvidenceSigner signer;
    private final VerifierClient client;
    private final MeasurementScheduler scheduler;
    private final ExecutorService delivery;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastResult = "";

    /**
     * @param schedulerBuilder the collectors and cadence; the agent adds its own listener
     */
    public DeviceAgent(MeasurementLog log, EvidenceQueue queue, EvidenceSigner signer, VerifierClient client,
            MeasurementScheduler.Builder schedulerBuilder) {
        this.log = log;
        this.queue = queue;
        this.signer = signer;
        this.client = client;
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "attest-delivery");
            t.setDaemon(true);
            return t;
        });
        this.scheduler = schedulerBuilder.listener(this::onCycle).build();
    }

    /** Starts the periodic cycles; evidence already queued is delivered first. */
    public void start() {
        catchUp();
        delivery.execute(this::deliverQueued);
        scheduler.start();
    }

    /**
     * After a crash between appending a cycle to the log and queueing its evidence, the log holds
     * entries no evidence covers; without them the verifier would see a broken chain. Sign them
     * now, from the head the last queued evidence ended at.
     */
    private synchronized void catchUp() {
        long covered = queue.lastAdded();
        LogHead head = log.head();
        if (head.sequence() <= covered) {
            return;
        }
        List<LogEntry> missing = log.entriesAfter(covered);
        try {
            LogHead since;
            if (covered == 0) {
                since = new LogHead(0, MeasurementLog.genesis(head.head().algorithm()), head.bootId());
            } else {
                LogEntry last = log.entries().stream().filter(e -> e.sequence() == covered).findFirst()
                        .orElseThrow(() -> new IllegalStateException("entry " + covered + " left the log window"));
                since = new LogHead(covered, last.head(), head.bootId());
            }
            if (missing.isEmpty() || missing.get(0).sequence() != covered + 1) {
                throw new IllegalStateException("entries after " + covered + " left the log window");
            }
            byte[] evidence = signer.sign(since, missing, head, Optional.empty());
            queue.add(head.sequence(), evidence);
            LOG.warn("signed {} log entries ({}..{}) that no evidence covered (the agent stopped in between)",
                    missing.size(), covered + 1, head.sequence());
        } catch (Exception e) {
            LOG.error("cannot cover log entries after {}: the verifier will report a broken chain", covered, e);
        }
    }

    /**
     * Challenge-response: asks the verifier for a nonce, runs a cycle bound to it, and waits until
     * its evidence (and everything queued before it) was delivered.
     *
     * @return the verifier's answer to the challenged evidence
     */
    public String challenge() throws IOException, InterruptedException {
        byte[] nonce = client.challenge();
        scheduler.collectNow(nonce);
        try {
            delivery.submit(this::deliverQueued).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("delivery failed", e.getCause());
        }
        if (queue.size() != 0) {
            throw new IOException("verifier unreachable: " + queue.size() + " evidence queued");
        }
        return lastResult;
    }

    private void onCycle(Cycle cycle) {
        try {
            byte[] evidence;
            long sequence;
            synchronized (this) {
                LogHead since = log.head();
                List<LogEntry> entries = log.append(cycle.measurements());
                if (entries.isEmpty()) {
                    return;
                }
                LogHead head = log.head();
                evidence = signer.sign(since, entries, head, cycle.nonce());
                sequence = head.sequence();
                List<Long> dropped = queue.add(sequence, evidence);
                if (!dropped.isEmpty()) {
                    LOG.warn("evidence queue full: dropped the oldest evidence {} (dropped so far: {})",
                            dropped, queue.droppedCount());
                }
            }
            delivery.execute(this::deliverQueued);
        } catch (MeasurementLogException e) {
            LOG.error("measurement log refused cycle {}: {} — no evidence produced", cycle.number(), e.reason(), e);
        } catch (Exception e) {
            LOG.error("could not produce evidence for cycle {}", cycle.number(), e);
        }
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
                LOG.info("verifier unreachable ({}); {} evidence queued", e.getMessage(), queue.size());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (d.accepted()) {
                delivered.incrementAndGet();
                lastResult = d.body();
            } else if (d.status() >= 400 && d.status() < 500 && d.status() != 408 && d.status() != 429) {
                // The verifier will never take this evidence: keep going, loudly, rather than block.
                refused.incrementAndGet();
                LOG.error("verifier refused evidence {}: HTTP {} {}", item.sequence(), d.status(), d.body());
            } else {
                LOG.info("verifier busy (HTTP {}); {} evidence queued", d.status(), queue.size());
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

    /** Stops cycles and delivery, then closes the log. */
    @Override
    public void close() {
        scheduler.close();
        delivery.shutdown();
        try {
            delivery.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
    }
}
