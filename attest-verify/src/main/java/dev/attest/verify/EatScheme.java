package dev.attest.verify;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.core.Value;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.core.internal.cbor.CborReader;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SDK's own EAT profile (RFC 9711 as a CWT in COSE_Sign1, {@link Verifier#EAT_MEDIA_TYPE}) as
 * one {@link EvidenceScheme} of the verifier's dispatch, id {@value #ID}, always the last one.
 *
 * <p>Unlike a third-party scheme, it is made by the {@link Verifier} with package-private access
 * to what the SPI does not carry: the device state store (continuity of the measurement log by
 * compare-and-set, and the nonce spent only by evidence that advanced the state), the
 * {@link ReferenceValues}, the policy's {@link RuntimeRules}, the {@link EvidenceAppraiser}s and
 * the floor. The verifier therefore runs it with {@link #appraiseEat}, the whole EAT appraisal, and
 * not through the common path of {@link EvidenceScheme#appraise}; the SPI methods are implemented
 * faithfully for completeness (see {@link #appraise}).
 */
final class EatScheme implements EvidenceScheme {
    /** The scheme id. */
    static final String ID = "eat";

    private static final Set<String> MEDIA_TYPES = Set.of(Verifier.EAT_MEDIA_TYPE);

    private final TrustAnchors anchors;
    private final ReferenceValues references;
    private final Policy policy;
    private final Set<String> floor;
    private final DeviceStateStore store;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration skew;
    private final Optional<Duration> acceptStale;
    private final List<EvidenceAppraiser> appraisers;
    private final EvidenceDecoder decoder;

    EatScheme(TrustAnchors anchors, ReferenceValues references, Policy policy, Set<String> floor,
            DeviceStateStore store, Clock clock, Duration maxAge, Duration skew, Optional<Duration> acceptStale,
            List<EvidenceAppraiser> appraisers, EvidenceDecoder decoder) {
        this.anchors = anchors;
        this.references = references;
        this.policy = policy;
        this.floor = floor;
        this.store = store;
        this.clock = clock;
        this.maxAge = maxAge;
        this.skew = skew;
        this.acceptStale = acceptStale;
        this.appraisers = appraisers;
        this.decoder = decoder;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> mediaTypes() {
        return MEDIA_TYPES;
    }

    /**
     * Whether {@code evidence} starts like the SDK's evidence: the CWT tag (61), the COSE_Sign1 tag
     * (18) or an untagged array of four. Reads two bytes. The verifier does not need to ask: as the
     * last scheme, the EAT profile also takes whatever no scheme before it recognised (refused, if
     * it is not the SDK's evidence, with an {@code evidence} finding, as always).
     */
    @Override
    public boolean recognizes(byte[] evidence) {
        if (evidence.length < 2) {
            return false;
        }
        int first = evidence[0] & 0xff;
        return (first == 0xd8 && (evidence[1] & 0xff) == 61) || first == 0xd2 || first == 0x84;
    }

    /**
     * Whether {@code evidence} is a COSE_Sign1 (under the CWT tag 61, the COSE_Sign1 tag 18, both,
     * or untagged) whose payload is a map with {@code eat_profile} (265) naming the
     * SDK's profile, {@link dev.attest.evidence.EatProfile#PROFILE}. Such evidence is this scheme's
     * whatever another scheme's {@link EvidenceScheme#recognizes} says. Reads only heads and one
     * text; never throws (bytes that are not such a token are simply not named).
     *
     * @param evidence the evidence bytes
     * @return true if the evidence names the SDK's EAT profile
     */
    static boolean namesProfile(byte[] evidence) {
        if (evidence.length < 4) {
            return false;
        }
        try {
            CborReader r = CborReader.validated(evidence, 0, evidence.length);
            int first = evidence[0] & 0xff;
            if (first == 0xd8 && (evidence[1] & 0xff) == 61) {
                r.seek((evidence[2] & 0xff) == 0xd2 ? 3 : 2);
            } else if (first == 0xd2) {
                r.seek(1);
            }
            if (r.arrayHeader() != 4) {
                return false;
            }
            r.skip();
            r.skip();
            long len = r.head(2);
            int from = r.position();
            if (len < 0 || len > evidence.length - from) {
                return false;
            }
            CborReader p = CborReader.validated(evidence, from, from + (int) len);
            int n = p.mapHeader();
            for (int i = 0; i < n && i < 64; i++) {
                if (p.peekMajorType() > 1) {
                    p.skip();
                    p.skip();
                    continue;
                }
                if (p.integer() == dev.attest.evidence.EatProfile.EAT_PROFILE) {
                    return p.peekMajorType() == 3 && p.text().equals(dev.attest.evidence.EatProfile.PROFILE);
                }
                p.skip();
            }
            return false;
        } catch (CborException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Runs the whole EAT appraisal ({@link #appraiseEat}, with its continuity and nonce state and
     * policy) and gives its claims in normalised form (device, nonces, issue time; the measured
     * components stay in {@link AttestationResult#claims()}) and its findings after policy. The
     * verifier never calls this: feeding it to the common scheme path would check the nonce twice.
     */
    @Override
    public SchemeAppraisal appraise(byte[] evidence, AppraisalContext context) {
        AttestationResult r = appraiseEat(evidence, context);
        Optional<SchemeClaims> claims = r.device().flatMap(d -> r.claims().map(c -> new SchemeClaims(ID, d,
                Optional.empty(), List.of(), c.nonces(), c.iat())));
        return new SchemeAppraisal(claims, r.findings());
    }

    /**
     * The EAT profile's mapping: instance identity 2 when verified, executables 2 when reference
     * values were applied (verified, of a known device, with reference values configured), hardware
     * 2 with timing rules, each finding worse than INFO lowering its claim.
     */
    @Override
    public TrustVector trustVector(boolean verified, List<Finding> findings) {
        boolean referenced = verified && findings.stream().noneMatch(f -> f.check().equals(Checks.REFERENCE_NONE)
                || f.check().equals(Checks.IDENTITY_UNKNOWN));
        return new TrustVector(vector(verified, referenced, findings));
    }

    /**
     * The whole appraisal of the SDK's evidence, as the verifier's dispatch runs it: decode and
     * signature, device, expected device, freshness, unknown claims, continuity (compare-and-set in
     * the state store), the nonce spent only by evidence that advanced the state, reference values,
     * runtime rules, every appraiser, then policy under the floor, the trust vector and the status.
     */
    AttestationResult appraiseEat(byte[] evidence, AppraisalContext context) {
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
            return finish(fs, context.expectedDevice(), Verifier.sha256(evidence), now, Optional.empty(), false);
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
            return l.values().stream().map(EatScheme::text).toList().toString();
        }
        return v.toString();
    }

    private static TrustClaim claimOf(Measurement m) {
        return m.layer().name().equals("configuration") ? TrustClaim.CONFIGURATION : TrustClaim.EXECUTABLES;
    }

    private AttestationResult finish(List<Finding> raw, Optional<String> device, byte[] sha, Instant now,
            Optional<EatClaims> claims, boolean referenced) {
        List<Finding> fs = Verifier.weigh(policy, floor, raw);
        boolean verified = claims.isPresent();
        Map<TrustClaim, Integer> vector = vector(verified, referenced, fs);
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

    /** The EAT profile's AR4SI mapping of the findings (after policy). */
    private Map<TrustClaim, Integer> vector(boolean verified, boolean referenced, List<Finding> fs) {
        Map<TrustClaim, Integer> vector = new EnumMap<>(TrustClaim.class);
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
        return vector;
    }
}
