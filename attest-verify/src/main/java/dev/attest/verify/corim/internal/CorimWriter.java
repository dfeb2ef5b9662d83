package dev.attest.verify.corim.internal;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.verify.corim.AttestKeyTriple;
import dev.attest.verify.corim.Comid;
import dev.attest.verify.corim.Corim;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Writes the CoRIM model as CBOR, the inverse of {@link CorimReader}. */
public final class CorimWriter {
    private CorimWriter() {
    }

    /** {@code corim} as a tagged unsigned CoRIM ({@code #6.501}). */
    public static Cbor corim(Corim c) {
        Cbor.MapBuilder m = Cbor.map().put(0, id(c.id()));
        List<Cbor> tags = new ArrayList<>();
        for (Comid comid : c.comids()) {
            tags.add(new Cbor.Tag(CorimReader.TAG_COMID, Cbor.of(CborEncoder.encode(comid(comid)))));
        }
        for (Corim.OtherTag t : c.otherTags()) {
            tags.add(new Cbor.Tag(t.tag(), Cbor.of(t.content().bytes())));
        }
        m.put(1, new Cbor.Array(tags));
        if (!c.dependentRims().isEmpty()) {
            List<Cbor> ls = new ArrayList<>();
            for (Corim.Locator l : c.dependentRims()) {
                Cbor.MapBuilder lm = Cbor.map();
                List<Cbor> hrefs = new ArrayList<>();
                l.hrefs().forEach(h -> hrefs.add(uri(h)));
                lm.put(0, hrefs.size() == 1 ? hrefs.get(0) : new Cbor.Array(hrefs));
                if (!l.thumbprints().isEmpty()) {
                    lm.put(1, l.thumbprints().size() == 1 ? digest(l.thumbprints().get(0)) : digests(l.thumbprints()));
                }
                ls.add(lm.build());
            }
            m.put(2, new Cbor.Array(ls));
        }
        c.profile().ifPresent(p -> m.put(3, p.uri().isEmpty() ? new Cbor.Tag(CorimReader.TAG_OID, Cbor.of(p.oid().bytes()))
                : uri(p.uri())));
        c.validity().ifPresent(v -> m.put(4, validity(v)));
        if (!c.entities().isEmpty()) {
            m.put(5, entities(c.entities()));
        }
        extensions(m, c.extensions());
        return new Cbor.Tag(CorimReader.TAG_CORIM, m.build());
    }

    /** The Sig_structure for Signature1 with an empty external AAD (RFC 9052 §4.4). */
    public static byte[] toBeSigned(byte[] protectedBytes, byte[] payload) {
        return CborEncoder.encode(Cbor.Array.of(Cbor.of("Signature1"), Cbor.of(protectedBytes), Cbor.of(new byte[0]),
                Cbor.of(payload)));
    }

    /** The CoRIM meta map of a signed CoRIM. */
    public static Cbor meta(String signerName, Optional<String> signerUri, Optional<Corim.Validity> validity) {
        Cbor.MapBuilder s = Cbor.map().put(0, Cbor.of(signerName));
        signerUri.ifPresent(u -> s.put(1, uri(u)));
        Cbor.MapBuilder m = Cbor.map().put(0, s.build());
        validity.ifPresent(v -> m.put(1, validity(v)));
        return m.build();
    }

    /** {@code c} as a {@code concise-mid-tag} map. */
    public static Cbor comid(Comid c) {
        Cbor.MapBuilder m = Cbor.map();
        c.language().ifPresent(l -> m.put(0, Cbor.of(l)));
        Cbor.MapBuilder ti = Cbor.map().put(0, id(c.tagId()));
        c.tagVersion().ifPresent(v -> ti.put(1, Cbor.of(v)));
        m.put(1, ti.build());
        if (!c.entities().isEmpty()) {
            m.put(2, entities(c.entities()));
        }
        if (!c.linkedTags().isEmpty()) {
            List<Cbor> ls = new ArrayList<>();
            for (Comid.LinkedTag l : c.linkedTags()) {
                ls.add(Cbor.map().put(0, id(l.target())).put(1, Cbor.of(l.relation())).build());
            }
            m.put(3, new Cbor.Array(ls));
        }
        m.put(4, triples(c.triples()));
        extensions(m, c.extensions());
        return m.build();
    }

    private static Cbor triples(Triples t) {
        Cbor.MapBuilder m = Cbor.map();
        if (!t.referenceValues().isEmpty()) {
            List<Cbor> rs = new ArrayList<>();
            for (ReferenceValueTriple r : t.referenceValues()) {
                rs.add(Cbor.Array.of(environment(r.environment()), measurements(r.measurements())));
            }
            m.put(0, new Cbor.Array(rs));
        }
        if (!t.endorsedValues().isEmpty()) {
            List<Cbor> rs = new ArrayList<>();
            for (EndorsedValueTriple r : t.endorsedValues()) {
                rs.add(Cbor.Array.of(environment(r.environment()), measurements(r.measurements())));
            }
            m.put(1, new Cbor.Array(rs));
        }
        if (!t.identities().isEmpty()) {
            List<Cbor> rs = new ArrayList<>();
            for (IdentityTriple r : t.identities()) {
                rs.add(keyTriple(r.environment(), r.keys(), r.conditions()));
            }
            m.put(2, new Cbor.Array(rs));
        }
        if (!t.attestKeys().isEmpty()) {
            List<Cbor> rs = new ArrayList<>();
            for (AttestKeyTriple r : t.attestKeys()) {
                rs.add(keyTriple(r.environment(), r.keys(), r.conditions()));
            }
            m.put(3, new Cbor.Array(rs));
        }
        for (Triples.Other o : t.others()) {
            m.put(o.key(), raw(o.value()));
        }
        return m.build();
    }

    private static Cbor keyTriple(Environment env, List<CryptoKey> keys, Optional<KeyConditions> conditions) {
        List<Cbor> r = new ArrayList<>(List.of(environment(env), cryptoKeys(keys)));
        conditions.ifPresent(c -> {
            Cbor.MapBuilder m = Cbor.map();
            c.key().ifPresent(k -> m.put(0, mkey(k)));
            if (!c.authorizedBy().isEmpty()) {
                m.put(1, cryptoKeys(c.authorizedBy()));
            }
            r.add(m.build());
        });
        return new Cbor.Array(r);
    }

    private static Cbor measurements(List<MeasurementMap> ms) {
        List<Cbor> out = new ArrayList<>();
        for (MeasurementMap mm : ms) {
            Cbor.MapBuilder m = Cbor.map();
            mm.key().ifPresent(k -> m.put(0, mkey(k)));
            m.put(1, values(mm.values()));
            if (!mm.authorizedBy().isEmpty()) {
                m.put(2, cryptoKeys(mm.authorizedBy()));
            }
            out.add(m.build());
        }
        return new Cbor.Array(out);
    }

    private static Cbor values(MeasurementValues v) {
        Cbor.MapBuilder m = Cbor.map();
        v.version().ifPresent(ver -> {
            Cbor.MapBuilder vm = Cbor.map().put(0, Cbor.of(ver.version()));
            ver.scheme().ifPresent(s -> vm.put(1, Cbor.of(s)));
            m.put(0, vm.build());
        });
        v.svn().ifPresent(s -> m.put(1, new Cbor.Tag(s.minimum() ? 553 : 552, Cbor.of(s.value()))));
        if (!v.digests().isEmpty()) {
            m.put(2, digests(v.digests()));
        }
        if (!v.flags().isEmpty()) {
            Cbor.MapBuilder fm = Cbor.map();
            for (Map.Entry<Long, Boolean> e : v.flags().entrySet()) {
                fm.put(e.getKey(), Cbor.Simple.of(e.getValue()));
            }
            m.put(3, fm.build());
        }
        v.rawValue().ifPresent(r -> {
            if (r.masked()) {
                m.put(4, new Cbor.Tag(563, Cbor.Array.of(Cbor.of(r.value().bytes()), Cbor.of(r.mask().orElseThrow().bytes()))));
            } else {
                m.put(4, new Cbor.Tag(560, Cbor.of(r.value().bytes())));
                r.mask().ifPresent(mask -> m.put(5, Cbor.of(mask.bytes())));
            }
        });
        v.macAddress().ifPresent(a -> m.put(6, Cbor.of(a.bytes())));
        v.ipAddress().ifPresent(a -> m.put(7, Cbor.of(a.bytes())));
        v.serialNumber().ifPresent(s -> m.put(8, Cbor.of(s)));
        v.ueid().ifPresent(u -> m.put(9, Cbor.of(u.bytes())));
        v.uuid().ifPresent(u -> m.put(10, Cbor.of(u.bytes())));
        v.name().ifPresent(n -> m.put(11, Cbor.of(n)));
        if (!v.cryptoKeys().isEmpty()) {
            m.put(13, cryptoKeys(v.cryptoKeys()));
        }
        v.integrityRegisters().ifPresent(r -> m.put(14, raw(r)));
        v.intRange().ifPresent(r -> m.put(15, new Cbor.Tag(564, Cbor.Array.of(
                r.min().isPresent() ? Cbor.of(r.min().getAsLong()) : Cbor.Simple.NULL,
                r.max().isPresent() ? Cbor.of(r.max().getAsLong()) : Cbor.Simple.NULL))));
        extensions(m, v.extensions());
        return m.build();
    }

    private static Cbor environment(Environment e) {
        Cbor.MapBuilder m = Cbor.map();
        e.classMap().ifPresent(c -> {
            Cbor.MapBuilder cm = Cbor.map();
            c.id().ifPresent(id -> cm.put(0, new Cbor.Tag(id.kind().tag(), Cbor.of(id.value().bytes()))));
            c.vendor().ifPresent(v -> cm.put(1, Cbor.of(v)));
            c.model().ifPresent(v -> cm.put(2, Cbor.of(v)));
            c.layer().ifPresent(v -> cm.put(3, Cbor.of(v)));
            c.index().ifPresent(v -> cm.put(4, Cbor.of(v)));
            m.put(0, cm.build());
        });
        e.instance().ifPresent(i -> m.put(1, switch (i.kind()) {
            case UEID -> new Cbor.Tag(550, Cbor.of(i.value().bytes()));
            case UUID -> new Cbor.Tag(CorimReader.TAG_UUID, Cbor.of(i.value().bytes()));
            case BYTES -> new Cbor.Tag(560, Cbor.of(i.value().bytes()));
            case KEY -> cryptoKey(i.key().orElseThrow());
        }));
        e.group().ifPresent(g -> m.put(2, new Cbor.Tag(g.kind() == Environment.GroupId.Kind.UUID ? CorimReader.TAG_UUID
                : 560, Cbor.of(g.value().bytes()))));
        return m.build();
    }

    private static Cbor mkey(Mkey k) {
        return switch (k.kind()) {
            case TEXT -> Cbor.of(k.text());
            case UINT -> Cbor.of(Long.parseLong(k.text()));
            case UUID -> new Cbor.Tag(CorimReader.TAG_UUID, Cbor.of(k.bytes().bytes()));
            case OID -> new Cbor.Tag(CorimReader.TAG_OID, Cbor.of(k.bytes().bytes()));
        };
    }

    private static Cbor cryptoKeys(List<CryptoKey> keys) {
        List<Cbor> out = new ArrayList<>();
        keys.forEach(k -> out.add(cryptoKey(k)));
        return new Cbor.Array(out);
    }

    private static Cbor cryptoKey(CryptoKey k) {
        Cbor content = switch (k.kind()) {
            case PKIX_BASE64_KEY, PKIX_BASE64_CERT, PKIX_BASE64_CERT_PATH -> Cbor.of(k.text());
            case KEY_THUMBPRINT, CERT_THUMBPRINT, CERT_PATH_THUMBPRINT -> digest(k.thumbprint().orElseThrow());
            case COSE_KEY -> raw(k.bytes());
            case BYTES, PKIX_ASN1DER_CERT -> Cbor.of(k.bytes().bytes());
        };
        return new Cbor.Tag(k.kind().tag(), content);
    }

    private static Cbor digests(List<HashEntry> ds) {
        List<Cbor> out = new ArrayList<>();
        ds.forEach(d -> out.add(digest(d)));
        return new Cbor.Array(out);
    }

    private static Cbor digest(HashEntry d) {
        return Cbor.Array.of(Cbor.of(d.algorithm()), Cbor.of(d.value().bytes()));
    }

    private static Cbor entities(List<Entity> es) {
        List<Cbor> out = new ArrayList<>();
        for (Entity e : es) {
            Cbor.MapBuilder m = Cbor.map().put(0, Cbor.of(e.name()));
            e.registrationId().ifPresent(r -> m.put(1, uri(r)));
            List<Cbor> roles = new ArrayList<>();
            e.roles().forEach(r -> roles.add(Cbor.of(r)));
            m.put(2, new Cbor.Array(roles));
            extensions(m, e.extensions());
            out.add(m.build());
        }
        return new Cbor.Array(out);
    }

    private static Cbor validity(Corim.Validity v) {
        Cbor.MapBuilder m = Cbor.map();
        v.notBefore().ifPresent(t -> m.put(0, new Cbor.Tag(CorimReader.TAG_TIME, Cbor.of(t.getEpochSecond()))));
        m.put(1, new Cbor.Tag(CorimReader.TAG_TIME, Cbor.of(v.notAfter().getEpochSecond())));
        return m.build();
    }

    private static Cbor id(Identifier id) {
        return id.kind() == Identifier.Kind.TEXT ? Cbor.of(id.text()) : Cbor.of(id.uuid().bytes());
    }

    private static Cbor uri(String u) {
        return new Cbor.Tag(CorimReader.TAG_URI, Cbor.of(u));
    }

    private static void extensions(Cbor.MapBuilder m, List<Extension> xs) {
        for (Extension x : xs) {
            m.put(x.key(), raw(x.value()));
        }
    }

    /** An item kept as its encoding (by the reader, which decoded it within its limits). */
    public static Cbor item(Octets encoded) {
        return raw(encoded);
    }

    private static Cbor raw(Octets encoded) {
        byte[] b = encoded.bytes();
        try {
            return CborDecoder.lenient(Math.max(1, b.length), 64, Math.max(1, b.length)).decode(b);
        } catch (CborException e) {
            throw new IllegalArgumentException("not one CBOR item: " + encoded, e);
        }
    }
}
