package dev.attest.verify;

import dev.attest.core.DigestAlgorithm;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.TrustVector;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
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
 * expected device, policy and result common. The SDK's EAT profile is itself a scheme, id
 * {@code eat}, always the last one ({@link #allSchemes()}): it takes the evidence no scheme
 * before it claims, and is built by the verifier with the state store, reference values and
 * appraisers the SPI does not carry (docs/schemes.md).
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

    private final Policy policy;
    private final DeviceStateStore store;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration skew;
    private final Set<String> floor;
    /** The bound of accepted stale evidence ({@link Builder#acceptStale} or the policy's), if any. */
    private final Optional<Duration> acceptStale;
    private final List<EvidenceScheme> schemes;
    /** The SDK's own EAT profile: the last scheme of {@link #dispatch}. */
    private final EatScheme eat;
    /** Every scheme in the order tried: the configured ones, then {@link #eat}. */
    private final EvidenceScheme[] dispatch;

    private Verifier(Builder b) {
        this.policy = b.policy;
        this.store = b.store;
        this.clock = b.clock;
        this.maxAge = b.maxAge;
        this.skew = b.skew;
        this.floor = b.floor;
        this.schemes = List.copyOf(b.schemes);
        EvidenceDecoder decoder = EvidenceDecoder.builder(b.anchors.resolver(clock)).maxBytes(b.maxEvidenceBytes)
                .measurementCache(b.measurementCache).build();
        this.acceptStale = Optional.ofNullable(b.resolvedAcceptStale);
        this.eat = new EatScheme(b.anchors, b.references, policy, floor, store, clock, maxAge, skew,
                acceptStale, List.copyOf(b.appraisers), decoder);
        this.dispatch = new EvidenceScheme[schemes.size() + 1];
        for (int i = 0; i < schemes.size(); i++) {
            dispatch[i] = schemes.get(i);
        }
        dispatch[schemes.size()] = eat;
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
        // Each scheme in turn looks at the content; the last, the SDK's own EAT profile, also takes
        // whatever none before it claims (so it need not be asked). With no scheme configured this
        // costs nothing.
        int last = dispatch.length - 1;
        for (int i = 0; i < last; i++) {
            if (dispatch[i].recognizes(evidence)) {
                // Evidence naming the SDK's own profile is the EAT scheme's, whatever a configured
                // or discovered scheme claims: a scheme never takes the SDK's evidence from it.
                return run(EatScheme.namesProfile(evidence) ? eat : dispatch[i], evidence, context);
            }
        }
        return run(dispatch[last], evidence, context);
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
        // The SDK's media type is its own: no configured scheme takes it over.
        if (mediaType.equals(EAT_MEDIA_TYPE)) {
            return run(eat, evidence, context);
        }
        for (EvidenceScheme s : dispatch) {
            if (s.mediaTypes().contains(mediaType)) {
                return run(s, evidence, context);
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

    /**
     * The ids of every scheme this verifier dispatches to, in the order they are tried: the
     * configured ones ({@link #schemes()}), then the SDK's own EAT profile, {@code eat}, which also
     * takes the evidence no scheme before it recognises.
     *
     * @return the scheme ids, in order, ending with {@code eat}
     */
    public List<String> allSchemes() {
        List<String> ids = new ArrayList<>(dispatch.length);
        for (EvidenceScheme s : dispatch) {
            ids.add(s.id());
        }
        return List.copyOf(ids);
    }

    /** The SDK's own EAT profile, the last scheme of the dispatch (for tests in this package). */
    EatScheme eatScheme() {
        return eat;
    }

    /**
     * Runs one scheme: the EAT profile its whole appraisal (it keeps its own continuity and nonce
     * state, see {@link EatScheme}); any other scheme through the common path.
     */
    private AttestationResult run(EvidenceScheme scheme, byte[] evidence, AppraisalContext context) {
        return scheme == eat ? eat.appraiseEat(evidence, context) : appraise(scheme, evidence, context);
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
        List<Finding> after = weigh(policy, floor, fs);
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
        // The EAR binds the challenge the scheme's verified evidence answers (eat_nonce), as for EAT.
        return new AttestationResult(status, vector, after, device, sha, now, policy.id(), Optional.empty(),
                a.claims().map(SchemeClaims::nonces).orElse(List.of()));
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
            } else if (!store.useNonce(c.device(), want, acceptStale.orElse(maxAge).plus(skew).plus(skew))) {
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
                if (acceptStale.isPresent() && !iat.isBefore(now.minus(acceptStale.get()).minus(skew))) {
                    fs.add(new Finding(Checks.STALE_ACCEPTED, TrustClaim.INSTANCE_IDENTITY, Severity.INFO, "/iat",
                            "issued after " + now.minus(maxAge) + ", or after " + now.minus(acceptStale.get())
                                    + " under acceptStale(" + acceptStale.get() + ")",
                            iat + " (" + Duration.between(iat, now).toSeconds() + " s old)"));
                } else {
                    fs.add(new Finding(Checks.STALE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/iat",
                            "issued after " + now.minus(acceptStale.orElse(maxAge)), iat.toString()));
                }
            }
        });
    }

    /**
     * The policy's severity for each finding, under the floor: a floor finding stays
     * contraindicated whatever the policy says (followed by a {@code policy.floor} finding when
     * the policy tried to lower it). Every scheme's findings and the EAT profile's go through here.
     */
    static List<Finding> weigh(Policy policy, Set<String> floor, List<Finding> raw) {
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

    static byte[] sha256(byte[] b) {
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
        /** The bound {@link #build} settled on: this builder's or the policy's. */
        private Duration resolvedAcceptStale;
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
         * are remembered as used for {@code upTo} plus twice the skew. The same holds for every
         * scheme's evidence that carries an issue time. Default: the policy's
         * {@link Policy#acceptStale()} (JSON {@code "accept-stale": {"up-to": "PT72H"}}), else not
         * set.
         *
         * @param upTo the greatest age of stale evidence accepted, at most
         *     {@link Policy#MAX_ACCEPT_STALE}
         * @return this builder
         * @throws IllegalArgumentException if {@code upTo} is not positive or longer than
         *     {@link Policy#MAX_ACCEPT_STALE}; {@link #build} throws {@link IllegalStateException}
         *     if it is not longer than the max age, or if the policy sets another bound
         */
        public Builder acceptStale(Duration upTo) {
            if (upTo.isNegative() || upTo.isZero()) {
                throw new IllegalArgumentException("acceptStale must be positive");
            }
            if (upTo.compareTo(Policy.MAX_ACCEPT_STALE) > 0) {
                throw new IllegalArgumentException("acceptStale must be at most " + Policy.MAX_ACCEPT_STALE);
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
         * Adds every {@link EvidenceScheme} found by {@link ServiceLoader} (the thread's context
         * class loader): providers named in {@code META-INF/services/dev.attest.verify.EvidenceScheme}
         * on the class path, or modules that {@code provides dev.attest.verify.EvidenceScheme}. They
         * are tried in the order found, before the SDK's EAT profile, and are held to the same rules
         * as a scheme passed in code: {@link #build} refuses one that claims the EAT profile's id
         * or media type or another scheme's id, and one whose floor entries are not its own checks;
         * evidence that names the SDK's profile goes to the EAT scheme whatever a discovered scheme
         * recognises; and every discovered scheme's findings stand on the floor.
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
         *     not longer than the max age; if the policy's {@link Policy#acceptStale()} is not
         *     positive, above {@link Policy#MAX_ACCEPT_STALE}, not longer than the max age or other
         *     than a bound set on this builder (with a {@link ConfigException} as the cause, reason
         *     {@link ConfigException.Reason#BAD_VALUE}, path {@code /accept-stale/up-to}); if a scheme takes the id {@code eat}, another scheme's
         *     id or {@link #EAT_MEDIA_TYPE}; if an appraiser's or scheme's floor lists an entry
         *     outside its own checks; or if the policy lowers a floor check, with a {@link ConfigException} as the
         *     cause whose reason is {@link ConfigException.Reason#BELOW_FLOOR} and whose path
         *     names the check ({@code /severity/tpm.signature_invalid})
         */
        public Verifier build() {
            if (anchors == null) {
                throw new IllegalStateException("trust anchors are required: there is no trust on first use");
            }
            resolvedAcceptStale = acceptStale;
            Optional<Duration> fromPolicy = policy.acceptStale();
            if (fromPolicy.isPresent()) {
                Duration d = fromPolicy.get();
                String at = "/accept-stale/up-to";
                try {
                    if (acceptStale != null && !acceptStale.equals(d)) {
                        throw new ConfigException(ConfigException.Reason.BAD_VALUE, at, "policy " + policy.id()
                                + " accepts stale evidence up to " + d + ", the builder up to " + acceptStale
                                + ": set the bound in one place");
                    }
                    if (d.isNegative() || d.isZero() || d.compareTo(Policy.MAX_ACCEPT_STALE) > 0) {
                        throw new ConfigException(ConfigException.Reason.BAD_VALUE, at, "policy " + policy.id()
                                + " accepts stale evidence up to " + d + ": must be positive and at most "
                                + Policy.MAX_ACCEPT_STALE);
                    }
                    if (d.compareTo(maxAge) <= 0) {
                        throw new ConfigException(ConfigException.Reason.BAD_VALUE, at, "policy " + policy.id()
                                + " accepts stale evidence up to " + d + ", which must be longer than the max age "
                                + maxAge);
                    }
                } catch (ConfigException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                resolvedAcceptStale = d;
            } else if (acceptStale != null && acceptStale.compareTo(maxAge) <= 0) {
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
            Set<String> ids = new TreeSet<>();
            for (EvidenceScheme sc : schemes) {
                // The SDK's EAT profile is always the last scheme: none takes its id or media type.
                if (sc.id().equals(EatScheme.ID) || !ids.add(sc.id())) {
                    throw new IllegalStateException("scheme id " + sc.id() + " is taken ("
                            + (sc.id().equals(EatScheme.ID) ? "by the SDK's EAT profile" : "by another scheme") + "): "
                            + sc.getClass().getName() + " is refused");
                }
                if (sc.mediaTypes().contains(EAT_MEDIA_TYPE)) {
                    throw new IllegalStateException("scheme " + sc.id() + " lists the SDK's media type " + EAT_MEDIA_TYPE
                            + ", which is the EAT profile's");
                }
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
