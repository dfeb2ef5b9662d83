package dev.attest.tpm.attest;

import dev.attest.core.ComponentId;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.collectors.ImaCollector;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmsAttest;
import dev.attest.tpm.ima.ImaEntry;
import dev.attest.tpm.ima.ImaLog;
import dev.attest.tpm.ima.ImaPolicy;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The verifier's binding of the Linux IMA list ({@link ImaCollector} measurements) to a verified
 * quote of PCR 10, and the per-device state it carries between evidences. Pure functions of the
 * previous state and one evidence; {@link TpmAppraiser} applies them atomically per device,
 * reading and swapping the state ({@link TpmDeviceState}, with the TPM clock) in the verifier's
 * store, so it outlives the verifier process and is shared by replicas.
 */
final class ImaBinding {
    /** The PCR IMA extends by default (CONFIG_IMA_MEASURE_PCR_IDX). */
    static final int PCR = 10;
    private static final HexFormat HEX = HexFormat.of();
    private static final String SUMMARY = "ima-log";
    /** Bound on the allowlist findings kept for entries not yet bound. */
    static final int MAX_DEFERRED = 10_000;

    private ImaBinding() {
    }

    /**
     * One entry the verifier rebuilt from the reported fields.
     *
     * @param index 0-based position in the list
     * @param path the finding path of its measurement
     * @param entry the rebuilt entry (template data recomputed here)
     * @param extend what the kernel extended for it into PCR 10 of each bank
     */
    record Entry(long index, String path, ImaEntry entry, Map<HashAlg, byte[]> extend) {
        static Entry of(long index, String path, ImaEntry e) {
            Map<HashAlg, byte[]> x = new EnumMap<>(HashAlg.class);
            for (HashAlg h : HashAlg.values()) {
                x.put(h, e.extendDigest(h));
            }
            return new Entry(index, path, e, x);
        }
    }

    /**
     * One reported list line: rebuilt, or why it could not be.
     *
     * @param index the reported index
     * @param path the finding path of its measurement
     * @param entry the rebuilt entry, if it checked out
     * @param problem the finding if it did not
     */
    record Line(long index, String path, Optional<Entry> entry, Optional<Finding> problem) {
    }

    /**
     * What one evidence reports of the list.
     *
     * @param present whether the evidence has any IMA measurement
     * @param logReset the summary's {@code log-reset}
     * @param morePending the summary's {@code more-entries-pending} (the agent's per-cycle bound was reached)
     * @param entries the summary's running count, if reported
     * @param lines the entry and malformed-line measurements, in evidence order
     */
    record Reported(boolean present, boolean logReset, boolean morePending, OptionalLong entries, List<Line> lines) {
    }

    /**
     * A device's IMA state: the entries {@code [0, bound)} are proven by a quote and replay to
     * {@code boundPcr} (every bank); the entries {@code [bound, next)} were reported but not yet
     * covered by a quote: only their replay {@code pendingPcr} is kept, and the allowlist
     * findings {@code deferred} they will yield once bound (at most {@link #MAX_DEFERRED}, the
     * rest counted in {@code deferredDropped}). {@code lastClock} and {@code lastAttest} (its
     * SHA-256) identify the last quote applied, so that replayed or older evidence is ignored.
     * {@code broken} says why the list can no longer be bound (until a TPM reboot, a
     * {@code log-reset} or a list re-sent from index 0).
     */
    record State(int resetCount, TpmsAttest.ClockInfo lastClock, byte[] lastAttest, long bound, long next,
            Map<HashAlg, byte[]> boundPcr, Map<HashAlg, byte[]> pendingPcr, List<Finding> deferred, long deferredDropped,
            Optional<String> broken) {
        static State fresh(TpmsAttest.ClockInfo clock, byte[] attestDigest) {
            Map<HashAlg, byte[]> zero = new EnumMap<>(HashAlg.class);
            for (HashAlg h : HashAlg.values()) {
                zero.put(h, new byte[h.digestSize()]);
            }
            return new State(clock.resetCount(), clock, attestDigest, 0, 0, zero, zero, List.of(), 0, Optional.empty());
        }

        State seen(TpmsAttest.ClockInfo clock, byte[] attestDigest) {
            return new State(resetCount, clock, attestDigest, bound, next, boundPcr, pendingPcr, deferred, deferredDropped,
                    broken);
        }

        State broken(String why, long nextIndex) {
            return new State(resetCount, lastClock, lastAttest, bound, nextIndex, boundPcr, boundPcr, List.of(), 0,
                    Optional.of(why));
        }
    }

    /** Reads the IMA measurements of an evidence, rebuilding every entry (nothing device-computed is used). */
    static Reported read(List<Measurement> all) {
        boolean present = false;
        boolean reset = false;
        boolean more = false;
        OptionalLong count = OptionalLong.empty();
        List<Line> lines = new ArrayList<>();
        for (Measurement m : all) {
            if (!m.collectorId().equals(ImaCollector.ID)) {
                continue;
            }
            String path = "/submods/" + m.layer().name() + "/" + m.component().name();
            Optional<Long> index = integer(m, "index");
            if (index.isEmpty()) {
                if (m.component().name().equals(SUMMARY) && m.status() == Measurement.Status.OK) {
                    present = true;
                    reset |= m.value("log-reset").map(v -> v instanceof Value.Bool b && b.value()).orElse(false);
                    more |= m.value("more-entries-pending").map(v -> v instanceof Value.Bool b && b.value()).orElse(false);
                    Optional<Long> n = integer(m, "entries");
                    if (n.isPresent()) {
                        count = OptionalLong.of(n.get());
                    }
                }
                continue;
            }
            present = true;
            lines.add(line(m, index.get(), path));
        }
        return new Reported(present, reset, more, count, lines);
    }

    private static Line line(Measurement m, long index, String path) {
        if (m.status() != Measurement.Status.OK) {
            String reason = m.value("reason").map(v -> v instanceof Value.Text t ? t.value() : "?").orElse("?");
            return invalid(index, path, "an IMA entry the device could parse", "malformed line: " + reason);
        }
        Optional<Long> lineNo = integer(m, "line");
        Optional<Long> pcr = integer(m, "pcr");
        Optional<String> template = text(m, "template");
        Optional<byte[]> th = bytes(m, "template-hash");
        Optional<byte[]> digest = bytes(m, "file-digest");
        Optional<String> alg = text(m, "file-digest-algorithm");
        Optional<Boolean> violation = m.value("violation").flatMap(v -> v instanceof Value.Bool b ? Optional.of(b.value())
                : Optional.empty());
        if (lineNo.isEmpty() || pcr.isEmpty() || template.isEmpty() || th.isEmpty() || digest.isEmpty() || alg.isEmpty()
                || violation.isEmpty() || (m.value("name").isPresent() && text(m, "name").isEmpty())
                || (m.value("signature").isPresent() && bytes(m, "signature").isEmpty())
                || (m.value("buffer").isPresent() && bytes(m, "buffer").isEmpty())) {
            return invalid(index, path, "index, line, pcr, template, template-hash, file-digest, file-digest-algorithm"
                    + " and violation well-typed", "missing or malformed: " + m.values().keySet());
        }
        if (index < 0 || lineNo.get() != index + 1) {
            return invalid(index, path + "/line", "line " + (index + 1), "line " + lineNo.get());
        }
        if (pcr.get() != PCR) {
            return invalid(index, path + "/pcr", "PCR " + PCR + " (the PCR quoted for IMA)", "PCR " + pcr.get());
        }
        if (m.value("signature").isPresent() && m.value("buffer").isPresent()) {
            return invalid(index, path, "a signature or a buffer", "both");
        }
        byte[] extra = bytes(m, "signature").or(() -> bytes(m, "buffer")).orElse(new byte[0]);
        boolean zero = allZero(th.get());
        if (zero != violation.get()) {
            return invalid(index, path + "/violation", "violation " + zero + " (template hash " + (zero ? "" : "not ")
                    + "all zero)", "violation " + violation.get());
        }
        if (template.get().equals("ima-buf") ? m.value("signature").isPresent() : m.value("buffer").isPresent()) {
            return invalid(index, path, template.get() + " with its own field", "a "
                    + (m.value("buffer").isPresent() ? "buffer" : "signature"));
        }
        String name = text(m, "name").orElse(m.component().name());
        if (!ImaCollector.componentName(name).equals(m.component().name())) {
            return invalid(index, path, "the component named after the entry's name", "name " + name);
        }
        ImaEntry e;
        try {
            e = ImaEntry.of((int) Math.min(Integer.MAX_VALUE, lineNo.get()), PCR, th.get(), template.get(), alg.get(),
                    digest.get(), name, extra);
        } catch (TpmFormatException ex) {
            return invalid(index, path, "an IMA entry of a known template", ex.getMessage());
        }
        if (!zero && !e.templateHashMatches()) {
            HashAlg h = Arrays.stream(HashAlg.values()).filter(a -> a.digestSize() == th.get().length).findFirst()
                    .orElseThrow();
            return new Line(index, path, Optional.empty(), Optional.of(finding(TpmAppraiser.IMA_TEMPLATE_MISMATCH,
                    Severity.CONTRAINDICATED, path + "/template-hash", HEX.formatHex(h.hash(e.templateData())),
                    HEX.formatHex(th.get()))));
        }
        // Hashed here, outside the per-device update, which then only chains the digests.
        return new Line(index, path, Optional.of(Entry.of(index, path, e)), Optional.empty());
    }

    private static Line invalid(long index, String path, String expected, String actual) {
        return new Line(index, path, Optional.empty(), Optional.of(finding(TpmAppraiser.IMA_ENTRY_INVALID,
                Severity.CONTRAINDICATED, path, expected, actual)));
    }

    /**
     * The next state of a device after a verified quote, adding this evidence's findings to
     * {@code out}. Returns {@code null} (no state) for a device that never reported IMA.
     */
    static State apply(State old, Reported r, TpmsAttest attest, byte[] attestDigest, PcrValues quoted,
            Optional<ImaPolicy> policy, List<Finding> out) {
        if (old == null && !r.present()) {
            return null;
        }
        TpmsAttest.ClockInfo clock = attest.clockInfo();
        if (old != null) {
            TpmsAttest.ClockInfo.Transition t = clock.since(old.lastClock());
            boolean same = t == TpmsAttest.ClockInfo.Transition.SAME_BOOT && clock.clock() == old.lastClock().clock()
                    && MessageDigest.isEqual(attestDigest, old.lastAttest());
            if (t == TpmsAttest.ClockInfo.Transition.ROLLED_BACK || same) {
                // Replayed or older evidence: binding it again would only desynchronize the state.
                out.add(finding(TpmAppraiser.IMA_BOUND, Severity.INFO, TpmAppraiser.QUOTE_PATH + "/attest",
                        "a quote newer than the last one bound", "not newer: IMA state unchanged"));
                return old;
            }
        }
        State s = old;
        boolean restart = s == null || s.resetCount() != clock.resetCount() || r.logReset()
                || (!r.lines().isEmpty() && r.lines().get(0).index() == 0);
        s = restart ? State.fresh(clock, attestDigest) : s.seen(clock, attestDigest);
        if (s.broken().isPresent()) {
            out.add(finding(TpmAppraiser.IMA_MISMATCH, Severity.CONTRAINDICATED, TpmAppraiser.QUOTE_PATH + "/pcrs",
                    "an IMA list bound to PCR " + PCR, "unbound since " + s.broken().get()));
            return s;
        }
        List<HashAlg> banks = new ArrayList<>();
        for (PcrSelection.Bank b : attest.pcrSelect().banks()) {
            if (b.pcrs().contains(PCR) && quoted.get(b.hash(), PCR).isPresent()) {
                banks.add(b.hash());
            }
        }
        List<Entry> fresh = new ArrayList<>();
        long expect = s.next();
        Optional<String> broken = Optional.empty();
        for (Line l : r.lines()) {
            if (l.index() != expect) {
                out.add(finding(TpmAppraiser.IMA_SEQUENCE, Severity.CONTRAINDICATED, l.path() + "/index",
                        "index " + expect, "index " + l.index()));
                broken = Optional.of("entry " + expect + " (" + (l.index() > expect ? "missing" : "repeated") + ")");
                break;
            }
            if (l.problem().isPresent()) {
                out.add(l.problem().get());
                broken = Optional.of("entry " + expect + " (not rebuilt)");
                break;
            }
            if (l.index() == 0) {
                broken = bootAggregate(l, attest, quoted, out);
                if (broken.isPresent()) {
                    break;
                }
            }
            fresh.add(l.entry().orElseThrow());
            expect++;
        }
        if (broken.isEmpty() && r.entries().isPresent() && r.entries().getAsLong() != expect) {
            out.add(finding(TpmAppraiser.IMA_SEQUENCE, Severity.CONTRAINDICATED, "/submods/os/" + SUMMARY + "/entries",
                    expect + " entries", r.entries().getAsLong() + " entries"));
            broken = Optional.of("entry " + expect + " (count " + r.entries().getAsLong() + " reported)");
        }
        if (banks.isEmpty()) {
            out.add(finding(TpmAppraiser.IMA_MISMATCH, Severity.CONTRAINDICATED, TpmAppraiser.QUOTE_PATH + "/attest",
                    "PCR " + PCR + " quoted", attest.pcrSelect().toString()));
            return s.broken("entry " + s.bound() + " (PCR " + PCR + " not quoted)", expect);
        }
        // The kernel appends to the list before it extends PCR 10, so the quote may lag the list
        // but never lead it: replay until the quote matches and carry the rest (ima-doc,
        // "IMA Log Verification"). Entries carried from the previous evidence were appended
        // before that evidence's list was read, hence extended before this quote: the replay
        // starts after them, they must be covered now.
        Map<HashAlg, byte[]> running = new EnumMap<>(s.pendingPcr());
        Map<HashAlg, byte[]> atMatch = null;
        int match = -1;
        for (int k = 0; k <= fresh.size(); k++) {
            if (match < 0 && matches(running, banks, quoted)) {
                match = k;
                atMatch = new EnumMap<>(running);
            }
            if (k == fresh.size()) {
                break;
            }
            extend(running, fresh.get(k));
        }
        long pendingBefore = s.next() - s.bound();
        if (match < 0 && broken.isPresent()) {
            // The finding that broke the list already says why nothing more can be bound.
            return s.broken(broken.get(), expect);
        }
        List<List<Finding>> verdicts = policy.map(p -> allowlist(p, fresh)).orElse(List.of());
        if (match < 0 && r.morePending() && broken.isEmpty()) {
            // The agent read only part of the list this cycle (its per-cycle bound): the quote
            // may be ahead of what was delivered. Carry everything, unproven, to the next evidence.
            List<Finding> deferred = new ArrayList<>(s.deferred());
            long dropped = defer(deferred, s.deferredDropped(), verdicts, 0, fresh.size());
            State next = new State(s.resetCount(), s.lastClock(), s.lastAttest(), s.bound(), expect, s.boundPcr(), running,
                    List.copyOf(deferred), dropped, Optional.empty());
            out.add(finding(TpmAppraiser.IMA_PENDING, Severity.WARNING, "/submods/os/" + SUMMARY + "/more-entries-pending",
                    "a list read up to the quote", "entries " + s.bound() + ".." + (expect - 1)
                    + " not yet bound: the list was read in part and the quote is ahead of it"));
            return next;
        }
        if (match < 0) {
            HashAlg h = banks.get(0);
            out.add(finding(TpmAppraiser.IMA_MISMATCH, Severity.CONTRAINDICATED, TpmAppraiser.QUOTE_PATH + "/pcrs/"
                    + PcrNames.key(h, PCR), HEX.formatHex(quoted.get(h, PCR).orElseThrow()), "no prefix of "
                    + (expect > s.bound() ? "entries " + s.bound() + ".." + (expect - 1) : "the bound entries")
                    + (pendingBefore > 0 ? " covering the carried entries " + s.bound()
                    + ".." + (s.next() - 1) : "") + " replays to it (replay of all: " + HEX.formatHex(running.get(h)) + ")"));
            return s.broken("entry " + s.bound() + " (no replay matched the quote)", expect);
        }
        out.addAll(s.deferred());
        if (s.deferredDropped() > 0) {
            out.add(finding(TpmAppraiser.IMA_NOT_ALLOWED, Severity.CONTRAINDICATED, "/submods/os", "entries in the allowlist",
                    s.deferredDropped() + " more entries not allowed (not listed one by one)"));
        }
        for (int i = 0; i < match && i < verdicts.size(); i++) {
            out.addAll(verdicts.get(i));
        }
        List<Finding> deferred = new ArrayList<>();
        long dropped = defer(deferred, 0, verdicts, match, fresh.size());
        long nowBound = s.next() + match;
        out.add(finding(TpmAppraiser.IMA_BOUND, Severity.INFO, TpmAppraiser.QUOTE_PATH + "/pcrs/"
                + PcrNames.key(banks.get(0), PCR), "", "entries 0.." + (nowBound - 1) + " bound ("
                + (pendingBefore + match) + " now), " + (fresh.size() - match) + " pending"));
        State next = new State(s.resetCount(), s.lastClock(), s.lastAttest(), nowBound, expect, atMatch, running,
                List.copyOf(deferred), dropped, Optional.empty());
        return broken.isPresent() ? next.broken(broken.get(), expect) : next;
    }

    private static long defer(List<Finding> deferred, long dropped, List<List<Finding>> verdicts, int from, int to) {
        for (int i = from; i < to && i < verdicts.size(); i++) {
            for (Finding f : verdicts.get(i)) {
                if (deferred.size() < MAX_DEFERRED) {
                    deferred.add(f);
                } else {
                    dropped++;
                }
            }
        }
        return dropped;
    }

    private static void extend(Map<HashAlg, byte[]> running, Entry e) {
        for (HashAlg h : HashAlg.values()) {
            MessageDigest md = h.newDigest();
            md.update(running.get(h));
            md.update(e.extend().get(h));
            running.put(h, md.digest());
        }
    }

    private static boolean matches(Map<HashAlg, byte[]> running, List<HashAlg> banks, PcrValues quoted) {
        for (HashAlg h : banks) {
            if (!MessageDigest.isEqual(running.get(h), quoted.get(h, PCR).orElseThrow())) {
                return false;
            }
        }
        return true;
    }

    /** The allowlist findings of each entry, in order, as ImaPolicy appraises them. */
    private static List<List<Finding>> allowlist(ImaPolicy policy, List<Entry> entries) {
        List<List<Finding>> out = new ArrayList<>();
        if (entries.isEmpty()) {
            return out;
        }
        Map<ImaEntry, Integer> position = new IdentityHashMap<>();
        List<ImaEntry> list = new ArrayList<>();
        for (Entry e : entries) {
            position.put(e.entry(), list.size());
            list.add(e.entry());
            out.add(new ArrayList<>(0));
        }
        HashAlg alg = list.get(0).templateHash().length == 20 ? HashAlg.SHA1 : HashAlg.SHA256;
        for (ImaPolicy.Finding f : policy.appraise(new ImaLog(alg, list))) {
            int i = position.get(f.entry());
            String path = entries.get(i).path();
            String actual = f.entry().digestAlgorithm() + ":" + f.entry().fileDigestHex();
            switch (f.verdict()) {
                case NOT_IN_POLICY -> out.get(i).add(finding(TpmAppraiser.IMA_NOT_ALLOWED, Severity.CONTRAINDICATED,
                        path + "/file-digest", f.entry().path() + " in the allowlist", actual));
                case DIGEST_MISMATCH -> out.get(i).add(finding(TpmAppraiser.IMA_NOT_ALLOWED, Severity.CONTRAINDICATED,
                        path + "/file-digest", policy.digests().get(f.entry().path()).stream().limit(3)
                                .collect(Collectors.joining(", ")), actual));
                case VIOLATION -> out.get(i).add(finding(TpmAppraiser.IMA_VIOLATION, Severity.WARNING, path + "/violation",
                        "a measurement of the file's content", "violation (open for write while measured)"));
                default -> {
                }
            }
        }
        return out;
    }

    /**
     * Checks the list's first entry, when it is {@code boot_aggregate}, against the quoted boot
     * PCRs ({@link ImaLog#bootAggregate}): the kernel computed it from PCRs 0-7 (SHA-1) or 0-9
     * when IMA started, so a list that does not match was not started on the boot the quote
     * vouches for. Only PCR values the quote selected count (the others are unsigned). A mismatch
     * is {@link TpmAppraiser#IMA_BOOT_AGGREGATE} and breaks the list (the reason is returned); a
     * quote without every PCR needed is {@link TpmAppraiser#IMA_BOOT_AGGREGATE_UNCHECKED}.
     */
    private static Optional<String> bootAggregate(Line l, TpmsAttest attest, PcrValues quoted, List<Finding> out) {
        ImaEntry e = l.entry().orElseThrow().entry();
        if (!e.path().equals("boot_aggregate") || e.violation()) {
            return Optional.empty();
        }
        Map<HashAlg, Map<Integer, byte[]>> signed = new EnumMap<>(HashAlg.class);
        for (PcrSelection.Bank b : attest.pcrSelect().banks()) {
            for (int pcr : b.pcrs()) {
                quoted.get(b.hash(), pcr).ifPresent(v -> signed.computeIfAbsent(b.hash(), h -> new TreeMap<>()).put(pcr, v));
            }
        }
        Optional<byte[]> expected = ImaLog.bootAggregate(e.digestAlgorithm(), PcrValues.of(signed));
        String path = l.path() + "/file-digest";
        if (expected.isEmpty()) {
            Optional<HashAlg> bank = ImaLog.bootAggregateBank(e.digestAlgorithm());
            out.add(finding(TpmAppraiser.IMA_BOOT_AGGREGATE_UNCHECKED, Severity.INFO, path, bank
                    .map(h -> "PCRs 0-" + ImaLog.bootAggregateLastPcr(h) + " of the " + e.digestAlgorithm() + " bank quoted")
                    .orElse("a boot_aggregate of a TPM bank"), e.digestAlgorithm() + "; quoted " + attest.pcrSelect()));
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(expected.get(), e.fileDigest())) {
            out.add(finding(TpmAppraiser.IMA_BOOT_AGGREGATE, Severity.CONTRAINDICATED, path,
                    HEX.formatHex(expected.get()), HEX.formatHex(e.fileDigest())));
            return Optional.of("entry 0 (boot_aggregate is not the quoted boot PCRs)");
        }
        return Optional.empty();
    }

    private static Finding finding(String check, Severity severity, String path, String expected, String actual) {
        return new Finding(check, TrustClaim.EXECUTABLES, severity, path, expected, actual);
    }

    private static Optional<Long> integer(Measurement m, String name) {
        return m.value(name).flatMap(v -> v instanceof Value.Int i ? Optional.of(i.value()) : Optional.empty());
    }

    private static Optional<String> text(Measurement m, String name) {
        return m.value(name).flatMap(v -> v instanceof Value.Text t ? Optional.of(t.value()) : Optional.empty());
    }

    private static Optional<byte[]> bytes(Measurement m, String name) {
        return m.value(name).flatMap(v -> v instanceof Value.Bytes b ? Optional.of(b.value()) : Optional.empty());
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
