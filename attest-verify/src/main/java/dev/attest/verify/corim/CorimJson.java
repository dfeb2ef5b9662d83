package dev.attest.verify.corim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.verify.internal.Json;
import java.util.List;

/**
 * A CoRIM as JSON, for people to read ({@code attest corim inspect}): every field of the model,
 * named as in draft-ietf-rats-corim's CDDL, byte strings in hex, type choices as
 * {@code {"type": ..., "value": ...}}, times in ISO 8601. A rendering only: there is no parser
 * for it, the CBOR is the CoRIM.
 */
public final class CorimJson {
    private CorimJson() {
    }

    /**
     * {@code corim} as indented JSON, ending in a newline.
     *
     * @param corim the CoRIM
     * @return the JSON text
     */
    public static String of(Corim corim) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", corim.id().toString());
        ArrayNode tags = o.putArray("tags");
        corim.comids().forEach(c -> tags.add(comid(c)));
        corim.otherTags().forEach(t -> tags.addObject().put("tag", t.tag()).put("content", t.content().hex()));
        if (!corim.dependentRims().isEmpty()) {
            ArrayNode d = o.putArray("dependent-rims");
            for (Corim.Locator l : corim.dependentRims()) {
                ObjectNode lo = d.addObject();
                ArrayNode h = lo.putArray("href");
                l.hrefs().forEach(h::add);
                if (!l.thumbprints().isEmpty()) {
                    ArrayNode t = lo.putArray("thumbprint");
                    l.thumbprints().forEach(x -> t.add(digest(x)));
                }
            }
        }
        corim.profile().ifPresent(p -> o.set("profile", typed(p.uri().isEmpty() ? "oid" : "uri",
                p.uri().isEmpty() ? p.oid().hex() : p.uri())));
        corim.validity().ifPresent(v -> o.set("rim-validity", validity(v)));
        entities(o, corim.entities());
        extensions(o, corim.extensions());
        corim.signature().ifPresent(s -> {
            ObjectNode so = o.putObject("signature");
            so.put("alg", s.algorithm().name());
            s.keyId().ifPresent(k -> so.put("kid", k.hex()));
            so.put("signer-name", s.signerName());
            s.signerUri().ifPresent(u -> so.put("signer-uri", u));
            s.validity().ifPresent(v -> so.set("signature-validity", validity(v)));
        });
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode comid(Comid c) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("type", "comid");
        c.language().ifPresent(l -> o.put("language", l));
        ObjectNode ti = o.putObject("tag-identity");
        ti.put("tag-id", c.tagId().toString());
        c.tagVersion().ifPresent(v -> ti.put("tag-version", v));
        entities(o, c.entities());
        if (!c.linkedTags().isEmpty()) {
            ArrayNode a = o.putArray("linked-tags");
            c.linkedTags().forEach(l -> a.addObject().put("linked-tag-id", l.target().toString()).put("tag-rel", l.relation()));
        }
        ObjectNode t = o.putObject("triples");
        Triples tr = c.triples();
        if (!tr.referenceValues().isEmpty()) {
            ArrayNode a = t.putArray("reference-triples");
            tr.referenceValues().forEach(r -> valueTriple(a.addObject(), r.environment(), r.measurements()));
        }
        if (!tr.endorsedValues().isEmpty()) {
            ArrayNode a = t.putArray("endorsed-triples");
            tr.endorsedValues().forEach(r -> valueTriple(a.addObject(), r.environment(), r.measurements()));
        }
        if (!tr.identities().isEmpty()) {
            ArrayNode a = t.putArray("identity-triples");
            tr.identities().forEach(r -> keyTriple(a.addObject(), r.environment(), r.keys(), r.conditions()));
        }
        if (!tr.attestKeys().isEmpty()) {
            ArrayNode a = t.putArray("attest-key-triples");
            tr.attestKeys().forEach(r -> keyTriple(a.addObject(), r.environment(), r.keys(), r.conditions()));
        }
        for (Triples.Other x : tr.others()) {
            t.put(Long.toString(x.key()), x.value().hex());
        }
        extensions(o, c.extensions());
        return o;
    }

    private static void valueTriple(ObjectNode o, Environment env, List<MeasurementMap> ms) {
        o.set("environment", environment(env));
        ArrayNode a = o.putArray("measurements");
        for (MeasurementMap m : ms) {
            ObjectNode mo = a.addObject();
            m.key().ifPresent(k -> mo.set("mkey", typed(k.kind().name().toLowerCase(java.util.Locale.ROOT), k.text())));
            mo.set("mval", values(m.values()));
            if (!m.authorizedBy().isEmpty()) {
                mo.set("authorized-by", keys(m.authorizedBy()));
            }
        }
    }

    private static void keyTriple(ObjectNode o, Environment env, List<CryptoKey> ks,
            java.util.Optional<KeyConditions> cond) {
        o.set("environment", environment(env));
        o.set("keys", keys(ks));
        cond.ifPresent(c -> {
            ObjectNode co = o.putObject("conditions");
            c.key().ifPresent(k -> co.set("mkey", typed(k.kind().name().toLowerCase(java.util.Locale.ROOT), k.text())));
            if (!c.authorizedBy().isEmpty()) {
                co.set("authorized-by", keys(c.authorizedBy()));
            }
        });
    }

    private static ObjectNode values(MeasurementValues v) {
        ObjectNode o = Json.mapper().createObjectNode();
        v.version().ifPresent(x -> {
            ObjectNode vo = o.putObject("version");
            vo.put("version", x.version());
            x.scheme().ifPresent(s -> vo.put("version-scheme", s));
        });
        v.svn().ifPresent(s -> o.set("svn", typed(s.minimum() ? "min-svn" : "svn", Long.toString(s.value()))));
        if (!v.digests().isEmpty()) {
            ArrayNode a = o.putArray("digests");
            v.digests().forEach(d -> a.add(digest(d)));
        }
        if (!v.flags().isEmpty()) {
            ObjectNode f = o.putObject("flags");
            v.flags().forEach((k, b) -> f.put(flagName(k), b));
        }
        v.rawValue().ifPresent(r -> {
            ObjectNode ro = o.putObject("raw-value");
            ro.put("value", r.value().hex());
            r.mask().ifPresent(m -> ro.put("mask", m.hex()));
        });
        v.macAddress().ifPresent(x -> o.put("mac-addr", x.hex()));
        v.ipAddress().ifPresent(x -> o.put("ip-addr", x.hex()));
        v.serialNumber().ifPresent(x -> o.put("serial-number", x));
        v.ueid().ifPresent(x -> o.put("ueid", x.hex()));
        v.uuid().ifPresent(x -> o.put("uuid", x.hex()));
        v.name().ifPresent(x -> o.put("name", x));
        if (!v.cryptoKeys().isEmpty()) {
            o.set("cryptokeys", keys(v.cryptoKeys()));
        }
        v.integrityRegisters().ifPresent(x -> o.put("integrity-registers", x.hex()));
        v.intRange().ifPresent(r -> {
            ObjectNode ro = o.putObject("int-range");
            r.min().ifPresent(m -> ro.put("min", m));
            r.max().ifPresent(m -> ro.put("max", m));
        });
        extensions(o, v.extensions());
        return o;
    }

    private static final List<String> FLAGS = List.of("is-configured", "is-secure", "is-recovery", "is-debug",
            "is-replay-protected", "is-integrity-protected", "is-runtime-meas", "is-immutable", "is-tcb",
            "is-confidentiality-protected", "is-runtime-updatable");

    private static String flagName(long key) {
        return key >= 0 && key < FLAGS.size() ? FLAGS.get((int) key) : Long.toString(key);
    }

    private static ObjectNode environment(Environment e) {
        ObjectNode o = Json.mapper().createObjectNode();
        e.classMap().ifPresent(c -> {
            ObjectNode co = o.putObject("class");
            c.id().ifPresent(id -> co.set("class-id", typed(id.kind().name().toLowerCase(java.util.Locale.ROOT),
                    id.value().hex())));
            c.vendor().ifPresent(v -> co.put("vendor", v));
            c.model().ifPresent(v -> co.put("model", v));
            c.layer().ifPresent(v -> co.put("layer", v));
            c.index().ifPresent(v -> co.put("index", v));
        });
        e.instance().ifPresent(i -> o.set("instance", i.key().isPresent() ? key(i.key().get())
                : typed(i.kind().name().toLowerCase(java.util.Locale.ROOT), i.value().hex())));
        e.group().ifPresent(g -> o.set("group", typed(g.kind().name().toLowerCase(java.util.Locale.ROOT), g.value().hex())));
        return o;
    }

    private static ArrayNode keys(List<CryptoKey> ks) {
        ArrayNode a = Json.mapper().createArrayNode();
        ks.forEach(k -> a.add(key(k)));
        return a;
    }

    private static ObjectNode key(CryptoKey k) {
        String type = k.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        if (k.thumbprint().isPresent()) {
            ObjectNode o = Json.mapper().createObjectNode().put("type", type);
            o.set("value", digest(k.thumbprint().get()));
            return o;
        }
        return typed(type, k.text().isEmpty() ? k.bytes().hex() : k.text());
    }

    private static ArrayNode digest(HashEntry d) {
        return Json.mapper().createArrayNode().add(d.algorithm()).add(d.value().hex());
    }

    private static ObjectNode validity(Corim.Validity v) {
        ObjectNode o = Json.mapper().createObjectNode();
        v.notBefore().ifPresent(t -> o.put("not-before", t.toString()));
        o.put("not-after", v.notAfter().toString());
        return o;
    }

    private static void entities(ObjectNode o, List<Entity> es) {
        if (es.isEmpty()) {
            return;
        }
        ArrayNode a = o.putArray("entities");
        for (Entity e : es) {
            ObjectNode eo = a.addObject();
            eo.put("entity-name", e.name());
            e.registrationId().ifPresent(r -> eo.put("reg-id", r));
            ArrayNode roles = eo.putArray("roles");
            e.roles().forEach(roles::add);
            extensions(eo, e.extensions());
        }
    }

    private static void extensions(ObjectNode o, List<Extension> xs) {
        for (Extension x : xs) {
            o.put(Long.toString(x.key()), x.value().hex());
        }
    }

    private static ObjectNode typed(String type, String value) {
        return Json.mapper().createObjectNode().put("type", type).put("value", value);
    }
}
