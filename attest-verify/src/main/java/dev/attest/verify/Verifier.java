package dev.attest.verify;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.core.Value;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.LogExtent;
import dev.attest.evidence.VerifiedEvidence;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.TrustVector;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Appraises evidence (RFC 9334 §3.2): decode and signature ({@link TrustAnchors}), freshness
 * (nonce in constant time, {@code iat} skew and age, {@code exp}), replay and continuity of the
 * measurement log ({@link DeviceStateStore}), measurements against {@link ReferenceValues},
 * the built-in runtime checks ({@link RuntimeRules}), and every {@link EvidenceAppraiser} (each
 * given the state it keeps for the device in the same store, {@link AppraiserState}); then
 * {@link Policy} weighs the findings, and the verifier maps them to the AR4SI trust vector and
 * status. Thread-safe, no global state.
 *
 * <p>Other evidence formats are {@link EvidenceScheme}s (PSA attestation tokens:
 * {@link dev.attest.verify.psa.PsaScheme}): {@link #appraise(byte[], AppraisalContext)} hands
 * evidence a configured scheme recognises to it, and keeps the challenge, replay state,
 * expected device, policy and result common; evidence no scheme claims is the SDK's EAT profile.
 *
 * <p>Never affirming by default: a result is affirming only if the signature verified with a
 * known device's key, the evidence is fresh, continues the device's log, reference values were
 * applied, and no finding is worse than INFO after policy. Bad evidence is a result with
 * findings, not an exception; exceptions mean misuse.
 *
 * <p>The floor: findings of {@link Checks#FLOOR} and of every appraiser's {@link
 * EvidenceAppraiser#floor()} are contraindicated whatever the policy says, so no policy makes a
 * forged, foreign, replayed, re-ordered, stale or wrong-nonce evidence affirming; a policy that
 * tries is refused by {@link Builder#build} when it can be seen, and otherwise the attempt is
 * reported next to the finding as {@link Checks#POLICY_FLOOR}.
 */
public final class Verifier {

    private final TrustAnchors anchors;
    private final ReferenceValues references;
    private final Policy policy;
    private final DeviceStateStore store;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration skew;
    private final Optional<Duration> acceptStale;
    private final Set<String> floor;
    private final List<EvidenceAppraiser> appraisers;
    private final List<EvidenceScheme> schemes;
    private final EvidenceDecoder decoder;

    private Verifier(Builder b) {
        this.anchors = b.anchors;
        this.references = b.references;
        this.policy = b.policy;
        this.store = b.store;
        this.clock = b.clock;
        this.maxAge = b.maxAge;
        this.skew = b.skew;
        this.acceptStale = Optional.ofNullable(b.acceptStale);
        this.floor = b.floor;
        this.appraisers = List.copyOf(b.appraisers);
        this.schemes = List.copyOf(b.schemes);
        this.decoder = EvidenceDecoder.builder(anchors.resolver(clock)).maxBytes(b.maxEvidenceBytes)
                .measurementCache(b.measurementCache).build();
    }

    /**
     * A builder; {@link Builder#trustAnchors} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Appraises {@code evidence} in {@code context}. Never throws for bad evidence.
     *
     * @param evidence the evidence bytes
     * @param context the appraisal context (device, nonce, time)
     * @return the result, with every finding
     * @throws StateStoreException if the {@link DeviceStateStore} is unavailable (a database
     *     down): the appraisal cannot be completed, and is not reported as a result
     */
    public AttestationResult appraise(byte[] evidence, AppraisalContext context) {
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(context, "context");
        // Each configured scheme looks at the content; evidence none of them claims is the SDK's
        // own EAT profile. With no scheme configured this costs nothing.
        for (EvidenceScheme s : schemes) {
            if (s.recognizes(evidence)) {
                return appraise(s, evidence, context);
            }
        }
        return appraiseEat(evidence, context);
    }

    /**
     * Appraises {@code evidence} of the given media type: the scheme that lists {@code mediaType}
     * ({@link EvidenceScheme#mediaTypes}), or the SDK's EAT profile for
     * {@value #EAT_MEDIA_TYPE}. Never throws for bad evidence.
     *
     * @param evidence the evidence bytes
     * @param mediaType the evidence's media type
     * @param context the appraisal context (device, nonce, time)
     * @return the result, with every finding
     * @throws IllegalArgumentException if no configured scheme takes {@code mediaType}
     * @throws StateStoreException if the {@link DeviceStateStore} is unavailable
     */
    public AttestationResult appraise(byte[] evidence, String mediaType, AppraisalContext context) {
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(context, "context");
        if (mediaType.equals(EAT_MEDIA_TYPE)) {
            return appraiseEat(evidence, context);
        }
        for (EvidenceScheme s : schemes) {
            if (s.mediaTypes().contains(mediaType)) {
                return appraise(s, evidence, context);
            }
        }
        throw new IllegalArgumentException("no configured scheme takes media type " + mediaType);
    }

    /** The media type of the SDK's own evidence (an EAT in a CWT, RFC 9711 §9.2 with this profile). */
    public static final String EAT_MEDIA_TYPE = "application/eat+cwt; eat_profile=\"" + dev.attest.evidence.EatProfile.PROFILE
            + "\"";

    /**
     * The ids of the configured schemes besides the SDK's EAT profile, in the order they are tried.
     *
     * @return the scheme ids, in order
     */
    public List<String> schemes() {
        return schemes.stream().map(EvidenceScheme::id).toList();
    }

    private AttestationResult appraiseEat(byte[] evidence, AppraisalContext context) {
        Instant now = context.time().orElseGet(clock::instant);
        List<Finding> fs = new ArrayList<>();
        VerifiedEvidence v;
        try {
            v = decoder.decode(evidence);
        } catch (EvidenceException e) {
            boolean unknown = e.reason() == EvidenceException.Reason.KEY_NOT_FOUND;
            fs.add(new Finding(unknown ? Checks.IDENTITY_UNKNOWN : Checks.EVIDENCE, TrustClaim.INSTANCE_IDENTITY,
                    Severity.CONTRAINDICATED, "/", unknown ? "a key of a known device" : "valid signed evidence",
                    e.getMessage()));
            // Only refused evidence is hashed here; the decoder hashes what it accepts.
            return finish(fs, context.expectedDevice(), sha256(evidence), now, Optional.empty(), false);
        }
        byte[] sha = v.tokenSha256();
        EatClaims claims = v.claims();
        Optional<String> device = anchors.deviceOf(v);
        if (device.isEmpty()) {
            fs.add(new Finding(Checks.IDENTITY_UNKNOWN, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/",
                    "a known device", "a key that names no device"));
            return finish(fs, Optional.empty(), sha, now, Optional.of(claims), false);
        }
        if (context.expectedDevice().isPresent() && !context.expectedDevice().get().equals(device.get())) {
            fs.add(new Finding(Checks.IDENTITY_MISMATCH, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/",
                    context.expectedDevice().get(), device.get()));
        }
        freshness(claims, context, now, fs);
        for (Map.Entry<String, String> u : claims.unknownClaims().entrySet()) {
            fs.add(new Finding(Checks.UNKNOWN_CLAIM, TrustClaim.CONFIGURATION, Severity.INFO, "/" + u.getKey(), "",
                    u.getValue()));
        }
        // Authentic evidence that continues the chain advances the device's state even when it
        // is late or answers the wrong challenge (queued evidence arrives late after an outage);
        // replays cannot advance it, their sequence does not increase.
        boolean mayAdvance = fs.stream().noneMatch(f -> f.check().equals(Checks.IDENTITY_MISMATCH));
        Continuity c = continuity(claims, device.get(), now, mayAdvance, fs);
        // The nonce is spent only by evidence that advanced the device's state: of two copies of
        // one challenged token arriving at once, the one that won the compare-and-set spends it;
        // the other is a replay (lost race, or sequence not above the new state) and must not
        // spend it first. Evidence that cannot advance the state is contraindicated anyway.
        if (c == Continuity.ADVANCED) {
            spendNonce(claims, context, device.get(), fs);
        }
        List<Measurement> all = claims.allMeasurements();
        boolean referenced = references(all, fs);
        runtime(all, fs);
        for (EvidenceAppraiser a : appraisers) {
            try {
                fs.addAll(a.appraise(device.get(), v, context, AppraiserState.of(store, device.get(), a.id())));
            } catch (RuntimeException e) {
                fs.add(new Finding(Checks.APPRAISER_FAILED, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED,
                        "/", "appraiser " + a.id() + " completes", e.getClass().getSimpleName()));
            }
        }
        return finish(fs, device, sha, now, Optional.of(claims), referenced);
    }

    /**
     * The common part of every scheme's appraisal: the scheme decodes, verifies and compares with
     * its reference values; the verifier checks the expected device, the challenge nonce (and spends
     * it once), applies policy and lets the scheme map the findings onto the trust vector.
     */
    private AttestationResult appraise(EvidenceScheme scheme, byte[] evidence, AppraisalContext context) {
        Instant now = context.time().orElseGet(clock::instant);
        byte[] sha = sha256(evidence);
        SchemeAppraisal a;
        try {
            a = scheme.appraise(evidence, context);
        } catch (RuntimeException e) {
            a = SchemeAppraisal.refused(List.of(new Finding(Checks.EVIDENCE, TrustClaim.INSTANCE_IDENTITY,
                    Severity.CONTRAINDICATED, "/", "scheme " + scheme.id() + " completes", e.getClass().getSimpleName())));
        }
        List<Finding> fs = new ArrayList<>(a.findings());
        Optional<String> device = a.claims().map(SchemeClaims::device);
        if (a.claims().isPresent()) {
            SchemeClaims c = a.claims().get();
            if (context.expectedDevice().isPresent() && !context.expectedDevice().get().equals(c.device())) {
                fs.add(new Finding(Checks.IDENTITY_MISMATCH, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED,
                        "/", context.expectedDevice().get(), c.device()));
            }
            schemeFreshness(c, context, now, fs);
        }
        List<Finding> after = weigh(fs);
        boolean verified = a.claims().isPresent();
        TrustVector vector = scheme.trustVector(verified, after);
        TrustTier status = vector.worstTier();
        // Whatever the scheme's mapping, a finding is never worth less than its severity, and
        // unverified evidence is contraindicated.
        for (Finding f : after) {
            if (f.severity() == Severity.CONTRAINDICATED) {
                status = TrustTier.CONTRAINDICATED;
            } else if (f.severity() == Severity.WARNING) {
                status = status.worst(TrustTier.WARNING);
            }
        }
        if (!verified) {
            status = TrustTier.CONTRAINDICATED;
        } else if (status == TrustTier.NONE) {
            status = TrustTier.WARNING;
        }
        return new AttestationResult(status, vector, after, device, sha, now, policy.id(), Optional.empty());
    }

    /** The challenge of a scheme's evidence: compared in constant time and spent once per device. */
    private void schemeFreshness(SchemeClaims c, AppraisalContext context, Instant now, List<Finding> fs) {
        List<byte[]> nonces = c.nonces();
        if (context.expectedNonce().isPresent()) {
            byte[] want = context.expectedNonce().get();
            boolean match = false;
            for (byte[] n : nonces) {
                match |= MessageDigest.isEqual(want, n);
            }
            if (!match) {
                fs.add(new Finding(Checks.NONCE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/nonce",
                        "the challenge nonce", nonces.isEmpty() ? "no nonce" : "another nonce"));
            } else if (!store.useNonce(c.device(), want, maxAge.plus(skew).plus(skew))) {
                fs.add(new Finding(Checks.NONCE_REPLAY, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED,
                        "/nonce", "a nonce used once", "a nonce used before"));
            }
        } else if (context.redeemer().isPresent() && !nonces.isEmpty()) {
            boolean redeemed = false;
            for (byte[] n : nonces) {
                redeemed |= context.redeemer().get().redeem(c.device(), n);
            }
            if (!redeemed) {
                fs.add(new Finding(Checks.NONCE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/nonce",
                        "a challenge issued to " + c.device() + " and not yet answered", "an unknown, expired or used nonce"));
            }
        } else if (c.issuedAt().isEmpty()) {
            // Without a time and without a challenge nothing shows the evidence is not a replay.
            fs.add(new Finding(Checks.NONCE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/nonce",
                    "a challenge (the evidence carries no time)", "appraised without a challenge"));
        }
        c.issuedAt().ifPresent(iat -> {
            if (iat.isAfter(now.plus(skew))) {
                fs.add(new Finding(Checks.IAT_FUTURE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/iat",
                        "at most " + now.plus(skew), iat.toString()));
            }
            if (iat.isBefore(now.minus(maxAge).minus(skew))) {
                fs.add(new Finding(Checks.STALE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/iat",
                        "issued after " + now.minus(maxAge), iat.toString()));
            }
        });
    }

    /** Adds the freshness findings (the nonce is compared here, and spent by {@link #spendNonce}). */
    private void freshness(EatClaims claims, AppraisalContext context, Instant now, List<Finding> fs) {
        if (context.expectedNonce().isPresent()) {
            byte[] want = context.expectedNonce().get();
            boolean match = false;
            for (byte[] n : claims.nonces()) {
                match |= MessageDigest.isEqual(want, n);
            }
            if (!match) {
                fs.add(new Finding(Checks.NONCE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/10",
                        "the challenge nonce", claims.nonces().isEmpty() ? "no nonce" : "another nonce"));
            }
        }
        Optional<Instant> iat = claims.iat();
        if (iat.isEmpty()) {
            fs.add(new Finding(Checks.IAT_MISSING, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/6",
                    "iat", "none"));
        } else {
            if (iat.get().isAfter(now.plus(skew))) {
                fs.add(new Finding(Checks.IAT_FUTURE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/6",
                        "at most " + now.plus(skew), iat.get().toString()));
            }
            if (iat.get().isBefore(now.minus(maxAge).minus(skew))) {
                Duration age = Duration.between(iat.get(), now);
                if (acceptStale.isPresent() && !iat.get().isBefore(now.minus(acceptStale.get()).minus(skew))) {
                    // Queued evidence of a device that was offline: accepted because the
                    // deployment said so, with its bound, and told in the result.
                    fs.add(new Finding(Checks.STALE_ACCEPTED, TrustClaim.INSTANCE_IDENTITY, Severity.INFO, "/6",
                            "issued after " + now.minus(maxAge) + ", or after " + now.minus(acceptStale.get())
                                    + " under acceptStale(" + acceptStale.get() + ")",
                            iat.get() + " (" + age.toSeconds() + " s old)"));
                } else {
                    fs.add(new Finding(Checks.STALE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/6",
                            "issued after " + now.minus(acceptStale.orElse(maxAge)), iat.get().toString()));
                }
            }
        }
        claims.exp().filter(exp -> !exp.isAfter(now.minus(skew))).ifPresent(exp -> fs.add(new Finding(Checks.EXPIRED,
                TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/4", "after " + now, exp.toString())));
    }

    /** Marks the evidence's nonce used (expected nonce) or redeems it (redeemer); refusals are findings. */
    private void spendNonce(EatClaims claims, AppraisalContext context, String device, List<Finding> fs) {
        if (context.expectedNonce().isPresent()) {
            byte[] want = context.expectedNonce().get();
            boolean carried = false;
            for (byte[] n : claims.nonces()) {
                carried |= MessageDigest.isEqual(want, n);
            }
            // A nonce's use is remembered as long as evidence carrying it could still be accepted.
            Duration oldest = acceptStale.orElse(maxAge);
            if (carried && !store.useNonce(device, want, oldest.plus(skew).plus(skew))) {
                fs.add(new Finding(Checks.NONCE_REPLAY, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/10",
                        "a nonce used once", "a nonce used before"));
            }
        } else if (context.redeemer().isPresent() && !claims.nonces().isEmpty()) {
            boolean redeemed = false;
            for (byte[] n : claims.nonces()) {
                redeemed |= context.redeemer().get().redeem(device, n);
            }
            if (!redeemed) {
                fs.add(new Finding(Checks.NONCE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/10",
                        "a challenge issued to " + device + " and not yet answered", "an unknown, expired or used nonce"));
            }
        }
    }

    /** How the continuity check ended for the device's state. */
    private enum Continuity {
        /** The state now holds this evidence's head. */
        ADVANCED,
        /** Another appraisal advanced the state first: this evidence is a replay. */
        LOST_RACE,
        /** The state was not touched (no log, broken chain, replay by sequence, identity mismatch). */
        UNCHANGED
    }

    private Continuity continuity(EatClaims claims, String device, Instant now, boolean mayAdvance, List<Finding> fs) {
        Optional<LogExtent> extent = claims.log();
        if (extent.isEmpty()) {
            fs.add(new Finding(Checks.LOG_MISSING, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/-70001",
                    "a measurement log extent", "none"));
            return Continuity.UNCHANGED;
        }
        LogExtent log = extent.get();
        DigestAlgorithm alg = log.head().head().algorithm();
        Digest h = MeasurementLog.replay(log.since().head(), log.measurements());
        if (!h.matches(log.head().head())) {
            fs.add(new Finding(Checks.CHAIN, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/-70001/6",
                    h.toString(), log.head().head().toString()));
            return Continuity.UNCHANGED;
        }
        if (!mayAdvance) {
            return Continuity.UNCHANGED;
        }
        Optional<DeviceState> state = store.get(device);
        LogHead since = log.since();
        LogHead head = log.head();
        DeviceState next = new DeviceState(head, now);
        if (state.isEmpty()) {
            fs.add(new Finding(Checks.FIRST_SEEN, TrustClaim.INSTANCE_IDENTITY, Severity.INFO, "/-70001",
                    "", "continuity starts at sequence " + since.sequence() + " of boot " + since.bootId()));
        } else {
            LogHead last = state.get().head();
            if (!last.bootId().equals(head.bootId())) {
                fs.add(new Finding(Checks.REBOOT, TrustClaim.RUNTIME_OPAQUE, Severity.WARNING, "/-70001/2",
                        last.bootId(), head.bootId()));
                if (since.sequence() != 0 || !since.head().matches(MeasurementLog.genesis(alg))) {
                    fs.add(new Finding(Checks.BROKEN, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED,
                            "/-70001/3", "a new boot's log starting at genesis", "sequence " + since.sequence()));
                    return Continuity.UNCHANGED;
                }
            } else if (head.sequence() <= last.sequence()) {
                fs.add(new Finding(Checks.REPLAY, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/-70001/5",
                        "sequence above " + last.sequence(), Long.toString(head.sequence())));
                return Continuity.UNCHANGED;
            } else if (!state.get().sameHead(since)) {
                fs.add(new Finding(Checks.BROKEN, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/-70001/4",
                        "since = last head " + last.sequence() + " " + last.head(),
                        since.sequence() + " " + since.head()));
                return Continuity.UNCHANGED;
            }
        }
        if (!store.compareAndSet(device, state, next)) {
            fs.add(new Finding(Checks.REPLAY, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/-70001/5",
                    "the only acceptance of sequence " + head.sequence(), "accepted concurrently elsewhere"));
            return Continuity.LOST_RACE;
        }
        return Continuity.ADVANCED;
    }

    private boolean references(List<Measurement> all, List<Finding> fs) {
        if (references.isEmpty()) {
            fs.add(new Finding(Checks.REFERENCE_NONE, TrustClaim.EXECUTABLES, Severity.WARNING, "/", "reference values",
                    "none configured"));
            return false;
        }
        // Which components were measured OK, by their place in the reference values.
        boolean[] present = new boolean[references.components().size()];
        for (Measurement m : all) {
            String name = m.component().name();
            TrustClaim claim = claimOf(m);
            ReferenceValues.Indexed ref = references.indexed(name);
            if (ref == null) {
                if (!m.digests().isEmpty()) {
                    fs.add(new Finding(Checks.REFERENCE_UNKNOWN, claim, Severity.WARNING, name, "a known component",
                            m.digests().get(0).toString()));
                }
                continue;
            }
            if (m.status() == Measurement.Status.OK) {
                present[ref.index()] = true;
            }
            ReferenceValues.Component c = ref.component();
            if (c.forbidden()) {
                fs.add(new Finding(Checks.REFERENCE_FORBIDDEN, claim, Severity.CONTRAINDICATED, name, "absent", "present"));
                continue;
            }
            if (m.status() != Measurement.Status.OK) {
                continue;
            }
            if (!c.digests().isEmpty()) {
                boolean ok = false;
                for (Digest d : m.digests()) {
                    ok |= c.allows(d);
                }
                if (!ok) {
                    fs.add(new Finding(Checks.REFERENCE_DIGEST, claim, Severity.CONTRAINDICATED, name,
                            c.digests().stream().limit(3).map(Digest::toString).toList().toString(),
                            m.digests().isEmpty() ? "no digest" : m.digests().get(0).toString()));
                }
            }
            if (c.minVersion().isPresent() || c.maxVersion().isPresent()) {
                Optional<String> version = m.component().version();
                boolean ok = version.isPresent()
                        && c.minVersion().map(min -> ReferenceValues.compareVersions(version.get(), min) >= 0).orElse(true)
                        && c.maxVersion().map(max -> ReferenceValues.compareVersions(version.get(), max) <= 0).orElse(true);
                if (!ok) {
                    fs.add(new Finding(Checks.REFERENCE_VERSION, claim, Severity.CONTRAINDICATED, name,
                            c.minVersion().orElse("*") + ".." + c.maxVersion().orElse("*"), version.orElse("no version")));
                }
            }
        }
        for (ReferenceValues.Indexed r : references.required()) {
            if (!present[r.index()]) {
                fs.add(new Finding(Checks.REFERENCE_MISSING, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                        r.component().name(), "present and measured", "missing"));
            }
        }
        return true;
    }

    private void runtime(List<Measurement> all, List<Finding> fs) {
        RuntimeRules rules = policy.runtimeRules();
        for (Measurement m : all) {
            String name = m.component().name();
            Map<String, Value> vs = m.values();
            if (m.status() == Measurement.Status.ERROR) {
                fs.add(new Finding(Checks.MEASUREMENT_ERROR, claimOf(m), Severity.WARNING, name, "a measurement",
                        m.message().orElse("error")));
            } else if (m.status() == Measurement.Status.UNSUPPORTED) {
                fs.add(new Finding(Checks.MEASUREMENT_UNSUPPORTED, claimOf(m), Severity.INFO, name, "",
                        m.message().orElse("unsupported")));
            }
            // Most measurements carry no values (file digests): nothing below applies to them.
            if (!vs.isEmpty()) {
                if (vs.get("match") instanceof Value.Bool match && !match.value()) {
                    fs.add(new Finding(Checks.CODE_MISMATCH, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, name,
                            "code in memory equals the file", "differs in " + text(vs.get("differing-bytes")) + " bytes"));
                }
                if (vs.get("backing") instanceof Value.Text backing && !backing.value().equals("file")) {
                    fs.add(new Finding(Checks.CODE_REPLACED, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, name,
                            "code from the file on disk", "backing " + backing.value()));
                }
                if (vs.get("findings") instanceof Value.ListValue list && !list.values().isEmpty()) {
                    if (vs.containsKey("perms")) {
                        boolean jit = vs.get("jit-code-cache") instanceof Value.Bool b && b.value();
                        String path = vs.get("path") instanceof Value.Text t ? t.value() : name;
                        boolean allowed = (jit && rules.allowJit()) || rules.wxAllow().stream().anyMatch(path::startsWith);
                        if (!allowed) {
                            fs.add(new Finding(Checks.WX, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, name,
                                    "no writable or unexplained executable mapping", text(list)));
                        }
                    } else {
                        for (Value f : list.values()) {
                            String finding = f instanceof Value.Text t ? t.value() : text(f);
                            if (rules.jvmAllow().stream().noneMatch(a -> finding.equals(a) || finding.startsWith(a))) {
                                fs.add(new Finding(Checks.JVM_INSTRUMENTATION, TrustClaim.EXECUTABLES,
                                        Severity.CONTRAINDICATED, name, "no run-time code changes", finding));
                            }
                        }
                    }
                }
            }
            for (RuntimeRules.TimingBound t : rules.timing()) {
                if (t.component().equals(name)) {
                    Value x = vs.get(t.value());
                    double d = x instanceof Value.Real r ? r.value() : x instanceof Value.Int i ? i.value() : Double.NaN;
                    if (Double.isNaN(d) || d > t.max()) {
                        fs.add(new Finding(Checks.TIMING, TrustClaim.HARDWARE, Severity.WARNING, name + "/" + t.value(),
                                "at most " + t.max(), Double.isNaN(d) ? "missing" : Double.toString(d)));
                    }
                }
            }
        }
    }

    private static String text(Value v) {
        if (v == null) {
            return "?";
        }
        if (v instanceof Value.Text t) {
            return t.value();
        }
        if (v instanceof Value.Int i) {
            return Long.toString(i.value());
        }
        if (v instanceof Value.ListValue l) {
            return l.values().stream().map(Verifier::text).toList().toString();
        }
        return v.toString();
    }

    private static TrustClaim claimOf(Measurement m) {
        return m.layer().name().equals("configuration") ? TrustClaim.CONFIGURATION : TrustClaim.EXECUTABLES;
    }

    /**
     * The policy's severity for each finding, under the floor: a floor finding stays
     * contraindicated whatever the policy says (followed by a {@code policy.floor} finding when
     * the policy tried to lower it). Every scheme's findings and the EAT profile's go through here.
     */
    private List<Finding> weigh(List<Finding> raw) {
        List<Finding> fs = new ArrayList<>(raw.size());
        for (Finding f : raw) {
            Severity s = policy.severity(f);
            if (Checks.covers(floor, f.check())) {
                fs.add(f.severity() == Severity.CONTRAINDICATED ? f : f.withSeverity(Severity.CONTRAINDICATED));
                if (s != Severity.CONTRAINDICATED) {
                    fs.add(new Finding(Checks.POLICY_FLOOR, f.claim(), Severity.INFO, f.path(),
                            f.check() + " contraindicated (the floor)", "policy " + policy.id() + " gave "
                                    + s.name().toLowerCase(Locale.ROOT)));
                }
                continue;
            }
            fs.add(s == f.severity() ? f : f.withSeverity(s));
        }
        return fs;
    }

    private AttestationResult finish(List<Finding> raw, Optional<String> device, byte[] sha, Instant now,
            Optional<EatClaims> claims, boolean referenced) {
        List<Finding> fs = weigh(raw);
        Map<TrustClaim, Integer> vector = new EnumMap<>(TrustClaim.class);
        boolean verified = claims.isPresent();
        if (verified) {
            vector.put(TrustClaim.INSTANCE_IDENTITY, TrustClaim.TRUSTWORTHY_INSTANCE);
            if (referenced) {
                vector.put(TrustClaim.EXECUTABLES, TrustClaim.APPROVED_RUNTIME);
            }
            if (!policy.runtimeRules().timing().isEmpty()) {
                vector.put(TrustClaim.HARDWARE, TrustClaim.GENUINE_HARDWARE);
            }
        }
        for (Finding f : fs) {
            if (f.severity() == Severity.INFO) {
                continue;
            }
            int value;
            if (f.severity() == Severity.WARNING) {
                value = f.check().equals(Checks.REFERENCE_UNKNOWN) ? TrustClaim.UNRECOGNIZED_RUNTIME : TrustClaim.UNSAFE_RUNTIME;
            } else if (f.check().equals(Checks.EVIDENCE)) {
                value = TrustClaim.CRYPTO_VALIDATION_FAILED;
            } else if (f.check().equals(Checks.IDENTITY_UNKNOWN)) {
                value = TrustClaim.UNRECOGNIZED_INSTANCE;
            } else {
                value = TrustClaim.UNTRUSTWORTHY_INSTANCE;
            }
            Integer old = vector.get(f.claim());
            if (old == null || TrustTier.ofValue(value).compareTo(TrustTier.ofValue(old)) > 0
                    || (TrustTier.ofValue(value) == TrustTier.ofValue(old) && value > old)) {
                vector.put(f.claim(), value);
            }
        }
        TrustTier status = TrustTier.NONE;
        for (int value : vector.values()) {
            status = status.worst(TrustTier.ofValue(value));
        }
        // Affirming needs the identity and the executables both affirmed; anything less is not.
        if (status == TrustTier.AFFIRMING && (!verified || !referenced)) {
            status = TrustTier.WARNING;
        }
        if (!verified) {
            status = TrustTier.CONTRAINDICATED;
        }
        return new AttestationResult(status, new TrustVector(vector), fs, device, sha, now, policy.id(), claims);
    }

    private static byte[] sha256(byte[] b) {
        return DigestAlgorithm.SHA_256.newMessageDigest().digest(b);
    }

    /** Configures a {@link Verifier}. */
    public static final class Builder {
        private TrustAnchors anchors;
        private ReferenceValues references = ReferenceValues.empty();
        private Policy policy = Policy.defaults();
        private DeviceStateStore store;
        private Clock clock = Clock.systemUTC();
        private Duration maxAge = Duration.ofMinutes(10);
        private Duration skew = Duration.ofSeconds(60);
        private Duration acceptStale;
        private Set<String> floor;
        private int maxEvidenceBytes = EvidenceDecoder.DEFAULT_MAX_BYTES;
        private int measurementCache = EvidenceDecoder.DEFAULT_MEASUREMENT_CACHE;
        private final List<EvidenceAppraiser> appraisers = new ArrayList<>();
        private final List<EvidenceScheme> schemes = new ArrayList<>();

        private Builder() {
        }

        /**
         * The keys or roots to trust (required).
         *
         * @param a the trust anchors
         * @return this builder
         */
        public Builder trustAnchors(TrustAnchors a) {
            anchors = Objects.requireNonNull(a);
            return this;
        }

        /**
         * The reference values (default: none, which is never affirming).
         *
         * @param r the reference values
         * @return this builder
         */
        public Builder referenceValues(ReferenceValues r) {
            references = Objects.requireNonNull(r);
            return this;
        }

        /**
         * The policy (default: {@link Policy#defaults()}).
         *
         * @param p the policy
         * @return this builder
         */
        public Builder policy(Policy p) {
            policy = Objects.requireNonNull(p);
            return this;
        }

        /**
         * The device state store (default: a new in-memory store).
         *
         * @param s the state store
         * @return this builder
         */
        public Builder stateStore(DeviceStateStore s) {
            store = Objects.requireNonNull(s);
            return this;
        }

        /**
         * The clock (default: system UTC).
         *
         * @param c the clock
         * @return this builder
         */
        public Builder clock(Clock c) {
            clock = Objects.requireNonNull(c);
            return this;
        }

        /**
         * How old evidence may be (default 10 minutes) and the allowed clock skew (default 60 s).
         *
         * @param maxAge the greatest age of evidence
         * @param skew the allowed clock skew
         * @return this builder
         */
        public Builder freshness(Duration maxAge, Duration skew) {
            if (maxAge.isNegative() || maxAge.isZero() || skew.isNegative()) {
                throw new IllegalArgumentException("maxAge must be positive and skew not negative");
            }
            this.maxAge = maxAge;
            this.skew = skew;
            return this;
        }

        /**
         * Accepts evidence older than the max age ({@link #freshness}) up to {@code upTo} old,
         * for devices that queue evidence while offline and send it late. Separate from the
         * policy on purpose: the floor keeps {@link Checks#STALE} contraindicated, this is the
         * only way to accept older evidence, and it has a bound. Every result it affects carries
         * an INFO finding {@link Checks#STALE_ACCEPTED} (in {@link AttestationResult#findings()}
         * and the EAR's {@code attest.findings}) naming the evidence's age and the bound; evidence
         * older than {@code upTo} (plus the skew) is still {@link Checks#STALE}. Challenge nonces
         * are remembered as used for {@code upTo} plus twice the skew. Default: not set.
         *
         * @param upTo the greatest age of stale evidence accepted
         * @return this builder
         * @throws IllegalArgumentException if {@code upTo} is not positive; {@link #build} throws
         *     {@link IllegalStateException} if it is not longer than the max age
         */
        public Builder acceptStale(Duration upTo) {
            if (upTo.isNegative() || upTo.isZero()) {
                throw new IllegalArgumentException("acceptStale must be positive");
            }
            acceptStale = upTo;
            return this;
        }

        /**
         * The evidence size limit (default 64 KiB).
         *
         * @param n the size limit in bytes
         * @return this builder
         */
        public Builder maxEvidenceBytes(int n) {
            maxEvidenceBytes = n;
            return this;
        }

        /**
         * How many decoded measurements the verifier remembers to decode the next evidences
         * faster, 0 to 2^20 (default {@value EvidenceDecoder#DEFAULT_MEASUREMENT_CACHE}); see
         * {@link EvidenceDecoder.Builder#measurementCache}. It never changes a result.
         *
         * @param entries how many decoded measurements to remember
         * @return this builder
         */
        public Builder measurementCache(int entries) {
            if (entries < 0 || entries > 1 << 20) {
                throw new IllegalArgumentException("measurementCache must be 0..2^20");
            }
            measurementCache = entries;
            return this;
        }

        /**
         * Adds an appraiser.
         *
         * @param a the appraiser
         * @return this builder
         */
        public Builder appraiser(EvidenceAppraiser a) {
            appraisers.add(Objects.requireNonNull(a));
            return this;
        }

        /**
         * Adds an evidence scheme; schemes are tried in the order added, before the SDK's own EAT
         * profile, which takes whatever no scheme recognises.
         *
         * @param s the scheme
         * @return this builder
         */
        public Builder scheme(EvidenceScheme s) {
            schemes.add(Objects.requireNonNull(s));
            return this;
        }

        /**
         * Adds every {@link EvidenceScheme} found by {@link ServiceLoader}.
         *
         * @return this builder
         */
        public Builder discoverSchemes() {
            ServiceLoader.load(EvidenceScheme.class).forEach(schemes::add);
            return this;
        }

        /**
         * Adds every {@link EvidenceAppraiser} found by {@link ServiceLoader}.
         *
         * @return this builder
         */
        public Builder discoverAppraisers() {
            ServiceLoader.load(EvidenceAppraiser.class).forEach(appraisers::add);
            return this;
        }

        /**
         * The verifier. Its floor is {@link Checks#FLOOR} and every appraiser's {@link
         * EvidenceAppraiser#floor()}. A policy from {@link Policy#fromJson} is checked against it
         * entry by entry (an appraiser's floor is known only here); a policy in code is asked for
         * the severity of a contraindicated finding of every floor check id (built-in ones and
         * those appraisers list), and must answer contraindicated. Either way a lowering is
         * refused. A policy in code that lowers a floor finding only for some paths or values
         * is not seen here; the verifier keeps those findings contraindicated at appraisal.
         *
         * @return the verifier
         * @throws IllegalStateException if no trust anchors were set; if {@link #acceptStale} is
         *     not longer than the max age; if an appraiser's floor lists an entry outside its own
         *     checks; or if the policy lowers a floor check, with a {@link ConfigException} as the
         *     cause whose reason is {@link ConfigException.Reason#BELOW_FLOOR} and whose path
         *     names the check ({@code /severity/tpm.signature_invalid})
         */
        public Verifier build() {
            if (anchors == null) {
                throw new IllegalStateException("trust anchors are required: there is no trust on first use");
            }
            if (acceptStale != null && acceptStale.compareTo(maxAge) <= 0) {
                throw new IllegalStateException("acceptStale(" + acceptStale + ") must be longer than the max age "
                        + maxAge);
            }
            Set<String> f = new TreeSet<>(Checks.FLOOR);
            for (EvidenceAppraiser a : appraisers) {
                for (String entry : a.floor()) {
                    if (!Checks.validPattern(entry) || !entry.startsWith(a.id() + ".")) {
                        throw new IllegalStateException("appraiser " + a.id() + " lists floor entry " + entry
                                + ", which is not one of its own checks (" + a.id() + ".<check>)");
                    }
                    f.add(entry);
                }
            }
            for (EvidenceScheme sc : schemes) {
                for (String entry : sc.floor()) {
                    if (!Checks.validPattern(entry) || !entry.startsWith(sc.id() + ".")) {
                        throw new IllegalStateException("scheme " + sc.id() + " lists floor entry " + entry
                                + ", which is not one of its own checks (" + sc.id() + ".<check>)");
                    }
                    f.add(entry);
                }
            }
            try {
                if (policy instanceof JsonPolicy json) {
                    json.requireFloor(f);
                } else {
                    requireFloor(policy, f);
                }
            } catch (ConfigException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            floor = Collections.unmodifiableSet(f);
            if (store == null) {
                store = DeviceStateStore.inMemory();
            }
            return new Verifier(this);
        }

        /** Asks a policy in code about a contraindicated finding of each floor check it can name. */
        private static void requireFloor(Policy policy, Set<String> floor) throws ConfigException {
            Set<String> ids = new TreeSet<>();
            for (String entry : floor) {
                if (!Checks.isWildcard(entry)) {
                    ids.add(entry);
                }
            }
            for (String id : Checks.builtIn()) {
                if (Checks.covers(floor, id)) {
                    ids.add(id);
                }
            }
            for (String id : ids) {
                Severity s = policy.severity(new Finding(id, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED,
                        "/", "", ""));
                if (s != Severity.CONTRAINDICATED) {
                    throw new ConfigException(ConfigException.Reason.BELOW_FLOOR, "/severity/" + id, id
                            + " is a floor check: policy " + policy.id() + " makes it "
                            + s.name().toLowerCase(Locale.ROOT)
                            + " (only contraindicated; see docs/verifier.md, The floor)");
                }
            }
        }
    }
}
