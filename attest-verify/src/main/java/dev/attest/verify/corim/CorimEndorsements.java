package dev.attest.verify.corim;

import dev.attest.core.Digest;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.DigestAlgorithm;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.corim.CorimException.Reason;
import dev.attest.verify.corim.internal.CorimWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The SDK's own {@link ReferenceValues} and {@link TrustAnchors} from CoRIMs, and back.
 *
 * <p><b>Reference values.</b> Each measurement of a reference-value triple becomes the
 * reference of one component: its name is the measurement key if that is text, else the
 * measurement's {@code name}; its allowed digests are the measurement's digests (sha-256,
 * sha-384, sha-512, sha3-256); an exact version ({@code version-map}) allows that version only.
 * Measurements of the same name add digests. The SDK's reference values are not per
 * environment: every triple accepted by the environment filter contributes. A measurement
 * carrying anything the SDK's reference values cannot express (svn, flags, raw value, keys, an
 * unknown extension, ...) is refused with {@link Reason#UNSUPPORTED} rather than dropped.
 *
 * <p><b>Trust anchors.</b> Each attest-key triple whose environment names an instance pins its
 * one key to that instance: the device id is the instance id in hex (UEID, UUID or bytes), the
 * key id its bytes.
 *
 * <p><b>Writing.</b> {@link #toCorim} writes reference values as one CoMID with one
 * reference-value triple under this SDK's profile {@value #PROFILE}, whose measurement-value
 * extensions carry what CoRIM has no field for: {@value #X_MIN_VERSION} min-version,
 * {@value #X_MAX_VERSION} max-version, {@value #X_REQUIRED} required, {@value #X_FORBIDDEN}
 * forbidden. Reading that CoRIM back gives equal reference values.
 */
public final class CorimEndorsements {
    /** This SDK's CoRIM profile for its own reference values. */
    public static final String PROFILE = "tag:attest.dev,2026:reference-values";
    /** Measurement-value extension key: the lowest allowed version (text). */
    public static final long X_MIN_VERSION = -70001;
    /** Measurement-value extension key: the highest allowed version (text). */
    public static final long X_MAX_VERSION = -70002;
    /** Measurement-value extension key: whether the component must be present (bool). */
    public static final long X_REQUIRED = -70003;
    /** Measurement-value extension key: whether the component must never appear (bool). */
    public static final long X_FORBIDDEN = -70004;
    /** The model name of the environment {@link #toCorim} writes. */
    public static final String ENVIRONMENT_MODEL = "attest reference values";

    private CorimEndorsements() {
    }

    /**
     * {@link #referenceValues(List, Predicate)} of every environment.
     *
     * @param corims the CoRIMs
     * @return the reference values
     * @throws CorimException UNSUPPORTED for a measurement the SDK's reference values cannot express
     */
    public static ReferenceValues referenceValues(List<Corim> corims) throws CorimException {
        return referenceValues(corims, e -> true);
    }

    /**
     * The reference values of the reference-value triples of {@code corims} whose environment
     * {@code environments} accepts (see the class comment).
     *
     * @param corims the CoRIMs
     * @param environments which environments' triples to take
     * @return the reference values
     * @throws CorimException UNSUPPORTED for a measurement the SDK's reference values cannot express
     */
    public static ReferenceValues referenceValues(List<Corim> corims, Predicate<Environment> environments)
            throws CorimException {
        Map<String, ReferenceValues.Component> byName = new TreeMap<>();
        for (int ci = 0; ci < corims.size(); ci++) {
            Corim c = corims.get(ci);
            boolean own = c.profile().equals(Optional.of(Corim.Profile.uri(PROFILE)));
            for (int mi = 0; mi < c.comids().size(); mi++) {
                List<ReferenceValueTriple> ts = c.comids().get(mi).triples().referenceValues();
                for (int ti = 0; ti < ts.size(); ti++) {
                    if (!environments.test(ts.get(ti).environment())) {
                        continue;
                    }
                    List<MeasurementMap> ms = ts.get(ti).measurements();
                    for (int j = 0; j < ms.size(); j++) {
                        String path = "corim " + ci + ": /1/" + mi + "/4/0/" + ti + "/1/" + j;
                        ReferenceValues.Component k = component(ms.get(j), own, path);
                        ReferenceValues.Component before = byName.get(k.name());
                        byName.put(k.name(), before == null ? k : merge(before, k, path));
                    }
                }
            }
        }
        ReferenceValues.Builder b = ReferenceValues.builder();
        byName.values().forEach(b::put);
        return b.build();
    }

    private static ReferenceValues.Component merge(ReferenceValues.Component a, ReferenceValues.Component b, String path)
            throws CorimException {
        if (!a.minVersion().equals(b.minVersion()) || !a.maxVersion().equals(b.maxVersion())
                || a.required() != b.required() || a.forbidden() != b.forbidden()) {
            throw new CorimException(Reason.UNSUPPORTED, path, "component " + a.name() + " appears twice with different "
                    + "versions or presence rules, which one set of allowed digests cannot express");
        }
        Set<Digest> ds = new LinkedHashSet<>(a.digests());
        ds.addAll(b.digests());
        return new ReferenceValues.Component(a.name(), ds, a.minVersion(), a.maxVersion(), a.required(), a.forbidden());
    }

    private static ReferenceValues.Component component(MeasurementMap m, boolean own, String path) throws CorimException {
        MeasurementValues v = m.values();
        String name = m.key().filter(k -> k.kind() == Mkey.Kind.TEXT).map(Mkey::text).or(v::name).orElseThrow(
                () -> new CorimException(Reason.UNSUPPORTED, path + "/0", "a reference value needs a component name: "
                        + "a text measurement key or a name"));
        if (v.svn().isPresent() || !v.flags().isEmpty() || v.rawValue().isPresent() || v.macAddress().isPresent()
                || v.ipAddress().isPresent() || v.serialNumber().isPresent() || v.ueid().isPresent()
                || v.uuid().isPresent() || !v.cryptoKeys().isEmpty() || v.integrityRegisters().isPresent()
                || v.intRange().isPresent() || !m.authorizedBy().isEmpty()
                || v.name().isPresent() && m.key().filter(k -> k.kind() == Mkey.Kind.TEXT).isPresent()
                        && !v.name().get().equals(name)) {
            throw new CorimException(Reason.UNSUPPORTED, path + "/1", "component " + name
                    + ": only digests and a version can be SDK reference values");
        }
        Set<Digest> digests = new LinkedHashSet<>();
        for (int i = 0; i < v.digests().size(); i++) {
            HashEntry h = v.digests().get(i);
            DigestAlgorithm alg = DigestAlgorithm.byNamedInformationId(h.algorithm()).orElseThrow(() -> new CorimException(Reason.UNSUPPORTED,
                    path + "/1/2", "hash algorithm " + h.algorithm() + " is not one of sha-256, sha-384, sha-512, sha3-256"));
            try {
                digests.add(new Digest(alg, h.value().bytes()));
            } catch (IllegalArgumentException e) {
                throw new CorimException(Reason.BAD_VALUE, path + "/1/2", e.getMessage());
            }
        }
        Optional<String> min = v.version().map(MeasurementValues.Version::version);
        Optional<String> max = min;
        boolean required = false;
        boolean forbidden = false;
        for (Extension x : v.extensions()) {
            if (!own) {
                throw new CorimException(Reason.UNSUPPORTED, path + "/1/" + x.key(), "extension " + x.key()
                        + " of another profile");
            }
            String xp = path + "/1/" + x.key();
            if (x.key() == X_MIN_VERSION) {
                min = Optional.of(extensionText(x, xp));
            } else if (x.key() == X_MAX_VERSION) {
                max = Optional.of(extensionText(x, xp));
            } else if (x.key() == X_REQUIRED) {
                required = extensionBool(x, xp);
            } else if (x.key() == X_FORBIDDEN) {
                forbidden = extensionBool(x, xp);
            } else {
                throw new CorimException(Reason.UNSUPPORTED, xp, "extension " + x.key() + " is not defined by " + PROFILE);
            }
        }
        try {
            return new ReferenceValues.Component(name, digests, min, max, required, forbidden);
        } catch (IllegalArgumentException e) {
            throw new CorimException(Reason.BAD_VALUE, path, e.getMessage());
        }
    }

    private static String extensionText(Extension x, String path) throws CorimException {
        if (!(CorimWriter.item(x.value()) instanceof Cbor.Text t)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "a version is text");
        }
        return t.value();
    }

    private static boolean extensionBool(Extension x, String path) throws CorimException {
        Cbor c = CorimWriter.item(x.value());
        if (c != Cbor.Simple.TRUE && c != Cbor.Simple.FALSE) {
            throw new CorimException(Reason.WRONG_TYPE, path, "true or false");
        }
        return c == Cbor.Simple.TRUE;
    }

    /**
     * Pinned trust anchors from the attest-key triples of {@code corims} (see the class comment).
     *
     * @param corims the CoRIMs
     * @return the trust anchors
     * @throws CorimException UNSUPPORTED for a triple without an instance, with more than one key,
     *     or with a key that is not a usable public key; BAD_VALUE for an instance named twice
     */
    public static TrustAnchors trustAnchors(List<Corim> corims) throws CorimException {
        Map<String, VerificationKey> keys = new LinkedHashMap<>();
        for (int ci = 0; ci < corims.size(); ci++) {
            Corim c = corims.get(ci);
            for (int mi = 0; mi < c.comids().size(); mi++) {
                List<AttestKeyTriple> ts = c.comids().get(mi).triples().attestKeys();
                for (int ti = 0; ti < ts.size(); ti++) {
                    String path = "corim " + ci + ": /1/" + mi + "/4/3/" + ti;
                    AttestKeyTriple t = ts.get(ti);
                    Environment.InstanceId inst = t.environment().instance().filter(
                            i -> i.kind() != Environment.InstanceId.Kind.KEY).orElseThrow(() -> new CorimException(
                                    Reason.UNSUPPORTED, path + "/0/1", "an attestation key is pinned to an instance id"));
                    if (t.keys().size() != 1) {
                        throw new CorimException(Reason.UNSUPPORTED, path + "/1", "one key per instance");
                    }
                    if (inst.value().isEmpty() || inst.value().length() > KeyId.MAX_LENGTH) {
                        throw new CorimException(Reason.UNSUPPORTED, path + "/0/1", "an instance id of 1.." + KeyId.MAX_LENGTH
                                + " bytes serves as key id");
                    }
                    VerificationKey k = CorimKeys.verificationKey(t.keys().get(0), path + "/1/0");
                    String device = inst.value().hex();
                    if (keys.containsKey(device)) {
                        throw new CorimException(Reason.BAD_VALUE, path + "/0/1", "instance " + device + " has a second key");
                    }
                    keys.put(device, VerificationKey.of(k.publicKey(), k.algorithm(),
                            Optional.of(KeyId.of(inst.value().bytes()))));
                }
            }
        }
        if (keys.isEmpty()) {
            throw new CorimException(Reason.MISSING_FIELD, "", "no attest-key triple in the CoRIMs");
        }
        return TrustAnchors.pinned(keys);
    }

    /**
     * {@code values} as an unsigned CoRIM of this SDK's profile (see the class comment), with a
     * CoRIM id and tag id derived from its content (equal reference values, equal CoRIM).
     *
     * @param values the reference values
     * @return the CoRIM
     * @throws IllegalArgumentException if {@code values} is empty (a CoMID has at least one triple)
     */
    public static Corim toCorim(ReferenceValues values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no reference values to write");
        }
        List<MeasurementMap> ms = new ArrayList<>();
        for (ReferenceValues.Component c : values.components().values()) {
            List<HashEntry> ds = new ArrayList<>();
            for (Digest d : c.digests()) {
                ds.add(new HashEntry(d.algorithm().namedInformationId(), Octets.of(d.value())));
            }
            List<Extension> xs = new ArrayList<>();
            c.minVersion().ifPresent(v -> xs.add(new Extension(X_MIN_VERSION, text(v))));
            c.maxVersion().ifPresent(v -> xs.add(new Extension(X_MAX_VERSION, text(v))));
            xs.add(new Extension(X_REQUIRED, Octets.of(CborEncoder.encode(Cbor.Simple.of(c.required())))));
            if (c.forbidden()) {
                xs.add(new Extension(X_FORBIDDEN, Octets.of(CborEncoder.encode(Cbor.Simple.TRUE))));
            }
            MeasurementValues v = new MeasurementValues(Optional.empty(), Optional.empty(), ds, Map.of(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    List.of(), Optional.empty(), Optional.empty(), xs);
            ms.add(new MeasurementMap(Optional.of(Mkey.text(c.name())), v, List.of()));
        }
        Environment env = new Environment(Optional.of(new Environment.ClassMap(Optional.empty(), Optional.empty(),
                Optional.of(ENVIRONMENT_MODEL), OptionalLong.empty(), OptionalLong.empty())), Optional.empty(),
                Optional.empty());
        Triples triples = Triples.of(List.of(new ReferenceValueTriple(env, ms)));
        Identifier id = Identifier.uuid(contentUuid(values.toJson()));
        Comid comid = new Comid(Optional.empty(), id, OptionalLong.of(0), List.of(), List.of(), triples, List.of());
        return Corim.of(id, List.of(comid), Optional.of(Corim.Profile.uri(PROFILE)));
    }

    private static Octets text(String s) {
        return Octets.of(CborEncoder.encode(Cbor.of(s)));
    }

    /** An RFC 9562 version 8 UUID from the SHA-256 of {@code content}. */
    private static Octets contentUuid(String content) {
        byte[] u = java.util.Arrays.copyOf(DigestAlgorithm.SHA_256.hash(content.getBytes(StandardCharsets.UTF_8)).value(), 16);
        u[6] = (byte) ((u[6] & 0x0f) | 0x80);
        u[8] = (byte) ((u[8] & 0x3f) | 0x80);
        return Octets.of(u);
    }
}
