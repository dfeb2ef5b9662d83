package dev.attest.verify.ear;

import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.evidence.internal.Crypto;
import dev.attest.verify.internal.ear.Jws;
import java.security.Provider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies EAR JWTs for relying parties (RFC 7519 §7.2, RFC 7515 §5.2, RFC 8725 best practice)
 * and returns the {@link Ear} only if everything checks out:
 * <ol>
 *   <li>compact JWS with three canonical base64url parts, bounded size;</li>
 *   <li>header: {@code alg} on the allow-list ({@code none} and HMAC are never accepted);
 *       {@code typ} absent or {@code JWT} / {@code eat+jwt} (with or without {@code application/},
 *       case-insensitive), or exactly the required type; {@code crit}, {@code b64}, {@code cty}
 *       rejected; embedded keys ({@code jwk}, {@code jku}, {@code x5c}, {@code x5u}) ignored, only
 *       configured keys are used;</li>
 *   <li>a configured key of that algorithm (and {@code kid}, when both name one) verifies the
 *       signature;</li>
 *   <li>the payload is a valid EAR ({@link EarCodec#parse(byte[])});</li>
 *   <li>times, against the configured clock with the allowed skew: {@code exp} not passed,
 *       {@code nbf} reached, {@code iat} not in the future, and if a maximum age is set, {@code iat}
 *       not older than it.</li>
 * </ol>
 * Immutable and thread-safe. Build with {@link #builder()}.
 */
public final class EarVerifier {
    /** Bound on a JWT's length (an EAR of {@link EarCodec#MAX_BYTES} in base64url plus header and signature). */
    public static final int MAX_JWT_CHARS = EarCodec.MAX_BYTES / 3 * 4 + 16 * 1024;

    private final List<EarVerificationKey> keys;
    private final Set<JwsAlgorithm> algorithms;
    private final Optional<String> requiredType;
    private final Clock clock;
    private final Duration skew;
    private final Optional<Duration> maxAge;
    private final Optional<Provider> provider;
    /**
     * Per key of {@link #keys}, in order: an ES256 or ES384 key as the evidence decoder's
     * {@link VerificationKey} (from its second signature on, its ECDSA comb) where no provider
     * of the caller's is set; empty for the others, which {@code Jws.verify} checks.
     */
    private final List<Optional<VerificationKey>> ecdsa;

    private EarVerifier(Builder b) {
        // Without a provider of the caller's, each key is converted once into the SDK provider's
        // key class: Bouncy Castle would otherwise convert a JDK key on every verification.
        this.keys = b.provider != null ? List.copyOf(b.keys) : b.keys.stream()
                .map(k -> new EarVerificationKey(Crypto.forProvider(k.publicKey(), Crypto.DEFAULT_PROVIDER),
                        k.algorithm(), k.kid()))
                .toList();
        this.algorithms = b.algorithms == null ? null : Set.copyOf(b.algorithms);
        this.requiredType = Optional.ofNullable(b.requiredType);
        this.clock = b.clock;
        this.skew = b.skew;
        this.maxAge = Optional.ofNullable(b.maxAge);
        this.provider = Optional.ofNullable(b.provider);
        this.ecdsa = keys.stream().map(k -> b.provider != null ? Optional.<VerificationKey>empty() : ecdsaKey(k)).toList();
    }

    private static Optional<VerificationKey> ecdsaKey(EarVerificationKey k) {
        SignatureAlgorithm alg = switch (k.algorithm()) {
            case ES256 -> SignatureAlgorithm.ES256;
            case ES384 -> SignatureAlgorithm.ES384;
            default -> null;
        };
        try {
            return alg == null ? Optional.empty() : Optional.of(VerificationKey.of(k.publicKey(), alg, Optional.empty()));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not a key of that curve: Jws.verify refuses its signatures
        }
    }

    /**
     * A builder; at least one key is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies {@code jwt} and returns its EAR.
     *
     * @param jwt the EAR as a signed JWT (compact serialization)
     * @return the verified EAR
     * @throws EarException with the reason of the first check that failed
     */
    public Ear verify(String jwt) throws EarException {
        Jws.Compact c = Jws.parse(Objects.requireNonNull(jwt, "jwt"), MAX_JWT_CHARS);
        JwsAlgorithm alg = JwsAlgorithm.fromJoseName(c.alg()).orElseThrow(() -> new EarException(
                EarException.Reason.ALGORITHM_NOT_ALLOWED, "alg", "'" + c.alg() + "' is not ES256, ES384 or EdDSA"));
        if (!allowed().contains(alg)) {
            throw new EarException(EarException.Reason.ALGORITHM_NOT_ALLOWED, "alg", alg.joseName() + " is not on the allow-list");
        }
        checkType(c.typ());
        int candidates = 0;
        boolean ok = false;
        for (int i = 0; i < keys.size() && !ok; i++) {
            EarVerificationKey k = keys.get(i);
            boolean kidFits = c.kid().isEmpty() || k.kid().isEmpty() || k.kid().equals(c.kid());
            if (k.algorithm() == alg && kidFits) {
                candidates++;
                Optional<VerificationKey> fast = ecdsa.get(i);
                ok = fast.isPresent()
                        ? fast.get().verify(c.signingInput(), c.signature())
                        : Jws.verify(alg, k.publicKey(), c.signingInput(), c.signature(), provider);
            }
        }
        if (candidates == 0) {
            throw new EarException(EarException.Reason.UNKNOWN_KEY, c.kid().isPresent() ? "kid" : "alg",
                    "no configured " + alg.joseName() + " key" + c.kid().map(k -> " with kid " + k).orElse(""));
        }
        if (!ok) {
            throw new EarException(EarException.Reason.BAD_SIGNATURE, "", "the signature does not verify with any "
                    + candidates + " matching key(s)");
        }
        Ear ear = EarCodec.parse(c.payload());
        checkTimes(ear);
        return ear;
    }

    /**
     * Verifies {@code jwt} as {@link #verify(String)} and also requires its {@code eat_nonce} to
     * equal {@code expectedNonce} (constant-time comparison).
     *
     * @param jwt the EAR as a signed JWT (compact serialization)
     * @param expectedNonce the nonce the relying party sent
     * @return the verified EAR
     * @throws EarException {@link EarException.Reason#NONCE_MISMATCH} if absent or different
     */
    public Ear verify(String jwt, String expectedNonce) throws EarException {
        Ear ear = verify(jwt);
        if (!ear.nonceMatches(Objects.requireNonNull(expectedNonce, "expectedNonce"))) {
            throw new EarException(EarException.Reason.NONCE_MISMATCH, "eat_nonce",
                    ear.nonce().isPresent() ? "differs from the expected nonce" : "absent");
        }
        return ear;
    }

    private Set<JwsAlgorithm> allowed() {
        if (algorithms != null) {
            return algorithms;
        }
        EnumSet<JwsAlgorithm> s = EnumSet.noneOf(JwsAlgorithm.class);
        keys.forEach(k -> s.add(k.algorithm()));
        return s;
    }

    private void checkType(Optional<String> typ) throws EarException {
        if (requiredType.isPresent()) {
            if (typ.isEmpty() || !normalizeType(typ.get()).equals(normalizeType(requiredType.get()))) {
                throw new EarException(EarException.Reason.BAD_TYPE, "typ", "expected " + requiredType.get());
            }
            return;
        }
        if (typ.isPresent()) {
            String t = normalizeType(typ.get());
            if (!t.equals("jwt") && !t.equals("eat+jwt")) {
                throw new EarException(EarException.Reason.BAD_TYPE, "typ", "'" + typ.get() + "' is not JWT or eat+jwt");
            }
        }
    }

    // RFC 7515 §4.1.9: "application/" may be omitted; media types compare case-insensitively.
    private static String normalizeType(String t) {
        String s = t.toLowerCase(Locale.ROOT);
        return s.startsWith("application/") ? s.substring("application/".length()) : s;
    }

    private void checkTimes(Ear ear) throws EarException {
        Instant now = clock.instant();
        if (ear.expiry().isPresent() && !now.isBefore(ear.expiry().get().plus(skew))) {
            throw new EarException(EarException.Reason.EXPIRED, "exp", "expired at " + ear.expiry().get());
        }
        EarJson nbf = ear.extensions().get("nbf");
        if (nbf != null) {
            long nbfSeconds;
            try {
                nbfSeconds = Long.parseLong(nbf.text());
            } catch (NumberFormatException e) {
                throw new EarException(EarException.Reason.WRONG_TYPE, "nbf", "not an integer NumericDate", e);
            }
            if (now.plus(skew).isBefore(Instant.ofEpochSecond(nbfSeconds))) {
                throw new EarException(EarException.Reason.NOT_YET_VALID, "nbf", "not valid before " + Instant.ofEpochSecond(nbfSeconds));
            }
        }
        if (ear.issuedAt().isAfter(now.plus(skew))) {
            throw new EarException(EarException.Reason.ISSUED_IN_FUTURE, "iat", ear.issuedAt() + " is after " + now);
        }
        if (maxAge.isPresent() && ear.issuedAt().plus(maxAge.get()).plus(skew).isBefore(now)) {
            throw new EarException(EarException.Reason.TOO_OLD, "iat", ear.issuedAt() + " is older than " + maxAge.get());
        }
    }

    /** Configures an {@link EarVerifier}. */
    public static final class Builder {
        private final List<EarVerificationKey> keys = new ArrayList<>();
        private Set<JwsAlgorithm> algorithms;
        private String requiredType;
        private Clock clock = Clock.systemUTC();
        private Duration skew = Duration.ofSeconds(60);
        private Duration maxAge;
        private Provider provider;

        private Builder() {
        }

        /**
         * Trusts {@code key} (its algorithm joins the allow-list unless {@link #algorithms} is set).
         *
         * @param key the key
         * @return this builder
         */
        public Builder key(EarVerificationKey key) {
            keys.add(Objects.requireNonNull(key, "key"));
            return this;
        }

        /**
         * Restricts accepted algorithms to {@code allowed} (default: those of the configured keys).
         *
         * @param allowed the accepted algorithms
         * @return this builder
         */
        public Builder algorithms(Set<JwsAlgorithm> allowed) {
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("the algorithm allow-list must not be empty");
            }
            this.algorithms = EnumSet.copyOf(allowed);
            return this;
        }

        /**
         * Requires the header {@code typ} to be present and equal {@code typ} (RFC 8725 §3.11 explicit typing).
         *
         * @param typ the required {@code typ}
         * @return this builder
         */
        public Builder requireType(String typ) {
            this.requiredType = Objects.requireNonNull(typ, "typ");
            return this;
        }

        /**
         * The clock for time checks (default: system UTC).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Allowed clock skew for exp/nbf/iat (default 60 s).
         *
         * @param skew the allowed skew
         * @return this builder
         */
        public Builder clockSkew(Duration skew) {
            if (skew.isNegative()) {
                throw new IllegalArgumentException("negative clock skew");
            }
            this.skew = skew;
            return this;
        }

        /**
         * Rejects EARs whose {@code iat} is older than {@code maxAge} (default: no limit).
         *
         * @param maxAge the greatest age accepted
         * @return this builder
         */
        public Builder maxAge(Duration maxAge) {
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("maxAge must be positive");
            }
            this.maxAge = maxAge;
            return this;
        }

        /**
         * Verifies signatures through {@code provider} instead of the SDK's Bouncy Castle instance.
         *
         * @param provider the JCA provider
         * @return this builder
         */
        public Builder provider(Provider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * The verifier.
         *
         * @return the verifier
         * @throws IllegalStateException without keys
         */
        public EarVerifier build() {
            if (keys.isEmpty()) {
                throw new IllegalStateException("an EarVerifier needs at least one verification key");
            }
            return new EarVerifier(this);
        }
    }
}
