package dev.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.core.Digest;
import dev.attest.core.Measurement;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.ConfigException.Reason;
import dev.attest.verify.internal.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reference values (RFC 9334 §3.3): per component name, the digests that are allowed (several
 * versions may be allowed at once), an allowed version range, whether the component must be
 * present, or must never appear. Build in code, load from the JSON format of
 * {@code docs/verifier.md} ({@code "attest-reference-values": 1}), or {@link #capture} from a
 * known-good device's evidence. Immutable.
 */
public final class ReferenceValues {
    /** The JSON format version this SDK reads and writes. */
    public static final int FORMAT_VERSION = 1;

    /**
     * The reference for one component.
     *
     * @param name the component name as measured
     * @param digests allowed digests; empty means "any digest" (presence or version only)
     * @param minVersion lowest allowed version, inclusive
     * @param maxVersion highest allowed version, inclusive
     * @param required whether the component must be present in every evidence
     * @param forbidden whether the component must never appear
     */
    public record Component(String name, Set<Digest> digests, Optional<String> minVersion, Optional<String> maxVersion,
            boolean required, boolean forbidden) {
        /**
         * Validates the parts.
         *
         * @param name the component name as measured
         * @param digests allowed digests; empty means "any digest" (presence or version only)
         * @param minVersion lowest allowed version, inclusive
         * @param maxVersion highest allowed version, inclusive
         * @param required whether the component must be present in every evidence
         * @param forbidden whether the component must never appear
         */
        public Component {
            Objects.requireNonNull(name, "name");
            digests = Collections.unmodifiableSet(new LinkedHashSet<>(digests));
            Objects.requireNonNull(minVersion, "minVersion");
            Objects.requireNonNull(maxVersion, "maxVersion");
            if (forbidden && (required || !digests.isEmpty())) {
                throw new IllegalArgumentException(name + ": a forbidden component has no digests and is not required");
            }
        }

        /**
         * Whether {@code d} is one of the allowed digests (constant-time per candidate).
         *
         * @param d the digest
         * @return true if {@code d} is allowed
         */
        public boolean allows(Digest d) {
            boolean found = false;
            for (Digest a : digests) {
                found |= a.matches(d);
            }
            return found;
        }
    }

    /** A component and its place in {@link #components()}' order, for the verifier's presence check. */
    record Indexed(Component component, int index) {
    }

    private final Map<String, Component> components;
    /** The same components for lookup by name: a hash lookup per measurement appraised. */
    private final Map<String, Indexed> byName;
    /** The required components, in {@link #components()}' order. */
    private final List<Indexed> required;

    private ReferenceValues(Map<String, Component> components) {
        this.components = Collections.unmodifiableMap(new TreeMap<>(components));
        Map<String, Indexed> indexed = new java.util.HashMap<>();
        List<Indexed> req = new ArrayList<>();
        for (Component c : this.components.values()) {
            Indexed i = new Indexed(c, indexed.size());
            indexed.put(c.name(), i);
            if (c.required()) {
                req.add(i);
            }
        }
        this.byName = Map.copyOf(indexed);
        this.required = List.copyOf(req);
    }

    /**
     * No reference values.
     *
     * @return empty reference values
     */
    public static ReferenceValues empty() {
        return new ReferenceValues(Map.of());
    }

    /**
     * A new builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The reference for {@code name}, if any.
     *
     * @param name the component name
     * @return the component, or empty if there is none named {@code name}
     */
    public Optional<Component> component(String name) {
        Indexed i = byName.get(name);
        return i == null ? Optional.empty() : Optional.of(i.component());
    }

    /** The reference for {@code name} and its place, or null. */
    Indexed indexed(String name) {
        return byName.get(name);
    }

    /** The required components, in {@link #components()}' order. */
    List<Indexed> required() {
        return required;
    }

    /**
     * All components, by name.
     *
     * @return the components by name; empty if none
     */
    public Map<String, Component> components() {
        return components;
    }

    /**
     * Whether there are none.
     *
     * @return true if there are no components
     */
    public boolean isEmpty() {
        return components.isEmpty();
    }

    /**
     * Reference values from a known-good device's evidence: every OK measurement that has
     * digests becomes a component allowing exactly those digests; components of the
     * {@code process}, {@code memory} and {@code timing} layers are not marked required (they
     * come and go with the processes and mappings of the moment).
     *
     * @param claims the known-good device's claims
     * @return the reference values
     */
    public static ReferenceValues capture(EatClaims claims) {
        Builder b = builder();
        List<Measurement> all = new ArrayList<>(claims.allMeasurements());
        claims.log().ifPresent(l -> all.addAll(l.measurements()));
        for (Measurement m : all) {
            if (m.status() != Measurement.Status.OK || m.digests().isEmpty()) {
                continue;
            }
            String layer = m.layer().name();
            boolean required = !(layer.equals("process") || layer.equals("memory") || layer.equals("timing"));
            b.allow(m.component().name(), m.digests());
            if (required) {
                b.require(m.component().name());
            }
        }
        return b.build();
    }

    /**
     * Reference values from a known-good device's signed evidence, in one call: the token is
     * decoded and its signature verified with {@code key} (under the decoder's default limits and
     * algorithms), then captured as {@link #capture(EatClaims)} does.
     *
     * @param token the signed evidence
     * @param key the key that must verify it
     * @return the reference values
     * @throws EvidenceException if the token does not decode or its signature does not verify with
     *     {@code key} (the reason says which)
     */
    public static ReferenceValues capture(byte[] token, VerificationKey key) throws EvidenceException {
        return capture(EvidenceDecoder.builder(KeyResolver.single(key)).build().decode(token).claims());
    }

    /**
     * Parses the JSON format.
     *
     * @param json the JSON text
     * @return the reference values
     * @throws ConfigException with the reason and the path of the first problem
     */
    public static ReferenceValues fromJson(String json) throws ConfigException {
        JsonNode root = Json.parse(json);
        Json.object(root, "", Set.of("attest-reference-values", "components"));
        Json.version(root, "attest-reference-values", FORMAT_VERSION);
        JsonNode cs = root.get("components");
        if (cs == null || !cs.isArray()) {
            throw new ConfigException(Reason.BAD_VALUE, "/components", "must be an array");
        }
        Builder b = builder();
        for (int i = 0; i < cs.size(); i++) {
            String at = "/components/" + i;
            JsonNode c = Json.object(cs.get(i), at, Set.of("name", "digests", "min-version", "max-version", "required",
                    "forbidden"));
            String name = Json.text(c, "name", at);
            if (b.components.containsKey(name)) {
                throw new ConfigException(Reason.BAD_VALUE, at + "/name", "component " + name + " listed twice");
            }
            List<Digest> ds = new ArrayList<>();
            JsonNode dn = c.get("digests");
            if (dn != null) {
                if (!dn.isArray()) {
                    throw new ConfigException(Reason.BAD_VALUE, at + "/digests", "must be an array");
                }
                for (int j = 0; j < dn.size(); j++) {
                    try {
                        ds.add(Digest.parse(dn.get(j).asText()));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(Reason.BAD_VALUE, at + "/digests/" + j,
                                "a digest is \"<alg>:<hex>\" with sha-256, sha-384, sha-512 or sha3-256");
                    }
                }
            }
            Optional<String> min = c.has("min-version") ? Optional.of(Json.text(c, "min-version", at)) : Optional.empty();
            Optional<String> max = c.has("max-version") ? Optional.of(Json.text(c, "max-version", at)) : Optional.empty();
            try {
                b.put(new Component(name, new LinkedHashSet<>(ds), min, max, Json.bool(c, "required", at, false),
                        Json.bool(c, "forbidden", at, false)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(Reason.BAD_VALUE, at, e.getMessage());
            }
        }
        return b.build();
    }

    /**
     * The JSON format, deterministic (components by name).
     *
     * @return the JSON text
     */
    public String toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("attest-reference-values", FORMAT_VERSION);
        ArrayNode cs = root.putArray("components");
        for (Component c : components.values()) {
            ObjectNode o = cs.addObject();
            o.put("name", c.name());
            if (!c.digests().isEmpty()) {
                ArrayNode ds = o.putArray("digests");
                c.digests().forEach(d -> ds.add(d.toString()));
            }
            c.minVersion().ifPresent(v -> o.put("min-version", v));
            c.maxVersion().ifPresent(v -> o.put("max-version", v));
            if (c.required()) {
                o.put("required", true);
            }
            if (c.forbidden()) {
                o.put("forbidden", true);
            }
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Compares dotted versions: numeric parts numerically, others as text; a missing part is
     * lower than a present one ({@code 1.2 < 1.2.1}).
     */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[.\\-+]");
        String[] y = b.split("[.\\-+]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            if (i >= x.length) {
                return -1;
            }
            if (i >= y.length) {
                return 1;
            }
            int c;
            if (x[i].matches("\\d{1,18}") && y[i].matches("\\d{1,18}")) {
                c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            } else {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Builds {@link ReferenceValues}. */
    public static final class Builder {
        private final Map<String, Component> components = new TreeMap<>();

        private Builder() {
        }

        /**
         * Allows {@code digests} for {@code name} (in addition to any already allowed).
         *
         * @param name the component name
         * @param digests the digests to allow
         * @return this builder
         */
        public Builder allow(String name, List<Digest> digests) {
            Component c = components.get(name);
            Set<Digest> ds = new LinkedHashSet<>(c == null ? Set.of() : c.digests());
            ds.addAll(digests);
            components.put(name, c == null ? new Component(name, ds, Optional.empty(), Optional.empty(), false, false)
                    : new Component(name, ds, c.minVersion(), c.maxVersion(), c.required(), c.forbidden()));
            return this;
        }

        /**
         * Allows versions {@code min..max} (inclusive) of {@code name}.
         *
         * @param name the component name
         * @param min the lowest version allowed, or empty for no lower bound
         * @param max the highest version allowed, or empty for no upper bound
         * @return this builder
         */
        public Builder versions(String name, Optional<String> min, Optional<String> max) {
            Component c = components.getOrDefault(name,
                    new Component(name, Set.of(), Optional.empty(), Optional.empty(), false, false));
            components.put(name, new Component(name, c.digests(), min, max, c.required(), c.forbidden()));
            return this;
        }

        /**
         * Requires {@code name} to be present.
         *
         * @param name the component name
         * @return this builder
         */
        public Builder require(String name) {
            Component c = components.getOrDefault(name,
                    new Component(name, Set.of(), Optional.empty(), Optional.empty(), false, false));
            components.put(name, new Component(name, c.digests(), c.minVersion(), c.maxVersion(), true, c.forbidden()));
            return this;
        }

        /**
         * Forbids {@code name}.
         *
         * @param name the component name
         * @return this builder
         */
        public Builder forbid(String name) {
            components.put(name, new Component(name, Set.of(), Optional.empty(), Optional.empty(), false, true));
            return this;
        }

        /**
         * Adds a whole component, replacing any earlier one of the same name.
         *
         * @param c the component
         * @return this builder
         */
        public Builder put(Component c) {
            components.put(c.name(), c);
            return this;
        }

        /**
         * The reference values.
         *
         * @return the reference values
         */
        public ReferenceValues build() {
            return new ReferenceValues(components);
        }
    }
}
