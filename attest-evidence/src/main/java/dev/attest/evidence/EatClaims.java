package dev.attest.evidence;

import dev.attest.core.Layer;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * An immutable EAT claims set (RFC 9711) as this SDK's profile uses it ({@link EatProfile}):
 * the standard claims a device reports, one submodule per {@link dev.attest.core.Layer} holding
 * that layer's measurements, and the measurement log extent the evidence covers. Build it with
 * {@link #builder()}; a decoded token yields one from {@link VerifiedEvidence#claims()}.
 *
 * <p>Byte-valued claims are copied in and out. Claims the profile does not know, found in a
 * decoded token, are kept in {@link #unknownClaims()} (rendered as CBOR diagnostic notation) so
 * a verifier can report them; nothing is dropped silently.
 */
public final class EatClaims {
    /** Shortest and longest nonce (RFC 9711 §4.1: 8 to 64 bytes). */
    public static final int MIN_NONCE = 8;
    /** Longest nonce. */
    public static final int MAX_NONCE = 64;

    private final List<byte[]> nonces;
    private final byte[] ueid;
    private final byte[] oemid;
    private final byte[] hwmodel;
    private final String hwversion;
    private final String swname;
    private final String swversion;
    private final DebugStatus dbgstat;
    private final Long uptime;
    private final Long bootcount;
    private final byte[] bootseed;
    private final String profile;
    private final Instant iat;
    private final Instant exp;
    private final Instant nbf;
    private final String iss;
    private final String sub;
    private final byte[] cti;
    private final Map<String, EatClaims> submods;
    private final List<Measurement> measurements;
    private final List<MeasurementResults> measres;
    private final LogExtent log;
    private final Map<String, String> unknown;

    private EatClaims(Builder b) {
        List<byte[]> ns = new ArrayList<>(b.nonces.size());
        for (byte[] n : b.nonces) {
            ns.add(n.clone());
        }
        this.nonces = Collections.unmodifiableList(ns);
        this.ueid = clone(b.ueid);
        this.oemid = clone(b.oemid);
        this.hwmodel = clone(b.hwmodel);
        this.hwversion = b.hwversion;
        this.swname = b.swname;
        this.swversion = b.swversion;
        this.dbgstat = b.dbgstat;
        this.uptime = b.uptime;
        this.bootcount = b.bootcount;
        this.bootseed = clone(b.bootseed);
        this.profile = b.profile;
        this.iat = b.iat;
        this.exp = b.exp;
        this.nbf = b.nbf;
        this.iss = b.iss;
        this.sub = b.sub;
        this.cti = clone(b.cti);
        Map<String, EatClaims> subs = new TreeMap<>(b.submods);
        if (b.adopted != null && !b.measurements.isEmpty()) {
            throw new IllegalStateException("measurements both adopted and added");
        }
        this.measurements = b.adopted != null ? b.adopted : List.copyOf(b.measurements);
        this.measres = List.copyOf(b.measres);
        this.log = b.log;
        if (log != null) {
            // Each layer's measurements go to the submodule named after it, in chain order.
            Map<String, List<Measurement>> byLayer = b.logLayers != null ? b.logLayers : layers(log);
            byLayer.forEach((name, ms) -> {
                if (b.submods.containsKey(name)) {
                    throw new IllegalArgumentException("submodule " + name + " is both set and filled from the log");
                }
                subs.put(name, builder().adopt(ms).build());
            });
        }
        this.submods = Collections.unmodifiableMap(subs);
        this.unknown = b.unknown.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(b.unknown));
    }

    /** The extent's measurements by layer name, in chain order, each list unmodifiable and owned. */
    private static Map<String, List<Measurement>> layers(LogExtent log) {
        Map<String, List<Measurement>> byLayer = new LinkedHashMap<>();
        // The chain runs through a layer at a time: look a layer up only when it changes.
        Layer last = null;
        List<Measurement> into = null;
        for (Measurement m : log.measurements()) {
            if (m.layer() != last) {
                last = m.layer();
                into = byLayer.computeIfAbsent(last.name(), k -> new ArrayList<>());
            }
            into.add(m);
        }
        byLayer.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return byLayer;
    }

    /**
     * A new, empty builder.
     *
     * @return a builder with no claims set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The nonces (usually one); empty if the evidence answers no challenge.
     *
     * @return copies of the nonces, in order
     */
    public List<byte[]> nonces() {
        return nonces.stream().map(byte[]::clone).toList();
    }

    /**
     * The universal entity id (RFC 9711 §4.2.1).
     *
     * @return a copy of the UEID, or empty
     */
    public Optional<byte[]> ueid() {
        return Optional.ofNullable(clone(ueid));
    }

    /**
     * The OEM id.
     *
     * @return a copy of the OEM id, or empty
     */
    public Optional<byte[]> oemid() {
        return Optional.ofNullable(clone(oemid));
    }

    /**
     * The hardware model.
     *
     * @return a copy of the hardware model, or empty
     */
    public Optional<byte[]> hwmodel() {
        return Optional.ofNullable(clone(hwmodel));
    }

    /**
     * The hardware version.
     *
     * @return the hardware version, or empty
     */
    public Optional<String> hwversion() {
        return Optional.ofNullable(hwversion);
    }

    /**
     * The software name.
     *
     * @return the software name, or empty
     */
    public Optional<String> swname() {
        return Optional.ofNullable(swname);
    }

    /**
     * The software version.
     *
     * @return the software version, or empty
     */
    public Optional<String> swversion() {
        return Optional.ofNullable(swversion);
    }

    /**
     * The debug status.
     *
     * @return the debug status, or empty
     */
    public Optional<DebugStatus> dbgstat() {
        return Optional.ofNullable(dbgstat);
    }

    /**
     * Seconds since boot.
     *
     * @return the uptime in seconds, or empty
     */
    public OptionalLong uptime() {
        return uptime == null ? OptionalLong.empty() : OptionalLong.of(uptime);
    }

    /**
     * Number of boots.
     *
     * @return the boot count, or empty
     */
    public OptionalLong bootcount() {
        return bootcount == null ? OptionalLong.empty() : OptionalLong.of(bootcount);
    }

    /**
     * The boot seed.
     *
     * @return a copy of the boot seed, or empty
     */
    public Optional<byte[]> bootseed() {
        return Optional.ofNullable(clone(bootseed));
    }

    /**
     * The EAT profile this claims set follows.
     *
     * @return the profile, or empty
     */
    public Optional<String> profile() {
        return Optional.ofNullable(profile);
    }

    /**
     * Issued-at time (whole seconds).
     *
     * @return the issued-at time, or empty
     */
    public Optional<Instant> iat() {
        return Optional.ofNullable(iat);
    }

    /**
     * Expiry time (whole seconds).
     *
     * @return the expiry time, or empty
     */
    public Optional<Instant> exp() {
        return Optional.ofNullable(exp);
    }

    /**
     * Not-before time (whole seconds).
     *
     * @return the not-before time, or empty
     */
    public Optional<Instant> nbf() {
        return Optional.ofNullable(nbf);
    }

    /**
     * CWT issuer.
     *
     * @return the issuer, or empty
     */
    public Optional<String> iss() {
        return Optional.ofNullable(iss);
    }

    /**
     * CWT subject.
     *
     * @return the subject, or empty
     */
    public Optional<String> sub() {
        return Optional.ofNullable(sub);
    }

    /**
     * CWT id.
     *
     * @return a copy of the CWT id, or empty
     */
    public Optional<byte[]> cti() {
        return Optional.ofNullable(clone(cti));
    }

    /**
     * Submodules by name, sorted by name.
     *
     * @return the submodules; empty if none
     */
    public Map<String, EatClaims> submods() {
        return submods;
    }

    /**
     * This (sub)module's own measurements.
     *
     * @return the measurements; empty if none
     */
    public List<Measurement> measurements() {
        return measurements;
    }

    /**
     * Device-side measurement results.
     *
     * @return the measurement results groups; empty if none
     */
    public List<MeasurementResults> measurementResults() {
        return measres;
    }

    /**
     * The measurement log extent (top level only).
     *
     * @return the log extent, or empty
     */
    public Optional<LogExtent> log() {
        return Optional.ofNullable(log);
    }

    /**
     * Claims outside this profile, label to CBOR diagnostic notation of the value.
     *
     * @return the unknown claims by label; empty if none
     */
    public Map<String, String> unknownClaims() {
        return unknown;
    }

    /**
     * Every measurement of this module and its submodules, depth first, submodules by name.
     *
     * @return every measurement, depth first
     */
    public List<Measurement> allMeasurements() {
        List<Measurement> out = new ArrayList<>();
        collect(out);
        return out;
    }

    private void collect(List<Measurement> out) {
        out.addAll(measurements);
        for (EatClaims s : submods.values()) {
            s.collect(out);
        }
    }

    /**
     * A builder starting from this claims set (log measurements stay in the log).
     *
     * @return a builder holding this claims set's claims
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.nonces.addAll(nonces);
        b.ueid = ueid;
        b.oemid = oemid;
        b.hwmodel = hwmodel;
        b.hwversion = hwversion;
        b.swname = swname;
        b.swversion = swversion;
        b.dbgstat = dbgstat;
        b.uptime = uptime;
        b.bootcount = bootcount;
        b.bootseed = bootseed;
        b.profile = profile;
        b.iat = iat;
        b.exp = exp;
        b.nbf = nbf;
        b.iss = iss;
        b.sub = sub;
        b.cti = cti;
        b.measurements.addAll(measurements);
        b.measres.addAll(measres);
        b.log = log;
        submods.forEach((k, v) -> {
            if (log == null || log.measurements().stream().noneMatch(m -> m.layer().name().equals(k))) {
                b.submods.put(k, v);
            }
        });
        b.unknown.putAll(unknown);
        return b;
    }

    /** A summary naming the device and counts; the full claims are rendered by {@link ClaimsText}. */
    @Override
    public String toString() {
        return "EatClaims[submods=" + submods.keySet() + ", measurements=" + allMeasurements().size()
                + (log == null ? "" : ", log=" + log.since().sequence() + ".." + log.head().sequence()) + "]";
    }

    private static byte[] clone(byte[] b) {
        return b == null ? null : b.clone();
    }

    /** Builds {@link EatClaims}; each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private final List<byte[]> nonces = new ArrayList<>();
        private byte[] ueid;
        private byte[] oemid;
        private byte[] hwmodel;
        private String hwversion;
        private String swname;
        private String swversion;
        private DebugStatus dbgstat;
        private Long uptime;
        private Long bootcount;
        private byte[] bootseed;
        private String profile;
        private Instant iat;
        private Instant exp;
        private Instant nbf;
        private String iss;
        private String sub;
        private byte[] cti;
        private final Map<String, EatClaims> submods = new TreeMap<>();
        private final List<Measurement> measurements = new ArrayList<>();
        private final List<MeasurementResults> measres = new ArrayList<>();
        private LogExtent log;
        private final Map<String, String> unknown = new TreeMap<>();
        /** Set by {@link #adopt}: the measurements, taken as they are. */
        private List<Measurement> adopted;
        /** Set by {@link #logLayers}: the log's measurements by layer, taken as they are. */
        private Map<String, List<Measurement>> logLayers;

        private Builder() {
        }

        /**
         * The measurements, as they are: for the decoder, which hands over an unmodifiable list
         * of non-null measurements that nothing else holds (no copy is made).
         */
        Builder adopt(List<Measurement> owned) {
            adopted = owned;
            return this;
        }

        /**
         * The log extent's measurements grouped by layer name, in chain order, each list
         * unmodifiable and held by nothing else: for the decoder, which has grouped them while
         * reading the log (the grouping is then not done again).
         */
        Builder logLayers(Map<String, List<Measurement>> byLayer) {
            logLayers = byLayer;
            return this;
        }

        /**
         * Adds a nonce of 8 to 64 bytes.
         *
         * @param nonce the nonce
         * @return this builder
         */
        public Builder nonce(byte[] nonce) {
            if (nonce.length < MIN_NONCE || nonce.length > MAX_NONCE) {
                throw new IllegalArgumentException("a nonce must be " + MIN_NONCE + ".." + MAX_NONCE + " bytes");
            }
            nonces.add(nonce.clone());
            return this;
        }

        /**
         * Sets the UEID (7 to 33 bytes, RFC 9711 §4.2.1.1).
         *
         * @param v the UEID
         * @return this builder
         */
        public Builder ueid(byte[] v) {
            if (v.length < 7 || v.length > 33) {
                throw new IllegalArgumentException("a ueid must be 7..33 bytes");
            }
            ueid = v.clone();
            return this;
        }

        /**
         * Sets the OEM id (3 bytes IEEE OUI, 16 bytes random, or a PEN encoded as bytes).
         *
         * @param v the OEM id
         * @return this builder
         */
        public Builder oemid(byte[] v) {
            oemid = nonEmpty(v, 64, "oemid");
            return this;
        }

        /**
         * Sets the hardware model (1 to 32 bytes).
         *
         * @param v the hardware model
         * @return this builder
         */
        public Builder hwmodel(byte[] v) {
            hwmodel = nonEmpty(v, 32, "hwmodel");
            return this;
        }

        /**
         * Sets the hardware version.
         *
         * @param v the hardware version
         * @return this builder
         */
        public Builder hwversion(String v) {
            hwversion = text(v, "hwversion");
            return this;
        }

        /**
         * Sets the software name.
         *
         * @param v the software name
         * @return this builder
         */
        public Builder swname(String v) {
            swname = text(v, "swname");
            return this;
        }

        /**
         * Sets the software version.
         *
         * @param v the software version
         * @return this builder
         */
        public Builder swversion(String v) {
            swversion = text(v, "swversion");
            return this;
        }

        /**
         * Sets the debug status.
         *
         * @param v the debug status
         * @return this builder
         */
        public Builder dbgstat(DebugStatus v) {
            dbgstat = Objects.requireNonNull(v);
            return this;
        }

        /**
         * Sets the uptime in seconds.
         *
         * @param seconds seconds since boot
         * @return this builder
         */
        public Builder uptime(long seconds) {
            uptime = nonNegative(seconds, "uptime");
            return this;
        }

        /**
         * Sets the boot count.
         *
         * @param v the number of boots
         * @return this builder
         */
        public Builder bootcount(long v) {
            bootcount = nonNegative(v, "bootcount");
            return this;
        }

        /**
         * Sets the boot seed (at least 32 bytes, RFC 9711 §4.2.13).
         *
         * @param v the boot seed
         * @return this builder
         */
        public Builder bootseed(byte[] v) {
            if (v.length < 32 || v.length > 64) {
                throw new IllegalArgumentException("a bootseed must be 32..64 bytes");
            }
            bootseed = v.clone();
            return this;
        }

        /**
         * Sets the EAT profile (a URI or OID text).
         *
         * @param v the profile
         * @return this builder
         */
        public Builder profile(String v) {
            profile = text(v, "eat_profile");
            return this;
        }

        /**
         * Sets issued-at; truncated to whole seconds.
         *
         * @param v the issued-at time
         * @return this builder
         */
        public Builder iat(Instant v) {
            iat = Instant.ofEpochSecond(v.getEpochSecond());
            return this;
        }

        /**
         * Sets the expiry; truncated to whole seconds.
         *
         * @param v the expiry time
         * @return this builder
         */
        public Builder exp(Instant v) {
            exp = Instant.ofEpochSecond(v.getEpochSecond());
            return this;
        }

        /**
         * Sets not-before; truncated to whole seconds.
         *
         * @param v the not-before time
         * @return this builder
         */
        public Builder nbf(Instant v) {
            nbf = Instant.ofEpochSecond(v.getEpochSecond());
            return this;
        }

        /**
         * Sets the CWT issuer.
         *
         * @param v the issuer
         * @return this builder
         */
        public Builder iss(String v) {
            iss = text(v, "iss");
            return this;
        }

        /**
         * Sets the CWT subject.
         *
         * @param v the subject
         * @return this builder
         */
        public Builder sub(String v) {
            sub = text(v, "sub");
            return this;
        }

        /**
         * Sets the CWT id (1 to 64 bytes).
         *
         * @param v the CWT id
         * @return this builder
         */
        public Builder cti(byte[] v) {
            cti = nonEmpty(v, 64, "cti");
            return this;
        }

        /**
         * Adds a submodule. Names are 1 to 64 characters.
         *
         * @param name the submodule name
         * @param claims the submodule's claims
         * @return this builder
         */
        public Builder submod(String name, EatClaims claims) {
            text(name, "submodule name");
            if (name.length() > 64) {
                throw new IllegalArgumentException("submodule names are at most 64 characters");
            }
            if (claims.log != null) {
                throw new IllegalArgumentException("a submodule cannot carry a measurement log");
            }
            if (submods.put(name, claims) != null) {
                throw new IllegalArgumentException("duplicate submodule " + name);
            }
            return this;
        }

        /**
         * Adds measurements to this (sub)module.
         *
         * @param ms the measurements
         * @return this builder
         */
        public Builder measurements(List<Measurement> ms) {
            measurements.addAll(ms);
            return this;
        }

        /**
         * Adds a device-side measurement results group.
         *
         * @param r the measurement results group
         * @return this builder
         */
        public Builder measurementResults(MeasurementResults r) {
            measres.add(Objects.requireNonNull(r));
            return this;
        }

        /**
         * Sets the log extent this evidence covers: the entries appended after {@code since} up
         * to {@code head}. Their measurements go to one submodule per layer.
         *
         * @param since the head before the first entry
         * @param entries the entries after {@code since}, in order
         * @param head the head after the last entry
         * @return this builder
         * @throws IllegalArgumentException if the entries do not run from {@code since} to {@code head}
         */
        public Builder measurementLog(LogHead since, List<LogEntry> entries, LogHead head) {
            long seq = since.sequence();
            List<Measurement> ms = new ArrayList<>(entries.size());
            for (LogEntry e : entries) {
                if (e.sequence() != ++seq) {
                    throw new IllegalArgumentException("log entries must follow " + since.sequence() + " without gaps");
                }
                ms.add(e.measurement());
            }
            log = new LogExtent(since, head, ms);
            return this;
        }

        /**
         * Sets the log extent directly (decoders use this).
         *
         * @param extent the log extent
         * @return this builder
         */
        public Builder log(LogExtent extent) {
            log = Objects.requireNonNull(extent);
            return this;
        }

        Builder unknownClaim(String label, String diagnostic) {
            unknown.put(label, diagnostic);
            return this;
        }

        /**
         * The claims set.
         *
         * @return the claims set
         */
        public EatClaims build() {
            return new EatClaims(this);
        }

        private static byte[] nonEmpty(byte[] v, int max, String what) {
            if (v.length == 0 || v.length > max) {
                throw new IllegalArgumentException(what + " must be 1.." + max + " bytes");
            }
            return v.clone();
        }

        private static String text(String v, String what) {
            if (v.isEmpty() || v.length() > 256) {
                throw new IllegalArgumentException(what + " must be 1..256 characters");
            }
            return v;
        }

        private static long nonNegative(long v, String what) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must not be negative");
            }
            return v;
        }
    }
}
