package dev.attest.verify.corim.internal;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.verify.corim.AttestKeyTriple;
import dev.attest.verify.corim.Comid;
import dev.attest.verify.corim.Corim;
import dev.attest.verify.corim.CorimException;
import dev.attest.verify.corim.CorimException.Reason;
import dev.attest.verify.corim.CryptoKey;
import dev.attest.verify.corim.EndorsedValueTriple;
import dev.attest.verify.corim.Entity;
import dev.attest.verify.corim.Environment;
import dev.attest.verify.corim.Extension;
import dev.attest.verify.corim.HashEntry;
import dev.attest.verify.corim.Identifier;
import dev.attest.verify.corim.IdentityTriple;
import dev.attest.verify.corim.KeyConditions;
import dev.attest.verify.corim.MeasurementMap;
import dev.attest.verify.corim.MeasurementValues;
import dev.attest.verify.corim.Mkey;
import dev.attest.verify.corim.Octets;
import dev.attest.verify.corim.ReferenceValueTriple;
import dev.attest.verify.corim.Triples;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Reads CoRIM and CoMID CBOR (draft-ietf-rats-corim CDDL) into the model, strictly: every
 * mandatory field present, every field of its type, type choices only with their tags, no
 * unknown non-negative keys, non-empty where the CDDL says {@code +} or {@code non-empty}.
 * Negative keys, where the CDDL has an extension socket, are kept as {@link Extension}s.
 */
public final class CorimReader {
    /** The CBOR tag of a tagged unsigned CoRIM. */
    public static final long TAG_CORIM = 501;
    /** The CBOR tag of a CoMID inside a CoRIM. */
    public static final long TAG_COMID = 506;
    static final long TAG_URI = 32;
    static final long TAG_OID = 111;
    static final long TAG_UUID = 37;
    static final long TAG_TIME = 1;

    private final CborDecoder cbor;

    /** A reader whose CBOR decoder bounds each (nested) encoding to {@code maxBytes}, depth {@code maxDepth}. */
    public CorimReader(int maxBytes, int maxDepth) {
        this.cbor = CborDecoder.lenient(maxBytes, maxDepth, maxBytes);
    }

    /** Decodes one CBOR item spanning {@code bytes}, mapping CBOR errors onto reasons. */
    public Cbor decodeCbor(byte[] bytes, String path) throws CorimException {
        try {
            return cbor.decode(bytes);
        } catch (CborException e) {
            Reason r = switch (e.reason()) {
                case TOO_LARGE -> Reason.TOO_LARGE;
                case TOO_DEEP, TOO_MANY_ITEMS -> Reason.TOO_DEEP;
                case TRAILING_BYTES -> Reason.TRAILING_BYTES;
                case DUPLICATE_KEY -> Reason.DUPLICATE_KEY;
                case INTEGER_OUT_OF_RANGE -> Reason.INTEGER_OUT_OF_RANGE;
                default -> Reason.MALFORMED_CBOR;
            };
            throw new CorimException(r, path, e.getMessage(), e);
        }
    }

    /** A tagged unsigned CoRIM ({@code #6.501(corim-map)}). */
    public Corim corim(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Tag t) || t.tag() != TAG_CORIM) {
            throw new CorimException(Reason.NOT_A_CORIM, path, "a CoRIM is tag 501 (or a COSE_Sign1, tag 18)");
        }
        Fields f = fields(t.content(), path, Set.of(0L, 1L, 2L, 3L, 4L, 5L), true);
        Identifier id = identifier(f.required(0), f.at(0));
        List<Comid> comids = new ArrayList<>();
        List<Corim.OtherTag> others = new ArrayList<>();
        List<Cbor> tags = nonEmpty(f.required(1), f.at(1));
        for (int i = 0; i < tags.size(); i++) {
            String at = f.at(1) + "/" + i;
            if (!(tags.get(i) instanceof Cbor.Tag tag)) {
                throw new CorimException(Reason.WRONG_TYPE, at, "a CoRIM's tags are tagged byte strings");
            }
            if (tag.tag() != TAG_COMID && tag.tag() != 505 && tag.tag() != 508) {
                throw new CorimException(Reason.UNKNOWN_TAG, at, "tag " + tag.tag() + " is not a CoMID (506), "
                        + "CoSWID (505) or CoTL (508)");
            }
            byte[] content = bytes(tag.content(), at);
            if (tag.tag() == TAG_COMID) {
                comids.add(comid(decodeCbor(content, at), at));
            } else {
                decodeCbor(content, at); // well-formed and bounded, even if not interpreted
                others.add(new Corim.OtherTag(tag.tag(), Octets.of(content)));
            }
        }
        List<Corim.Locator> locators = new ArrayList<>();
        Optional<Cbor> deps = f.optional(2);
        if (deps.isPresent()) {
            List<Cbor> ds = nonEmpty(deps.get(), f.at(2));
            for (int i = 0; i < ds.size(); i++) {
                locators.add(locator(ds.get(i), f.at(2) + "/" + i));
            }
        }
        Optional<Corim.Profile> profile = f.optional(3).isEmpty() ? Optional.empty()
                : Optional.of(profile(f.optional(3).get(), f.at(3)));
        Optional<Corim.Validity> validity = f.optional(4).isEmpty() ? Optional.empty()
                : Optional.of(validity(f.optional(4).get(), f.at(4)));
        List<Entity> entities = entities(f.optional(5), f.at(5));
        return new Corim(id, comids, others, locators, profile, validity, entities, f.extensions(),
                Optional.empty());
    }

    /** A CoMID ({@code concise-mid-tag}), the map itself. */
    public Comid comid(Cbor item, String path) throws CorimException {
        Fields f = fields(item, path, Set.of(0L, 1L, 2L, 3L, 4L), true);
        Optional<String> language = f.optional(0).isEmpty() ? Optional.empty()
                : Optional.of(text(f.optional(0).get(), f.at(0)));
        Fields ti = fields(f.required(1), f.at(1), Set.of(0L, 1L), false);
        Identifier tagId = identifier(ti.required(0), ti.at(0));
        OptionalLong version = ti.optional(1).isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(uint(ti.optional(1).get(), ti.at(1)));
        List<Entity> entities = entities(f.optional(2), f.at(2));
        List<Comid.LinkedTag> linked = new ArrayList<>();
        if (f.optional(3).isPresent()) {
            List<Cbor> ls = nonEmpty(f.optional(3).get(), f.at(3));
            for (int i = 0; i < ls.size(); i++) {
                String at = f.at(3) + "/" + i;
                Fields lf = fields(ls.get(i), at, Set.of(0L, 1L), false);
                linked.add(new Comid.LinkedTag(identifier(lf.required(0), lf.at(0)), uint(lf.required(1), lf.at(1))));
            }
        }
        Triples triples = triples(f.required(4), f.at(4));
        return new Comid(language, tagId, version, entities, linked, triples, f.extensions());
    }

    private Triples triples(Cbor item, String path) throws CorimException {
        Fields f = fields(item, path, Set.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 8L, 10L), true);
        List<ReferenceValueTriple> refs = new ArrayList<>();
        List<EndorsedValueTriple> endorsed = new ArrayList<>();
        List<IdentityTriple> ids = new ArrayList<>();
        List<AttestKeyTriple> keys = new ArrayList<>();
        List<Triples.Other> others = new ArrayList<>();
        for (Map.Entry<Long, Cbor> e : f.known.entrySet()) {
            long k = e.getKey();
            String at = f.at(k);
            List<Cbor> records = nonEmpty(e.getValue(), at);
            for (int i = 0; i < records.size(); i++) {
                String rat = at + "/" + i;
                if (k == 0 || k == 1) {
                    List<Cbor> r = array(records.get(i), rat, 2, 2);
                    Environment env = environment(r.get(0), rat + "/0");
                    List<MeasurementMap> ms = measurements(r.get(1), rat + "/1");
                    if (k == 0) {
                        refs.add(new ReferenceValueTriple(env, ms));
                    } else {
                        endorsed.add(new EndorsedValueTriple(env, ms));
                    }
                } else if (k == 2 || k == 3) {
                    List<Cbor> r = array(records.get(i), rat, 2, 3);
                    Environment env = environment(r.get(0), rat + "/0");
                    List<CryptoKey> ks = cryptoKeys(r.get(1), rat + "/1");
                    Optional<KeyConditions> cond = r.size() == 3 ? Optional.of(conditions(r.get(2), rat + "/2"))
                            : Optional.empty();
                    if (k == 2) {
                        ids.add(new IdentityTriple(env, ks, cond));
                    } else {
                        keys.add(new AttestKeyTriple(env, ks, cond));
                    }
                }
            }
            if (k > 3) {
                others.add(new Triples.Other(k, Octets.of(CborEncoder.encode(e.getValue()))));
            }
        }
        for (Extension x : f.extensions()) {
            others.add(new Triples.Other(x.key(), x.value()));
        }
        if (refs.isEmpty() && endorsed.isEmpty() && ids.isEmpty() && keys.isEmpty() && others.isEmpty()) {
            throw new CorimException(Reason.EMPTY, path, "a triples map is not empty");
        }
        return new Triples(refs, endorsed, ids, keys, others);
    }

    private KeyConditions conditions(Cbor item, String path) throws CorimException {
        Fields f = fields(item, path, Set.of(0L, 1L), false);
        Optional<Mkey> mkey = f.optional(0).isEmpty() ? Optional.empty() : Optional.of(mkey(f.optional(0).get(), f.at(0)));
        List<CryptoKey> by = f.optional(1).isEmpty() ? List.of() : cryptoKeys(f.optional(1).get(), f.at(1));
        if (mkey.isEmpty() && by.isEmpty()) {
            throw new CorimException(Reason.EMPTY, path, "key conditions are not empty");
        }
        return new KeyConditions(mkey, by);
    }

    private List<MeasurementMap> measurements(Cbor item, String path) throws CorimException {
        List<Cbor> ms = nonEmpty(item, path);
        List<MeasurementMap> out = new ArrayList<>(ms.size());
        for (int i = 0; i < ms.size(); i++) {
            out.add(measurement(ms.get(i), path + "/" + i));
        }
        return out;
    }

    /** A {@code measurement-map}. */
    public MeasurementMap measurement(Cbor item, String path) throws CorimException {
        Fields f = fields(item, path, Set.of(0L, 1L, 2L), false);
        Optional<Mkey> key = f.optional(0).isEmpty() ? Optional.empty() : Optional.of(mkey(f.optional(0).get(), f.at(0)));
        MeasurementValues values = values(f.required(1), f.at(1));
        List<CryptoKey> by = f.optional(2).isEmpty() ? List.of() : cryptoKeys(f.optional(2).get(), f.at(2));
        return new MeasurementMap(key, values, by);
    }

    private MeasurementValues values(Cbor item, String path) throws CorimException {
        Fields f = fields(item, path, Set.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 13L, 14L, 15L), true);
        if (f.known.isEmpty() && f.extensions().isEmpty()) {
            throw new CorimException(Reason.EMPTY, path, "measurement values are not empty");
        }
        Optional<MeasurementValues.Version> version = Optional.empty();
        if (f.optional(0).isPresent()) {
            Fields v = fields(f.optional(0).get(), f.at(0), Set.of(0L, 1L), false);
            version = Optional.of(new MeasurementValues.Version(text(v.required(0), v.at(0)),
                    v.optional(1).isEmpty() ? OptionalLong.empty() : OptionalLong.of(integer(v.optional(1).get(), v.at(1)))));
        }
        Optional<MeasurementValues.Svn> svn = Optional.empty();
        if (f.optional(1).isPresent()) {
            Cbor s = f.optional(1).get();
            boolean min = false;
            if (s instanceof Cbor.Tag t) {
                if (t.tag() != 552 && t.tag() != 553) {
                    throw new CorimException(Reason.UNKNOWN_TAG, f.at(1), "an svn is untagged, 552 or 553");
                }
                min = t.tag() == 553;
                s = t.content();
            }
            svn = Optional.of(new MeasurementValues.Svn(uint(s, f.at(1)), min));
        }
        List<HashEntry> digests = f.optional(2).isEmpty() ? List.of() : digests(f.optional(2).get(), f.at(2));
        Map<Long, Boolean> flags = new TreeMap<>();
        if (f.optional(3).isPresent()) {
            Fields fl = fields(f.optional(3).get(), f.at(3), Set.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), true);
            if (fl.known.isEmpty() && fl.extensions().isEmpty()) {
                throw new CorimException(Reason.EMPTY, f.at(3), "a flags map is not empty");
            }
            for (Map.Entry<Long, Cbor> e : fl.all.entrySet()) {
                if (!(e.getValue() instanceof Cbor.Simple b) || (b != Cbor.Simple.TRUE && b != Cbor.Simple.FALSE)) {
                    throw new CorimException(Reason.WRONG_TYPE, fl.at(e.getKey()), "a flag is true or false");
                }
                flags.put(e.getKey(), b == Cbor.Simple.TRUE);
            }
        }
        Optional<MeasurementValues.RawValue> raw = Optional.empty();
        if (f.optional(5).isPresent() && f.optional(4).isEmpty()) {
            throw new CorimException(Reason.MISSING_FIELD, f.at(4), "a raw-value mask needs a raw value");
        }
        if (f.optional(4).isPresent()) {
            String at = f.at(4);
            if (!(f.optional(4).get() instanceof Cbor.Tag t)) {
                throw new CorimException(Reason.WRONG_TYPE, at, "a raw value is tag 560 or 563");
            }
            if (t.tag() == 560) {
                Optional<Octets> mask = f.optional(5).isEmpty() ? Optional.empty()
                        : Optional.of(Octets.of(bytes(f.optional(5).get(), f.at(5))));
                Octets v = Octets.of(bytes(t.content(), at));
                raw = Optional.of(build(at, () -> new MeasurementValues.RawValue(v, mask, false)));
            } else if (t.tag() == 563) {
                if (f.optional(5).isPresent()) {
                    throw new CorimException(Reason.BAD_VALUE, f.at(5), "a masked raw value carries its own mask");
                }
                List<Cbor> vm = array(t.content(), at, 2, 2);
                Octets v = Octets.of(bytes(vm.get(0), at + "/0"));
                Octets m = Octets.of(bytes(vm.get(1), at + "/1"));
                raw = Optional.of(build(at, () -> new MeasurementValues.RawValue(v, Optional.of(m), true)));
            } else {
                throw new CorimException(Reason.UNKNOWN_TAG, at, "a raw value is tag 560 or 563, not " + t.tag());
            }
        }
        Optional<Octets> mac = optionalBytes(f, 6);
        Optional<Octets> ip = optionalBytes(f, 7);
        if (ip.isPresent() && ip.get().length() != 4 && ip.get().length() != 16 || mac.isPresent()
                && mac.get().length() != 6 && mac.get().length() != 8) {
            throw new CorimException(Reason.BAD_VALUE, f.at(mac.isPresent() && mac.get().length() != 6
                    && mac.get().length() != 8 ? 6 : 7), "a MAC address is 6 or 8 bytes, an IP address 4 or 16");
        }
        Optional<String> serial = f.optional(8).isEmpty() ? Optional.empty() : Optional.of(text(f.optional(8).get(), f.at(8)));
        Optional<Octets> ueid = optionalBytes(f, 9);
        Optional<Octets> uuid = optionalBytes(f, 10);
        if (uuid.isPresent() && uuid.get().length() != 16) {
            throw new CorimException(Reason.BAD_VALUE, f.at(10), "a UUID is 16 bytes");
        }
        if (ueid.isPresent() && (ueid.get().length() < 7 || ueid.get().length() > 33)) {
            throw new CorimException(Reason.BAD_VALUE, f.at(9), "a UEID is 7 to 33 bytes");
        }
        Optional<String> name = f.optional(11).isEmpty() ? Optional.empty() : Optional.of(text(f.optional(11).get(), f.at(11)));
        List<CryptoKey> keys = f.optional(13).isEmpty() ? List.of() : cryptoKeys(f.optional(13).get(), f.at(13));
        Optional<Octets> registers = Optional.empty();
        if (f.optional(14).isPresent()) {
            if (!(f.optional(14).get() instanceof Cbor.Map m) || m.size() == 0) {
                throw new CorimException(Reason.WRONG_TYPE, f.at(14), "integrity registers are a non-empty map");
            }
            registers = Optional.of(Octets.of(CborEncoder.encode(f.optional(14).get())));
        }
        Optional<MeasurementValues.IntRange> range = Optional.empty();
        if (f.optional(15).isPresent()) {
            String at = f.at(15);
            if (!(f.optional(15).get() instanceof Cbor.Tag t) || t.tag() != 564) {
                throw new CorimException(Reason.WRONG_TYPE, at, "an integer range is tag 564");
            }
            List<Cbor> mm = array(t.content(), at, 2, 2);
            OptionalLong min = mm.get(0) == Cbor.Simple.NULL ? OptionalLong.empty() : OptionalLong.of(integer(mm.get(0), at + "/0"));
            OptionalLong max = mm.get(1) == Cbor.Simple.NULL ? OptionalLong.empty() : OptionalLong.of(integer(mm.get(1), at + "/1"));
            range = Optional.of(build(at, () -> new MeasurementValues.IntRange(min, max)));
        }
        Optional<MeasurementValues.Version> fv = version;
        Optional<MeasurementValues.Svn> fs = svn;
        Optional<MeasurementValues.RawValue> fr = raw;
        Optional<Octets> fi = registers;
        Optional<MeasurementValues.IntRange> fg = range;
        return build(path, () -> new MeasurementValues(fv, fs, digests, flags, fr, mac, ip, serial, ueid, uuid, name, keys,
                fi, fg, f.extensions()));
    }

    private Optional<Octets> optionalBytes(Fields f, long key) throws CorimException {
        return f.optional(key).isEmpty() ? Optional.empty() : Optional.of(Octets.of(bytes(f.optional(key).get(), f.at(key))));
    }

    private List<HashEntry> digests(Cbor item, String path) throws CorimException {
        List<Cbor> ds = nonEmpty(item, path);
        List<HashEntry> out = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            out.add(digest(ds.get(i), path + "/" + i));
        }
        return out;
    }

    private HashEntry digest(Cbor item, String path) throws CorimException {
        List<Cbor> d = array(item, path, 2, 2);
        if (d.get(0) instanceof Cbor.Text) {
            throw new CorimException(Reason.UNSUPPORTED, path + "/0", "hash algorithms named by text are not supported");
        }
        long alg = integer(d.get(0), path + "/0");
        byte[] v = bytes(d.get(1), path + "/1");
        if (v.length == 0) {
            throw new CorimException(Reason.EMPTY, path + "/1", "a digest is not empty");
        }
        return new HashEntry(alg, Octets.of(v));
    }

    private List<CryptoKey> cryptoKeys(Cbor item, String path) throws CorimException {
        List<Cbor> ks = nonEmpty(item, path);
        List<CryptoKey> out = new ArrayList<>();
        for (int i = 0; i < ks.size(); i++) {
            out.add(cryptoKey(ks.get(i), path + "/" + i));
        }
        return out;
    }

    private CryptoKey cryptoKey(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Tag t)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "a key is a tagged item (554..562)");
        }
        CryptoKey.Kind kind = CryptoKey.Kind.byTag(t.tag()).orElseThrow(() -> new CorimException(Reason.UNKNOWN_TAG,
                path, "tag " + t.tag() + " is not a key type"));
        return switch (kind) {
            case PKIX_BASE64_KEY, PKIX_BASE64_CERT, PKIX_BASE64_CERT_PATH -> CryptoKey.text(kind, text(t.content(), path));
            case KEY_THUMBPRINT, CERT_THUMBPRINT, CERT_PATH_THUMBPRINT -> CryptoKey.thumbprint(kind, digest(t.content(), path));
            case COSE_KEY -> {
                if (!(t.content() instanceof Cbor.Map m) || m.size() == 0) {
                    throw new CorimException(Reason.WRONG_TYPE, path, "a COSE_Key is a non-empty map");
                }
                yield CryptoKey.bytes(kind, Octets.of(CborEncoder.encode(m)));
            }
            case BYTES, PKIX_ASN1DER_CERT -> CryptoKey.bytes(kind, Octets.of(bytes(t.content(), path)));
        };
    }

    private Mkey mkey(Cbor item, String path) throws CorimException {
        if (item instanceof Cbor.Text t) {
            return Mkey.text(t.value());
        }
        if (item instanceof Cbor.Int i) {
            if (i.value() < 0) {
                throw new CorimException(Reason.BAD_VALUE, path, "an integer measurement key is unsigned");
            }
            return new Mkey(Mkey.Kind.UINT, Long.toString(i.value()), Octets.empty());
        }
        if (item instanceof Cbor.Tag t && t.tag() == TAG_UUID) {
            byte[] u = uuid(t.content(), path);
            return new Mkey(Mkey.Kind.UUID, uuidText(u), Octets.of(u));
        }
        if (item instanceof Cbor.Tag t && t.tag() == TAG_OID) {
            byte[] o = bytes(t.content(), path);
            String dotted = Oids.dotted(o);
            if (dotted == null) {
                throw new CorimException(Reason.BAD_VALUE, path, "not a valid OID");
            }
            return new Mkey(Mkey.Kind.OID, dotted, Octets.of(o));
        }
        throw new CorimException(item instanceof Cbor.Tag ? Reason.UNKNOWN_TAG : Reason.WRONG_TYPE, path,
                "a measurement key is text, an unsigned integer, a UUID (37) or an OID (111)");
    }

    /** An {@code environment-map}. */
    public Environment environment(Cbor item, String path) throws CorimException {
        Fields f = fields(item, path, Set.of(0L, 1L, 2L), false);
        if (f.known.isEmpty()) {
            throw new CorimException(Reason.EMPTY, path, "an environment is not empty");
        }
        Optional<Environment.ClassMap> cls = Optional.empty();
        if (f.optional(0).isPresent()) {
            Fields c = fields(f.optional(0).get(), f.at(0), Set.of(0L, 1L, 2L, 3L, 4L), false);
            if (c.known.isEmpty()) {
                throw new CorimException(Reason.EMPTY, f.at(0), "a class is not empty");
            }
            Optional<Environment.ClassId> id = c.optional(0).isEmpty() ? Optional.empty()
                    : Optional.of(classId(c.optional(0).get(), c.at(0)));
            Optional<String> vendor = c.optional(1).isEmpty() ? Optional.empty() : Optional.of(text(c.optional(1).get(), c.at(1)));
            Optional<String> model = c.optional(2).isEmpty() ? Optional.empty() : Optional.of(text(c.optional(2).get(), c.at(2)));
            OptionalLong layer = c.optional(3).isEmpty() ? OptionalLong.empty() : OptionalLong.of(uint(c.optional(3).get(), c.at(3)));
            OptionalLong index = c.optional(4).isEmpty() ? OptionalLong.empty() : OptionalLong.of(uint(c.optional(4).get(), c.at(4)));
            cls = Optional.of(new Environment.ClassMap(id, vendor, model, layer, index));
        }
        Optional<Environment.InstanceId> instance = f.optional(1).isEmpty() ? Optional.empty()
                : Optional.of(instance(f.optional(1).get(), f.at(1)));
        Optional<Environment.GroupId> group = Optional.empty();
        if (f.optional(2).isPresent()) {
            String at = f.at(2);
            if (!(f.optional(2).get() instanceof Cbor.Tag t) || t.tag() != TAG_UUID && t.tag() != 560) {
                throw new CorimException(Reason.UNKNOWN_TAG, at, "a group id is a UUID (37) or tagged bytes (560)");
            }
            group = Optional.of(t.tag() == TAG_UUID ? new Environment.GroupId(Environment.GroupId.Kind.UUID,
                    Octets.of(uuid(t.content(), at))) : new Environment.GroupId(Environment.GroupId.Kind.BYTES,
                    Octets.of(bytes(t.content(), at))));
        }
        return new Environment(cls, instance, group);
    }

    private Environment.ClassId classId(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Tag t)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "a class id is tagged: OID 111, UUID 37, bytes 560, impl-id 600");
        }
        Environment.ClassId.Kind kind;
        if (t.tag() == TAG_OID) {
            kind = Environment.ClassId.Kind.OID;
        } else if (t.tag() == TAG_UUID) {
            kind = Environment.ClassId.Kind.UUID;
        } else if (t.tag() == 560) {
            kind = Environment.ClassId.Kind.BYTES;
        } else if (t.tag() == 600) {
            kind = Environment.ClassId.Kind.IMPL_ID;
        } else {
            throw new CorimException(Reason.UNKNOWN_TAG, path, "tag " + t.tag() + " is not a class id type");
        }
        byte[] v = bytes(t.content(), path);
        if (kind == Environment.ClassId.Kind.OID && Oids.dotted(v) == null) {
            throw new CorimException(Reason.BAD_VALUE, path, "not a valid OID");
        }
        return build(path, () -> new Environment.ClassId(kind, Octets.of(v)));
    }

    private Environment.InstanceId instance(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Tag t)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "an instance id is tagged");
        }
        if (t.tag() == 550) {
            byte[] u = bytes(t.content(), path);
            return build(path, () -> Environment.InstanceId.ueid(Octets.of(u)));
        }
        if (t.tag() == TAG_UUID) {
            return new Environment.InstanceId(Environment.InstanceId.Kind.UUID, Octets.of(uuid(t.content(), path)),
                    Optional.empty());
        }
        if (t.tag() == 560) {
            return new Environment.InstanceId(Environment.InstanceId.Kind.BYTES, Octets.of(bytes(t.content(), path)),
                    Optional.empty());
        }
        if (t.tag() == 554 || t.tag() == 555 || t.tag() == 557 || t.tag() == 558 || t.tag() == 559 || t.tag() == 562) {
            return new Environment.InstanceId(Environment.InstanceId.Kind.KEY, Octets.empty(),
                    Optional.of(cryptoKey(t, path)));
        }
        throw new CorimException(Reason.UNKNOWN_TAG, path, "tag " + t.tag() + " is not an instance id type");
    }

    private List<Entity> entities(Optional<Cbor> item, String path) throws CorimException {
        if (item.isEmpty()) {
            return List.of();
        }
        List<Cbor> es = nonEmpty(item.get(), path);
        List<Entity> out = new ArrayList<>();
        for (int i = 0; i < es.size(); i++) {
            String at = path + "/" + i;
            Fields f = fields(es.get(i), at, Set.of(0L, 1L, 2L), true);
            String name = text(f.required(0), f.at(0));
            Optional<String> reg = f.optional(1).isEmpty() ? Optional.empty() : Optional.of(uri(f.optional(1).get(), f.at(1)));
            List<Cbor> rs = nonEmpty(f.required(2), f.at(2));
            List<Long> roles = new ArrayList<>();
            for (int j = 0; j < rs.size(); j++) {
                roles.add(integer(rs.get(j), f.at(2) + "/" + j));
            }
            out.add(new Entity(name, reg, roles, f.extensions()));
        }
        return out;
    }

    private Corim.Locator locator(Cbor item, String path) throws CorimException {
        Fields f = fields(item, path, Set.of(0L, 1L), false);
        List<String> hrefs = new ArrayList<>();
        Cbor h = f.required(0);
        if (h instanceof Cbor.Array a) {
            List<Cbor> hs = nonEmpty(a, f.at(0));
            for (int i = 0; i < hs.size(); i++) {
                hrefs.add(uri(hs.get(i), f.at(0) + "/" + i));
            }
        } else {
            hrefs.add(uri(h, f.at(0)));
        }
        List<HashEntry> thumbs = new ArrayList<>();
        if (f.optional(1).isPresent()) {
            Cbor t = f.optional(1).get();
            // one digest, [alg, value], or a list of them: told apart by the first element's type
            if (t instanceof Cbor.Array a && a.size() > 0 && a.get(0) instanceof Cbor.Array) {
                thumbs.addAll(digests(t, f.at(1)));
            } else {
                thumbs.add(digest(t, f.at(1)));
            }
        }
        return new Corim.Locator(hrefs, thumbs);
    }

    private Corim.Profile profile(Cbor item, String path) throws CorimException {
        if (item instanceof Cbor.Tag t && t.tag() == TAG_OID) {
            byte[] o = bytes(t.content(), path);
            if (Oids.dotted(o) == null) {
                throw new CorimException(Reason.BAD_VALUE, path, "not a valid OID");
            }
            return new Corim.Profile("", Octets.of(o));
        }
        String uri = uri(item, path);
        if (uri.isEmpty()) {
            throw new CorimException(Reason.BAD_VALUE, path, "an empty profile URI");
        }
        return Corim.Profile.uri(uri);
    }

    /** A {@code validity-map}. */
    public Corim.Validity validity(Cbor item, String path) throws CorimException {
        Fields f = fields(item, path, Set.of(0L, 1L), false);
        Optional<Instant> nb = f.optional(0).isEmpty() ? Optional.empty() : Optional.of(time(f.optional(0).get(), f.at(0)));
        Instant na = time(f.required(1), f.at(1));
        if (nb.isPresent() && nb.get().isAfter(na)) {
            throw new CorimException(Reason.BAD_VALUE, path, "not-before is after not-after");
        }
        return new Corim.Validity(nb, na);
    }

    private static Instant time(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Tag t) || t.tag() != TAG_TIME) {
            throw new CorimException(Reason.WRONG_TYPE, path, "a time is tag 1 (epoch seconds)");
        }
        if (!(t.content() instanceof Cbor.Int i)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "a time is integer epoch seconds");
        }
        try {
            return Instant.ofEpochSecond(i.value());
        } catch (java.time.DateTimeException e) {
            throw new CorimException(Reason.BAD_VALUE, path, "a time out of range");
        }
    }

    private Identifier identifier(Cbor item, String path) throws CorimException {
        if (item instanceof Cbor.Text t) {
            return Identifier.text(t.value());
        }
        if (item instanceof Cbor.Bytes) {
            return Identifier.uuid(Octets.of(uuid(item, path)));
        }
        throw new CorimException(Reason.WRONG_TYPE, path, "an id is text or a 16-byte UUID");
    }

    private static byte[] uuid(Cbor item, String path) throws CorimException {
        byte[] b = bytes(item, path);
        if (b.length != 16) {
            throw new CorimException(Reason.BAD_VALUE, path, "a UUID is 16 bytes, not " + b.length);
        }
        return b;
    }

    static String uuidText(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new UUID(bb.getLong(), bb.getLong()).toString();
    }

    private static String uri(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Tag t) || t.tag() != TAG_URI) {
            throw new CorimException(item instanceof Cbor.Tag ? Reason.UNKNOWN_TAG : Reason.WRONG_TYPE, path,
                    "a URI is tag 32 on text");
        }
        return text(t.content(), path);
    }

    /** The map's fields, split into the known keys and extensions. */
    static final class Fields {
        final String path;
        final Map<Long, Cbor> known = new TreeMap<>();
        final Map<Long, Cbor> all = new LinkedHashMap<>();
        private final List<Extension> extensions = new ArrayList<>();

        Fields(String path) {
            this.path = path;
        }

        String at(long key) {
            return path + "/" + key;
        }

        Cbor required(long key) throws CorimException {
            Cbor c = known.get(key);
            if (c == null) {
                throw new CorimException(Reason.MISSING_FIELD, at(key), "mandatory field " + key + " is missing");
            }
            return c;
        }

        Optional<Cbor> optional(long key) {
            return Optional.ofNullable(known.get(key));
        }

        List<Extension> extensions() {
            return List.copyOf(extensions);
        }
    }

    private static Fields fields(Cbor item, String path, Set<Long> keys, boolean extensible) throws CorimException {
        if (!(item instanceof Cbor.Map m)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "expected a map");
        }
        Fields f = new Fields(path);
        for (Cbor.Entry e : m.entries()) {
            if (!(e.key() instanceof Cbor.Int k)) {
                throw new CorimException(Reason.UNKNOWN_KEY, path, "map key " + e.key() + " is not an integer");
            }
            long key = k.value();
            f.all.put(key, e.value());
            if (keys.contains(key)) {
                f.known.put(key, e.value());
            } else if (key < 0 && extensible) {
                f.extensions.add(new Extension(key, Octets.of(CborEncoder.encode(e.value()))));
            } else {
                throw new CorimException(Reason.UNKNOWN_KEY, f.at(key), "key " + key + " is not defined here");
            }
        }
        return f;
    }

    private static List<Cbor> nonEmpty(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Array a)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "expected an array");
        }
        if (a.size() == 0) {
            throw new CorimException(Reason.EMPTY, path, "an array that must not be empty is empty");
        }
        return a.items();
    }

    private static List<Cbor> array(Cbor item, String path, int min, int max) throws CorimException {
        if (!(item instanceof Cbor.Array a)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "expected an array");
        }
        if (a.size() < min || a.size() > max) {
            throw new CorimException(Reason.WRONG_TYPE, path, "expected " + (min == max ? min : min + " to " + max)
                    + " items, found " + a.size());
        }
        return a.items();
    }

    static String text(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Text t)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "expected a text string");
        }
        return t.value();
    }

    static byte[] bytes(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Bytes b)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "expected a byte string");
        }
        return b.value();
    }

    private static long integer(Cbor item, String path) throws CorimException {
        if (!(item instanceof Cbor.Int i)) {
            throw new CorimException(Reason.WRONG_TYPE, path, "expected an integer");
        }
        return i.value();
    }

    private static long uint(Cbor item, String path) throws CorimException {
        long v = integer(item, path);
        if (v < 0) {
            throw new CorimException(Reason.BAD_VALUE, path, "expected an unsigned integer");
        }
        return v;
    }

    private interface Maker<T> {
        T make();
    }

    /** Builds a model value, turning a constructor's refusal into a typed reason. */
    private static <T> T build(String path, Maker<T> maker) throws CorimException {
        try {
            return maker.make();
        } catch (IllegalArgumentException e) {
            throw new CorimException(Reason.BAD_VALUE, path, e.getMessage());
        }
    }
}
