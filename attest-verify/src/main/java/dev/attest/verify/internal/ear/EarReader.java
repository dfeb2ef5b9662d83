package dev.attest.verify.internal.ear;

import dev.attest.verify.ear.Ear;
import dev.attest.verify.ear.EarAppraisal;
import dev.attest.verify.ear.EarException;
import dev.attest.verify.ear.EarException.Reason;
import dev.attest.verify.ear.EarJson;
import dev.attest.verify.ear.KeyAttestation;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.TrustVector;
import dev.attest.verify.ear.VerifierId;
import java.math.BigInteger;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Maps a strict JSON tree onto the EAR model (draft-ietf-rats-ear §3), with a reason for every rejection. */
public final class EarReader {
    private static final Set<String> TOP_MISPLACED = Set.of("ear.status", "ear.trustworthiness-vector",
            "ear.appraisal-policy-id");
    private static final Set<String> SUBMOD_MISPLACED = Set.of("eat_profile", "iat", "ear.verifier-id", "submods");
    private static final BigInteger MAX_SECONDS = BigInteger.valueOf(253402300799L); // 9999-12-31T23:59:59Z

    private EarReader() {
    }

    /** The EAR in {@code root}. */
    public static Ear read(Node root) throws EarException {
        Node.Obj top = object(root, "");
        Map<String, Node> m = top.members();
        String profile = string(require(m, "eat_profile", ""), "eat_profile");
        if (!Ear.PROFILE.equals(profile)) {
            throw new EarException(Reason.UNSUPPORTED_PROFILE, "eat_profile", "expected " + Ear.PROFILE);
        }
        Instant iat = seconds(require(m, "iat", ""), "iat");
        VerifierId vid = verifierId(require(m, "ear.verifier-id", ""));
        Node.Obj submodsNode = object(require(m, "submods", ""), "submods");
        if (submodsNode.members().isEmpty()) {
            throw new EarException(Reason.MISSING_CLAIM, "submods", "at least one appraisal is required");
        }
        Map<String, EarAppraisal> submods = new TreeMap<>();
        for (Map.Entry<String, Node> e : submodsNode.members().entrySet()) {
            String path = "submods." + e.getKey();
            if (e.getKey().isEmpty()) {
                throw new EarException(Reason.INVALID_VALUE, path, "empty submod name");
            }
            submods.put(e.getKey(), appraisal(e.getValue(), path));
        }
        Optional<String> nonce = Optional.empty();
        if (m.containsKey("eat_nonce")) {
            String n = string(m.get("eat_nonce"), "eat_nonce");
            if (n.length() < 8 || n.length() > 88) {
                throw new EarException(Reason.INVALID_VALUE, "eat_nonce", "must have 8 to 88 characters, has " + n.length());
            }
            nonce = Optional.of(n);
        }
        Optional<String> raw = Optional.empty();
        if (m.containsKey("ear.raw-evidence")) {
            String r = string(m.get("ear.raw-evidence"), "ear.raw-evidence");
            if (Base64Url.decode(r).isEmpty()) {
                throw new EarException(Reason.INVALID_VALUE, "ear.raw-evidence", "not canonical unpadded base64url");
            }
            raw = Optional.of(r);
        }
        Optional<Instant> exp = Optional.empty();
        if (m.containsKey("exp")) {
            Instant x = seconds(m.get("exp"), "exp");
            if (!x.isAfter(iat)) {
                throw new EarException(Reason.INVALID_VALUE, "exp", "not after iat");
            }
            exp = Optional.of(x);
        }
        Map<String, EarJson> ext = new TreeMap<>();
        for (Map.Entry<String, Node> e : m.entrySet()) {
            String name = e.getKey();
            if (TOP_MISPLACED.contains(name)) {
                throw new EarException(Reason.MISPLACED_CLAIM, name, "an appraisal claim belongs inside a submod");
            }
            if (!isKnownTop(name)) {
                if (name.isEmpty()) {
                    throw new EarException(Reason.INVALID_VALUE, "", "empty claim name");
                }
                ext.put(name, json(e.getValue()));
            }
        }
        try {
            return new Ear(iat, vid, submods, nonce, raw, exp, ext);
        } catch (IllegalArgumentException e) {
            throw new EarException(Reason.INVALID_VALUE, "", e.getMessage(), e);
        }
    }

    private static boolean isKnownTop(String name) {
        switch (name) {
            case "eat_profile": case "iat": case "ear.verifier-id": case "submods": case "eat_nonce":
            case "ear.raw-evidence": case "exp":
                return true;
            default:
                return false;
        }
    }

    private static VerifierId verifierId(Node n) throws EarException {
        Map<String, Node> m = object(n, "ear.verifier-id").members();
        String developer = nonEmpty(require(m, "developer", "ear.verifier-id"), "ear.verifier-id.developer");
        String build = nonEmpty(require(m, "build", "ear.verifier-id"), "ear.verifier-id.build");
        for (String k : m.keySet()) {
            if (!k.equals("developer") && !k.equals("build")) {
                throw new EarException(Reason.INVALID_VALUE, "ear.verifier-id." + k,
                        "ear.verifier-id has only developer and build (draft-ietf-rats-ear §3.1)");
            }
        }
        return new VerifierId(developer, build);
    }

    private static EarAppraisal appraisal(Node n, String path) throws EarException {
        Map<String, Node> m = object(n, path).members();
        String statusName = string(require(m, "ear.status", path), path + ".ear.status");
        TrustTier status = TrustTier.fromJsonName(statusName).orElseThrow(() -> new EarException(
                Reason.UNKNOWN_STATUS, path + ".ear.status", "not none, affirming, warning or contraindicated"));
        Optional<TrustVector> tv = Optional.empty();
        if (m.containsKey("ear.trustworthiness-vector")) {
            tv = Optional.of(trustVector(m.get("ear.trustworthiness-vector"), path + ".ear.trustworthiness-vector"));
        }
        Optional<String> policy = Optional.empty();
        if (m.containsKey("ear.appraisal-policy-id")) {
            policy = Optional.of(nonEmpty(m.get("ear.appraisal-policy-id"), path + ".ear.appraisal-policy-id"));
        }
        Optional<EarJson> annotated = optionalObject(m, "ear.veraison.annotated-evidence", path);
        Optional<EarJson> policyClaims = optionalObject(m, "ear.veraison.policy-claims", path);
        Optional<KeyAttestation> ka = Optional.empty();
        if (m.containsKey("ear.veraison.key-attestation")) {
            ka = Optional.of(keyAttestation(m.get("ear.veraison.key-attestation"), path + ".ear.veraison.key-attestation"));
        }
        Map<String, EarJson> ext = new TreeMap<>();
        for (Map.Entry<String, Node> e : m.entrySet()) {
            String name = e.getKey();
            if (SUBMOD_MISPLACED.contains(name)) {
                throw new EarException(Reason.MISPLACED_CLAIM, path + "." + name, "a top-level EAR claim inside a submod");
            }
            if (!isKnownAppraisal(name)) {
                if (name.isEmpty()) {
                    throw new EarException(Reason.INVALID_VALUE, path, "empty claim name");
                }
                ext.put(name, json(e.getValue()));
            }
        }
        try {
            return new EarAppraisal(status, tv, policy, annotated, policyClaims, ka, ext);
        } catch (IllegalArgumentException e) {
            throw new EarException(Reason.INVALID_VALUE, path, e.getMessage(), e);
        }
    }

    private static boolean isKnownAppraisal(String name) {
        switch (name) {
            case "ear.status": case "ear.trustworthiness-vector": case "ear.appraisal-policy-id":
            case "ear.veraison.annotated-evidence": case "ear.veraison.policy-claims": case "ear.veraison.key-attestation":
                return true;
            default:
                return false;
        }
    }

    private static TrustVector trustVector(Node n, String path) throws EarException {
        Map<TrustClaim, Integer> values = new EnumMap<>(TrustClaim.class);
        for (Map.Entry<String, Node> e : object(n, path).members().entrySet()) {
            String sub = path + "." + e.getKey();
            TrustClaim c = TrustClaim.fromJsonName(e.getKey()).orElseThrow(() -> new EarException(
                    Reason.UNKNOWN_TRUST_CLAIM, sub, "not one of the eight AR4SI claims (draft-ietf-rats-ar4si §2.3)"));
            BigInteger v = integer(e.getValue(), sub);
            if (v.compareTo(BigInteger.valueOf(-128)) < 0 || v.compareTo(BigInteger.valueOf(127)) > 0) {
                throw new EarException(Reason.TRUST_VALUE_OUT_OF_RANGE, sub, "outside -128..127: " + v);
            }
            values.put(c, v.intValue());
        }
        return new TrustVector(values);
    }

    private static KeyAttestation keyAttestation(Node n, String path) throws EarException {
        Map<String, Node> m = object(n, path).members();
        String akpub = string(require(m, "akpub", path), path + ".akpub");
        for (String k : m.keySet()) {
            if (!k.equals("akpub")) {
                throw new EarException(Reason.INVALID_VALUE, path + "." + k, "key-attestation has only akpub");
            }
        }
        try {
            return new KeyAttestation(akpub);
        } catch (IllegalArgumentException e) {
            throw new EarException(Reason.INVALID_VALUE, path + ".akpub", e.getMessage(), e);
        }
    }

    private static Optional<EarJson> optionalObject(Map<String, Node> m, String name, String path) throws EarException {
        if (!m.containsKey(name)) {
            return Optional.empty();
        }
        return Optional.of(json(object(m.get(name), path + "." + name)));
    }

    private static EarJson json(Node n) {
        return new EarJson(StrictJson.canonical(n));
    }

    private static Node require(Map<String, Node> m, String name, String parent) throws EarException {
        Node n = m.get(name);
        if (n == null) {
            throw new EarException(Reason.MISSING_CLAIM, parent.isEmpty() ? name : parent + "." + name, "mandatory claim absent");
        }
        return n;
    }

    private static Node.Obj object(Node n, String path) throws EarException {
        if (n instanceof Node.Obj o) {
            return o;
        }
        throw new EarException(Reason.WRONG_TYPE, path, "expected an object, got " + Node.typeName(n));
    }

    private static String string(Node n, String path) throws EarException {
        if (n instanceof Node.Str s) {
            return s.value();
        }
        throw new EarException(Reason.WRONG_TYPE, path, "expected a string, got " + Node.typeName(n));
    }

    private static String nonEmpty(Node n, String path) throws EarException {
        String s = string(n, path);
        if (s.isEmpty()) {
            throw new EarException(Reason.INVALID_VALUE, path, "must not be empty");
        }
        return s;
    }

    private static BigInteger integer(Node n, String path) throws EarException {
        if (n instanceof Node.Num num && num.integral()) {
            return new BigInteger(num.text());
        }
        throw new EarException(Reason.WRONG_TYPE, path, "expected an integer, got "
                + (n instanceof Node.Num ? "a non-integral number" : Node.typeName(n)));
    }

    // NumericDate (RFC 7519 §2) restricted to whole, non-negative seconds up to year 9999.
    private static Instant seconds(Node n, String path) throws EarException {
        BigInteger v = integer(n, path);
        if (v.signum() < 0 || v.compareTo(MAX_SECONDS) > 0) {
            throw new EarException(Reason.INVALID_VALUE, path, "NumericDate outside 0..9999-12-31: " + v);
        }
        return Instant.ofEpochSecond(v.longValueExact());
    }
}
