package dev.attest.tpm.attest;

import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.collectors.BootEventLogCollector;
import dev.attest.core.collectors.ImaCollector;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.VerifiedEvidence;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Quote;
import dev.attest.tpm.QuoteVerification;
import dev.attest.tpm.QuoteVerifier;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmsAttest;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.eventlog.EventLog;
import dev.attest.tpm.ima.ImaEntry;
import dev.attest.tpm.ima.ImaPolicy;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AppraiserState;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.EvidenceAppraiser;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import java.security.MessageDigest;
import java.security.Provider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The verifier's TPM appraisal ({@link EvidenceAppraiser}, id {@code tpm}): checks every
 * {@code tpm-quote} measurement ({@link TpmQuoteCollector}) against the device's enrolled
 * attestation key, and binds the boot event log and the IMA list to the quote.
 *
 * <p>Per {@code tpm-quote} measurement (finding path {@value #QUOTE_PATH}):
 * <ul>
 * <li>its values must all be present and well-formed, else {@value #QUOTE_INCOMPLETE};</li>
 * <li>its {@code ak-public} must be the AK enrolled for the device (out of band, e.g. after
 * TPM2_ActivateCredential proved it lives in the device's TPM, Part 1 §24), else
 * {@value #AK_MISMATCH}; a device with no enrolled AK gets {@value #AK_NOT_ENROLLED}. The quote
 * is always verified with the <em>enrolled</em> key;</li>
 * <li>{@link QuoteVerifier#verify} (TPM 2.0 Part 3 §18.4) with the nonce: the context's expected
 * nonce when there is one; else, when the EAT carries nonces, the qualifying data must be one
 * of them; else the reported qualifying data. Each failure is a finding
 * {@code tpm.<reason in lower case>}, e.g. {@code tpm.pcr_digest_mismatch},
 * {@code tpm.nonce_mismatch}, {@code tpm.signature_invalid};</li>
 * <li>the quote must select every PCR of the configured required selection, else
 * {@value #PCR_SELECTION_INCOMPLETE}.</li>
 * </ul>
 * All of these bear on {@link TrustClaim#HARDWARE} and are {@link Severity#CONTRAINDICATED}.
 *
 * <p>When the quote verified and the evidence also carries a boot event log (the
 * {@code event-log} bytes of a {@link BootEventLogCollector} measurement), the log is parsed
 * and replayed (TCG PC Client PFP §10) and PCRs 0-7 of every bank the quote covers (SHA-1,
 * SHA-256, SHA-384, ...) are compared with the quoted values: each PCR that differs is an
 * {@value #EVENTLOG_MISMATCH} finding naming its bank and PCR (path
 * {@code /submods/tpm/tpm-quote/pcrs/<bank>:N}, e.g. {@code sha384:4}, claim
 * {@link TrustClaim#EXECUTABLES}, contraindicated); a log that does not parse is
 * {@value #EVENTLOG_MALFORMED}, one without a SHA-256 bank {@value #EVENTLOG_NO_SHA256}, one
 * without another bank whose boot PCRs the quote covers {@value #EVENTLOG_BANK_MISSING} (all
 * contraindicated: the boot chain is then unproven). The secure boot state the log measured is reported as an INFO finding
 * {@value #SECURE_BOOT} ({@code enabled}, {@code disabled} or {@code not measured}).
 *
 * <p>When the quote verified and the evidence carries the Linux IMA list ({@link ImaCollector}
 * measurements: the {@code ima-log} summary and one measurement per new entry), the entries are
 * bound to the quoted PCR 10 (claim {@link TrustClaim#EXECUTABLES} for every IMA finding):
 * <ul>
 * <li>nothing the device computed is trusted: each entry's template data is rebuilt from its
 * reported fields ({@link ImaEntry#of}: template, file digest and its algorithm, the exact name,
 * signature or buffer) and its template hash recomputed; a difference is
 * {@value #IMA_TEMPLATE_MISMATCH}, an entry that cannot be rebuilt (or that the agent reported as
 * malformed) {@value #IMA_ENTRY_INVALID};</li>
 * <li>entries must continue the list by index (and agree with the summary's running count),
 * else {@value #IMA_SEQUENCE};</li>
 * <li>the list's first entry, {@code boot_aggregate}, must be the hash of the quoted boot PCRs
 * (SHA-256 bank 0-9, SHA-1 bank 0-7, as the kernel computes it when IMA starts; only PCRs the
 * quote selects count): otherwise {@value #IMA_BOOT_AGGREGATE}, the list was not started on the
 * boot the quote vouches for and stays unbound; a quote that does not select those PCRs is
 * {@value #IMA_BOOT_AGGREGATE_UNCHECKED} (info);</li>
 * <li>per device the verifier keeps the PCR 10 replay of the entries bound so far, in every bank
 * (SHA-1 and SHA-256 banks extend the bank's hash of the template data; a violation, all-zero
 * template hash, extends all ones), and the index of the next entry. The kernel appends an
 * entry before it extends PCR 10, so the list read after the quote may be ahead of it: the
 * shortest prefix of the new entries (possibly empty) whose replay equals the quoted PCR 10 in
 * every quoted bank binds them; the rest are carried, unproven, and must be covered by the
 * next verified quote. No such prefix is {@value #IMA_MISMATCH}, as is a quote without PCR 10;
 * after a mismatch (or a sequence or rebuild finding) the list stays unbound, and every later
 * evidence is {@value #IMA_MISMATCH}, until it restarts: a TPM reset (its {@code resetCount}
 * changed), the summary's {@code log-reset}, or a list sent again from index 0 (a restarted
 * agent). When the agent read only part of the list ({@code more-entries-pending}) and no
 * prefix matches, everything is carried with the warning {@value #IMA_PENDING};</li>
 * <li>with {@link Builder#imaPolicy} the entries are appraised against the allowlist when a
 * quote binds them (entries carried are appraised once bound, in a later result): a file or
 * digest not allowed is {@value #IMA_NOT_ALLOWED}, a violation {@value #IMA_VIOLATION}
 * (warning); excluded paths and {@code boot_aggregate} pass;</li>
 * <li>{@value #IMA_BOUND} (INFO) tells how far the list is bound. A quote that is not newer than
 * the last one applied (same TPM clock and quote, or older: replayed evidence) leaves the state
 * unchanged, and so does a quote that failed verification.</li>
 * </ul>
 * Run {@link TpmQuoteCollector} before {@link ImaCollector} in the agent's cycle, so the list
 * read is never behind the quote. Only PCR 10 lists are supported (entries for another PCR are
 * invalid); a violation entry's name and file digest are covered by no hash, as in the kernel.
 *
 * <p><b>State.</b> The IMA state and the TPM clock state of a device are one blob (a versioned,
 * strictly decoded binary encoding of at most
 * {@link dev.attest.verify.DeviceStateStore#MAX_APPRAISER_STATE_BYTES}) in the verifier's
 * {@link dev.attest.verify.DeviceStateStore}, handed over as {@link AppraiserState} by
 * {@link dev.attest.verify.Verifier}: with a {@link dev.attest.verify.JdbcDeviceStateStore} it
 * survives verifier restarts and is shared by every replica, so a restarted verifier binds an
 * incremental IMA list on and still detects a clock rollback against the quote before the
 * restart, and replicas may appraise one device's evidences in any alternation. Each appraisal
 * with a verified quote reads the state, applies the evidence and swaps the next state in with a
 * compare-and-set, so concurrent appraisals of one device (in one process or on several
 * replicas) cannot interleave; a lost swap is re-read and re-applied, up to
 * {@value #STATE_ATTEMPTS} times, then {@value #STATE_CONTENTION}. A stored state that does not
 * decode is {@value #STATE_UNREADABLE}, and the device starts afresh (an agent that keeps sending
 * its list incrementally is then {@value #IMA_SEQUENCE} until it sends the list from index 0 or
 * the TPM reboots). The three-argument {@link #appraise(String, VerifiedEvidence, AppraisalContext)}
 * (used without a verifier) keeps the state in an in-memory store of this instance.
 *
 * <p>A device with an enrolled AK whose evidence has no OK {@code tpm-quote} measurement gets
 * {@value #QUOTE_MISSING} (contraindicated). Evidence of a device without an enrolled AK and
 * without a quote yields no findings.
 *
 * <p><b>The floor.</b> The checks that tell whether the quote is this TPM's answer to this
 * challenge, {@link #FLOOR} (every {@link QuoteVerification.Reason} check: signature, PCR digest,
 * nonce, malformed or non-quote structures, an unrestricted or unsupported key, SHA-1; the AK
 * differing from the enrolled one; a quote missing or incomplete where an AK is enrolled, which
 * would otherwise let a device strip its quote; the TPM clock going backwards), are declared
 * through {@link #floor()}: the verifier keeps them contraindicated whatever the policy says, and
 * refuses a policy that lowers one when it is built. The event log, IMA, PCR selection, reboot
 * and state findings stay the policy's to weigh.
 *
 * <p>Not registered with {@code ServiceLoader}: it cannot work without the enrolled AKs.
 * Thread-safe; immutable apart from the in-memory store the three-argument appraise uses.
 */
public final class TpmAppraiser implements EvidenceAppraiser {
    /** This appraiser's id. */
    public static final String ID = "tpm";
    /** Where quote findings point. */
    public static final String QUOTE_PATH = "/submods/tpm/tpm-quote";
    /** The TPM was reset (rebooted) since the device's last verified quote: warning. */
    public static final String TPM_REBOOT = "tpm.reboot";
    /** The TPM was restarted (resumed) since the last verified quote: info. */
    public static final String TPM_RESTART = "tpm.restart";
    /** The TPM's clock or reset/restart counters went backwards: contraindicated. */
    public static final String TPM_CLOCK_ROLLBACK = "tpm.clock-rollback";
    /** A device with an enrolled AK sent no (OK) quote. */
    public static final String QUOTE_MISSING = "tpm.quote-missing";
    /** A quote measurement lacks a value, or a value is malformed. */
    public static final String QUOTE_INCOMPLETE = "tpm.quote-incomplete";
    /** The quote names another AK than the one enrolled for the device. */
    public static final String AK_MISMATCH = "tpm.ak-mismatch";
    /** The device sent a quote but has no enrolled AK. */
    public static final String AK_NOT_ENROLLED = "tpm.ak-not-enrolled";
    /** The quote does not select every required PCR. */
    public static final String PCR_SELECTION_INCOMPLETE = "tpm.pcr-selection-incomplete";
    /** A boot PCR replayed from the event log differs from the quoted value. */
    public static final String EVENTLOG_MISMATCH = "tpm.eventlog-mismatch";
    /** The event log does not parse. */
    public static final String EVENTLOG_MALFORMED = "tpm.eventlog-malformed";
    /** The event log has no SHA-256 bank to compare. */
    public static final String EVENTLOG_NO_SHA256 = "tpm.eventlog-no-sha256";
    /** The quote covers boot PCRs of a bank the event log does not record (SHA-256 has its own finding). */
    public static final String EVENTLOG_BANK_MISSING = "tpm.eventlog-bank-missing";
    /** Secure boot state as measured (INFO). */
    public static final String SECURE_BOOT = "tpm.secure-boot";
    /** The boot PCRs compared with the event log's replay. */
    public static final int BOOT_PCRS = 8;
    /**
     * No prefix of the IMA entries replays to the quoted PCR 10 (or entries carried from the
     * previous evidence are still not covered, or PCR 10 was not quoted, or the list has been
     * unbound since an earlier finding): contraindicated, claim executables.
     */
    public static final String IMA_MISMATCH = "tpm.ima-mismatch";
    /**
     * The template hash the verifier recomputed from an entry's reported fields differs from
     * the reported template hash: contraindicated, claim executables; the path names the entry's
     * {@code template-hash}, expected = recomputed, actual = reported.
     */
    public static final String IMA_TEMPLATE_MISMATCH = "tpm.ima-template-mismatch";
    /**
     * An IMA entry the verifier cannot rebuild: a line the device reported as malformed, a
     * missing or ill-typed value, an unknown template or digest algorithm, a wrong digest size,
     * a {@code line} other than index + 1, a PCR other than 10, a {@code violation} flag that
     * disagrees with the template hash: contraindicated, claim executables.
     */
    public static final String IMA_ENTRY_INVALID = "tpm.ima-entry-invalid";
    /**
     * The list's {@code boot_aggregate} (its first entry) is not the hash of the quoted boot PCRs
     * (0-7 for SHA-1, 0-9 otherwise, as the kernel computes it when IMA starts): contraindicated,
     * claim executables; expected = the hash of the quoted PCRs, actual = the entry's digest. The
     * list was not started on the boot the quote vouches for, and stays unbound until the TPM
     * reboots, the log is reset or the list is sent again from index 0.
     */
    public static final String IMA_BOOT_AGGREGATE = "tpm.ima-boot-aggregate";
    /**
     * The list's {@code boot_aggregate} could not be checked: the quote does not select every PCR
     * it covers (0-7 of the SHA-1 bank, 0-9 of the others). Info; quote PCRs 0-10
     * ({@link TpmQuoteCollector#DEFAULT_PCRS}) to have it checked.
     */
    public static final String IMA_BOOT_AGGREGATE_UNCHECKED = "tpm.ima-boot-aggregate-unchecked";
    /**
     * IMA entries are not contiguous with those seen before (a gap, an overlap, or a running
     * count that disagrees): contraindicated, claim executables.
     */
    public static final String IMA_SEQUENCE = "tpm.ima-sequence";
    /**
     * A quote-bound IMA entry whose file is not in the allowlist, or whose digest is not one the
     * allowlist has for its path: contraindicated, claim executables, path naming the entry's
     * {@code file-digest}.
     */
    public static final String IMA_NOT_ALLOWED = "tpm.ima-not-allowed";
    /**
     * A quote-bound IMA violation entry (a file measured while open for writing, or opened for
     * writing while measured; its content is unknown) under an allowlist: warning, claim executables.
     */
    public static final String IMA_VIOLATION = "tpm.ima-violation";
    /**
     * The agent read only part of the IMA list this cycle ({@code more-entries-pending}) and the
     * quote is ahead of what it delivered: the entries are carried, unproven, to the next
     * evidence; warning, claim executables, until a quote binds them.
     */
    public static final String IMA_PENDING = "tpm.ima-pending";
    /**
     * INFO: how far the device's IMA list is bound by quotes ({@code entries 0..N bound (k now),
     * p pending}), or that a quote not newer than the last bound one left the state unchanged.
     */
    public static final String IMA_BOUND = "tpm.ima-bound";
    /**
     * The device's TPM state in the verifier's store does not decode (damaged, or written by
     * another format version): warning, claim hardware. The appraisal starts afresh as for a
     * device seen for the first time (no clock comparison; an IMA list sent incrementally is
     * {@value #IMA_SEQUENCE} until it restarts) and replaces the stored state.
     */
    public static final String STATE_UNREADABLE = "tpm.state-unreadable";
    /**
     * The device's TPM state could not be updated: {@value #STATE_ATTEMPTS} compare-and-sets in a
     * row lost to concurrent appraisals of the same device (other replicas). Contraindicated,
     * claim hardware: this quote's clock and IMA list were compared with a state that was
     * superseded and are not recorded, so the result cannot vouch for the device's continuity.
     */
    public static final String STATE_CONTENTION = "tpm.state-contention";
    /** How many times an appraisal re-reads and re-applies the device's state after a lost swap. */
    public static final int STATE_ATTEMPTS = 5;
    /**
     * This appraiser's checks under the verifier's floor ({@link EvidenceAppraiser#floor()}), in id
     * order: {@code tpm.<reason>} for every {@link QuoteVerification.Reason}, {@value #AK_MISMATCH},
     * {@value #QUOTE_MISSING}, {@value #QUOTE_INCOMPLETE} and {@value #TPM_CLOCK_ROLLBACK}.
     */
    public static final Set<String> FLOOR = floorChecks();

    private static final HexFormat HEX = HexFormat.of();
    // The enrolled AKs, each prepared once: its JCA key is built and converted once and Bouncy
    // Castle keeps its curve precomputation on it across quotes.
    private final Map<String, QuoteVerifier.PreparedKey> aks;
    // The state when appraise is called without one (no Verifier): this instance's own.
    private final DeviceStateStore ownStore = DeviceStateStore.inMemory();
    private final PcrSelection required;
    private final QuoteVerifier verifier;
    private final Optional<ImaPolicy> imaPolicy;

    private TpmAppraiser(Builder b) {
        this.required = b.required;
        this.imaPolicy = Optional.ofNullable(b.imaPolicy);
        QuoteVerifier.Builder qb = QuoteVerifier.builder().allowSha1(b.allowSha1);
        if (b.provider != null) {
            qb.provider(b.provider);
        }
        this.verifier = qb.build();
        Map<String, QuoteVerifier.PreparedKey> prepared = new HashMap<>();
        b.aks.forEach((device, ak) -> prepared.put(device, verifier.prepare(ak)));
        this.aks = Map.copyOf(prepared);
    }

    /**
     * A builder: no enrolled AKs, SHA-1 refused, required PCRs {@link TpmQuoteCollector#DEFAULT_PCRS}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The quote check id for a {@link QuoteVerification.Reason}: {@code tpm.} + the reason in lower case.
     *
     * @param reason the reason
     * @return the check id
     */
    public static String check(QuoteVerification.Reason reason) {
        return ID + "." + reason.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String id() {
        return ID;
    }

    /** {@link #FLOOR}: the quote's signature, PCR digest and nonce, its AK, presence and clock. */
    @Override
    public Set<String> floor() {
        return FLOOR;
    }

    private static Set<String> floorChecks() {
        SortedSet<String> f = new TreeSet<>(List.of(AK_MISMATCH, QUOTE_MISSING, QUOTE_INCOMPLETE,
                TPM_CLOCK_ROLLBACK));
        for (QuoteVerification.Reason r : QuoteVerification.Reason.values()) {
            f.add(check(r));
        }
        return Collections.unmodifiableSortedSet(f);
    }

    /**
     * As {@link #appraise(String, VerifiedEvidence, AppraisalContext, AppraiserState)} with a
     * state store of this appraiser's own, in memory: for an appraiser used without a
     * {@link dev.attest.verify.Verifier}. The state then lives as long as this instance.
     */
    @Override
    public List<Finding> appraise(String device, VerifiedEvidence evidence, AppraisalContext context) {
        return appraise(device, evidence, context, AppraiserState.of(ownStore, device, ID));
    }

    /**
     * The findings for {@code evidence} of {@code device} (see the class description), with the
     * device's TPM clock and IMA state read from and swapped into {@code state} (the verifier's
     * store, shared by replicas). A lost swap is re-read and re-applied up to
     * {@value #STATE_ATTEMPTS} times, then {@value #STATE_CONTENTION}; an unreadable stored state
     * is {@value #STATE_UNREADABLE} and replaced. Evidence without a verified quote neither reads
     * nor writes the state.
     *
     * @throws dev.attest.verify.StateStoreException if the store is unavailable
     */
    @Override
    public List<Finding> appraise(String device, VerifiedEvidence evidence, AppraisalContext context,
            AppraiserState state) {
        Objects.requireNonNull(state, "state");
        EatClaims claims = evidence.claims();
        List<Measurement> all = claims.allMeasurements();
        Optional<QuoteVerifier.PreparedKey> enrolled = Optional.ofNullable(aks.get(device));
        // Everything that does not depend on the device's state is done once, outside the
        // read-apply-swap loop: signature checks, event log replay, the IMA entries' rebuild.
        List<QuoteOutcome> quotes = new ArrayList<>();
        for (Measurement m : all) {
            if (!m.collectorId().equals(TpmQuoteCollector.ID) || !m.component().name().equals(TpmQuoteCollector.ID)
                    || m.status() != Measurement.Status.OK) {
                continue;
            }
            quotes.add(appraiseQuote(m, enrolled, claims, context, all));
        }
        List<Finding> fs;
        if (quotes.stream().anyMatch(q -> q.verified().isPresent())) {
            fs = applyToState(quotes, ImaBinding.read(all), state);
        } else {
            fs = new ArrayList<>();
            quotes.forEach(q -> fs.addAll(q.before()));
        }
        if (quotes.isEmpty() && enrolled.isPresent()) {
            fs.add(contra(QUOTE_MISSING, QUOTE_PATH, "a TPM quote by the enrolled AK", "none"));
        }
        return fs;
    }

    /**
     * Reads the device's state, applies the quotes (clock, then the first verified quote's IMA
     * binding) and swaps the next state in, re-reading on a lost swap; the findings of the
     * attempt that won (or of the last one, with {@value #STATE_CONTENTION}).
     */
    private List<Finding> applyToState(List<QuoteOutcome> quotes, ImaBinding.Reported reported, AppraiserState state) {
        for (int attempt = 1;; attempt++) {
            Optional<byte[]> stored = state.get();
            List<Finding> fs = new ArrayList<>();
            TpmDeviceState s = TpmDeviceState.NONE;
            if (stored.isPresent()) {
                try {
                    s = TpmDeviceState.decode(stored.get());
                } catch (TpmFormatException e) {
                    // Not ours, damaged, or another format version: start over as for a device
                    // seen for the first time (its IMA list must then be re-sent from index 0).
                    fs.add(new Finding(STATE_UNREADABLE, TrustClaim.HARDWARE, Severity.WARNING, QUOTE_PATH,
                            "the device's stored TPM state (format " + TpmDeviceState.FORMAT + ")",
                            e.reason() + " at " + e.offset() + "; started afresh"));
                }
            }
            Optional<TpmsAttest.ClockInfo> clock = s.clock();
            Optional<ImaBinding.State> ima = s.ima();
            boolean imaBound = false;
            for (QuoteOutcome q : quotes) {
                fs.addAll(q.before());
                if (q.verified().isEmpty()) {
                    continue;
                }
                TpmsAttest a = q.verified().get();
                clock = Optional.of(clock(clock, a.clockInfo(), fs));
                fs.addAll(q.after());
                if (!imaBound) {
                    // Only the first verified quote of an evidence binds its IMA entries.
                    imaBound = true;
                    ima = Optional.ofNullable(ImaBinding.apply(ima.orElse(null), reported, a, q.attestDigest(),
                            q.pcrs(), imaPolicy, fs));
                }
            }
            byte[] next = new TpmDeviceState(clock, ima).encode();
            if (stored.isPresent() && Arrays.equals(stored.get(), next)) {
                return fs;
            }
            if (state.compareAndSet(stored, next)) {
                return fs;
            }
            if (attempt == STATE_ATTEMPTS) {
                fs.add(contra(STATE_CONTENTION, QUOTE_PATH, "the device's TPM state updated with this quote",
                        STATE_ATTEMPTS + " updates lost to concurrent appraisals of the device"));
                return fs;
            }
        }
    }

    /**
     * What a quote measurement yields apart from the device's state.
     *
     * @param before the findings up to the signature check
     * @param verified the attest structure when the quote verified with the enrolled AK
     * @param after the findings after the clock comparison (PCR selection, event log)
     * @param attestDigest the SHA-256 of the attest bytes (when verified)
     * @param pcrs the reported PCR values (when verified)
     */
    private record QuoteOutcome(List<Finding> before, Optional<TpmsAttest> verified, List<Finding> after,
            byte[] attestDigest, PcrValues pcrs) {
        static QuoteOutcome failed(List<Finding> before) {
            return new QuoteOutcome(before, Optional.empty(), List.of(), new byte[0], null);
        }
    }

    private QuoteOutcome appraiseQuote(Measurement m, Optional<QuoteVerifier.PreparedKey> enrolled, EatClaims claims,
            AppraisalContext context, List<Measurement> all) {
        List<Finding> fs = new ArrayList<>();
        Optional<byte[]> attest = bytes(m, TpmQuoteCollector.ATTEST);
        Optional<byte[]> signature = bytes(m, TpmQuoteCollector.SIGNATURE);
        Optional<byte[]> akPublic = bytes(m, TpmQuoteCollector.AK_PUBLIC);
        Optional<byte[]> qualifying = bytes(m, TpmQuoteCollector.QUALIFYING_DATA);
        Optional<PcrValues> pcrs = m.value(TpmQuoteCollector.PCRS)
                .flatMap(v -> v instanceof Value.MapValue mv ? PcrNames.parse(mv.values()) : Optional.empty());
        if (attest.isEmpty() || signature.isEmpty() || akPublic.isEmpty() || qualifying.isEmpty() || pcrs.isEmpty()) {
            fs.add(contra(QUOTE_INCOMPLETE, QUOTE_PATH, "attest, signature, ak-public, qualifying-data and pcrs",
                    "missing or malformed: " + m.values().keySet()));
            return QuoteOutcome.failed(fs);
        }
        if (enrolled.isEmpty()) {
            fs.add(contra(AK_NOT_ENROLLED, QUOTE_PATH + "/ak-public", "an enrolled AK", fingerprint(akPublic.get())));
            return QuoteOutcome.failed(fs);
        }
        TpmtPublic ak = enrolled.get().publicArea();
        if (!MessageDigest.isEqual(ak.encodeTpm2b(), akPublic.get())) {
            fs.add(contra(AK_MISMATCH, QUOTE_PATH + "/ak-public", fingerprint(ak.encodeTpm2b()),
                    fingerprint(akPublic.get())));
        }
        byte[] nonce = qualifying.get();
        Optional<byte[]> expected = context.expectedNonce();
        if (expected.isEmpty() && !claims.nonces().isEmpty()) {
            // Challenged evidence appraised without the expected nonce (e.g. with a redeemer):
            // the quote must answer the same challenge as the EAT, which the verifier checked.
            expected = claims.nonces().stream().filter(n -> MessageDigest.isEqual(n, qualifying.get())).findFirst()
                    .or(() -> Optional.of(claims.nonces().get(0)));
        }
        if (expected.isPresent()) {
            nonce = expected.get();
        }
        if (nonce.length < 8 || nonce.length > 64) {
            fs.add(contra(check(QuoteVerification.Reason.NONCE_MISMATCH), QUOTE_PATH + "/qualifying-data",
                    "a nonce of 8 to 64 bytes", nonce.length + " bytes"));
            return QuoteOutcome.failed(fs);
        }
        QuoteVerification v = verifier.verify(enrolled.get(), new Quote(attest.get(), signature.get()), nonce, pcrs.get());
        for (QuoteVerification.Failure f : v.failures()) {
            fs.add(contra(check(f.reason()), QUOTE_PATH, expectation(f.reason()), f.detail()));
        }
        if (!v.verified()) {
            return QuoteOutcome.failed(fs);
        }
        TpmsAttest a = v.attest().orElseThrow();
        List<Finding> after = new ArrayList<>();
        for (PcrSelection.Bank want : required.banks()) {
            Optional<PcrSelection.Bank> got = a.pcrSelect().banks().stream().filter(b -> b.hash() == want.hash()).findFirst();
            if (got.isEmpty() || !got.get().pcrs().containsAll(want.pcrs())) {
                after.add(contra(PCR_SELECTION_INCOMPLETE, QUOTE_PATH + "/attest", required.toString(),
                        a.pcrSelect().toString()));
                break;
            }
        }
        eventLog(all, pcrs.get(), after);
        return new QuoteOutcome(fs, Optional.of(a), after, HashAlg.SHA256.hash(attest.get()), pcrs.get());
    }

    /**
     * Compares the quote's clock info with the last verified quote of the device (TPM 2.0 Part 2
     * §10.11.1): a TPM reset (reboot) and a restart are reported, a clock or counter that went
     * backwards (a replayed or forged quote, or a TPM swapped under the device) is
     * contraindicated. Quotes from owner-hierarchy keys obfuscate the counters, so compare only
     * quotes by the same (endorsement-hierarchy) AK.
     *
     * @return the clock info to keep: {@code now}, unless it rolled back
     */
    private static TpmsAttest.ClockInfo clock(Optional<TpmsAttest.ClockInfo> before, TpmsAttest.ClockInfo now,
            List<Finding> fs) {
        if (before.isEmpty()) {
            return now;
        }
        TpmsAttest.ClockInfo last = before.get();
        String was = "reset " + last.resetCount() + ", restart " + last.restartCount() + ", clock " + last.clock();
        String is = "reset " + now.resetCount() + ", restart " + now.restartCount() + ", clock " + now.clock();
        switch (now.since(last)) {
            case REBOOTED -> fs.add(new Finding(TPM_REBOOT, TrustClaim.HARDWARE, Severity.WARNING, QUOTE_PATH + "/attest",
                    was, is));
            case RESTARTED -> fs.add(new Finding(TPM_RESTART, TrustClaim.HARDWARE, Severity.INFO, QUOTE_PATH + "/attest",
                    was, is));
            case ROLLED_BACK -> {
                fs.add(contra(TPM_CLOCK_ROLLBACK, QUOTE_PATH + "/attest", "at or after " + was, is));
                return last;
            }
            default -> {
            }
        }
        return now;
    }

    private static void eventLog(List<Measurement> all, PcrValues quoted, List<Finding> fs) {
        for (Measurement m : all) {
            if (!m.collectorId().equals(BootEventLogCollector.ID)) {
                continue;
            }
            Optional<byte[]> raw = bytes(m, "event-log");
            if (raw.isEmpty()) {
                continue;
            }
            String path = "/submods/" + m.layer().name() + "/" + m.component().name() + "/event-log";
            EventLog log;
            Optional<Boolean> secureBoot;
            try {
                log = EventLog.parse(raw.get());
                secureBoot = log.secureBootEnabled();
            } catch (TpmFormatException e) {
                fs.add(new Finding(EVENTLOG_MALFORMED, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, path,
                        "a TCG PC Client event log", e.reason() + " at " + e.offset()));
                continue;
            }
            if (!log.banks().contains(HashAlg.SHA256)) {
                fs.add(new Finding(EVENTLOG_NO_SHA256, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, path,
                        "a sha256 bank", log.banks().toString()));
                continue;
            }
            // Every bank the quote covers is compared with the log's replay in that bank: a quote
            // over SHA-1, SHA-256 and SHA-384 is only as good as its weakest bank's agreement.
            Map<HashAlg, SortedMap<Integer, byte[]>> replays = log.replay().asMap();
            for (Map.Entry<HashAlg, SortedMap<Integer, byte[]>> bank : quoted.asMap().entrySet()) {
                HashAlg h = bank.getKey();
                String name = h.name().toLowerCase(java.util.Locale.ROOT);
                boolean boot = bank.getValue().keySet().stream().anyMatch(pcr -> pcr < BOOT_PCRS);
                SortedMap<Integer, byte[]> replay = replays.get(h);
                if (boot && replay == null) {
                    fs.add(new Finding(EVENTLOG_BANK_MISSING, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, path,
                            "a " + name + " bank (the quote covers its boot PCRs)", log.banks().toString()));
                    continue;
                }
                for (int pcr = 0; pcr < BOOT_PCRS && replay != null; pcr++) {
                    byte[] q = bank.getValue().get(pcr);
                    if (q == null) {
                        continue;
                    }
                    byte[] r = replay.getOrDefault(pcr, new byte[h.digestSize()]);
                    if (!MessageDigest.isEqual(q, r)) {
                        fs.add(new Finding(EVENTLOG_MISMATCH, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                                QUOTE_PATH + "/pcrs/" + name + ":" + pcr, HEX.formatHex(q), HEX.formatHex(r)));
                    }
                }
            }
            fs.add(new Finding(SECURE_BOOT, TrustClaim.CONFIGURATION, Severity.INFO, path, "",
                    secureBoot.map(on -> on ? "enabled" : "disabled").orElse("not measured")));
        }
    }

    private static String expectation(QuoteVerification.Reason r) {
        return switch (r) {
            case NONCE_MISMATCH -> "extraData equal to the nonce";
            case PCR_DIGEST_MISMATCH, PCR_VALUES_MISSING -> "pcrDigest over the reported PCR values";
            case SIGNATURE_INVALID -> "a signature by the enrolled AK";
            case SHA1_NOT_ALLOWED -> "a SHA-256 or stronger signature";
            default -> "a well-formed TPM quote";
        };
    }

    private static Optional<byte[]> bytes(Measurement m, String name) {
        return m.value(name).flatMap(v -> v instanceof Value.Bytes b ? Optional.of(b.value()) : Optional.empty());
    }

    private static String fingerprint(byte[] publicArea) {
        return "sha256:" + HEX.formatHex(HashAlg.SHA256.hash(publicArea)).substring(0, 16);
    }

    private static Finding contra(String check, String path, String expected, String actual) {
        return new Finding(check, TrustClaim.HARDWARE, Severity.CONTRAINDICATED, path, expected, actual);
    }

    @Override
    public String toString() {
        return "TpmAppraiser[" + aks.size() + " enrolled AKs, required " + required
                + (imaPolicy.isPresent() ? ", IMA allowlist" : "") + "]";
    }

    /** Configures a {@link TpmAppraiser}. */
    public static final class Builder {
        private final Map<String, TpmtPublic> aks = new HashMap<>();
        private PcrSelection required = TpmQuoteCollector.DEFAULT_PCRS;
        private boolean allowSha1;
        private Provider provider;
        private ImaPolicy imaPolicy;

        private Builder() {
        }

        /**
         * Enrols {@code ak} as {@code device}'s attestation key (replacing an earlier one).
         *
         * @param device the device id
         * @param ak the AK's public area
         * @return this builder
         */
        public Builder enroll(String device, TpmtPublic ak) {
            aks.put(Objects.requireNonNull(device, "device"), Objects.requireNonNull(ak, "ak"));
            return this;
        }

        /**
         * Enrols every device's AK of {@code byDevice}.
         *
         * @param byDevice the AKs by device id
         * @return this builder
         */
        public Builder enroll(Map<String, TpmtPublic> byDevice) {
            byDevice.forEach(this::enroll);
            return this;
        }

        /**
         * Whether quotes signed with SHA-1 schemes verify (default false: they are {@code tpm.sha1_not_allowed}).
         *
         * @param allow whether SHA-1 signatures are accepted
         * @return this builder
         */
        public Builder allowSha1(boolean allow) {
            allowSha1 = allow;
            return this;
        }

        /**
         * The PCRs every quote must select (default {@link TpmQuoteCollector#DEFAULT_PCRS}; an empty selection requires none).
         *
         * @param selection the required PCRs
         * @return this builder
         */
        public Builder requiredPcrs(PcrSelection selection) {
            required = Objects.requireNonNull(selection, "selection");
            return this;
        }

        /**
         * The JCA provider for quote signature verification (default: the SDK's Bouncy Castle instance).
         *
         * @param p the JCA provider
         * @return this builder
         */
        public Builder provider(Provider p) {
            provider = Objects.requireNonNull(p, "provider");
            return this;
        }

        /**
         * The allowlist IMA entries are appraised against once a quote binds them (e.g. a Keylime
         * runtime policy, {@link ImaPolicy#parseKeylime}); default none: entries are bound to
         * PCR 10 but not appraised. Unknown files and digests are {@value #IMA_NOT_ALLOWED},
         * violations {@value #IMA_VIOLATION}; excluded paths and {@code boot_aggregate} pass.
         *
         * @param policy the IMA policy
         * @return this builder
         */
        public Builder imaPolicy(ImaPolicy policy) {
            imaPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The appraiser.
         *
         * @return the appraiser
         */
        public TpmAppraiser build() {
            return new TpmAppraiser(this);
        }
    }
}
