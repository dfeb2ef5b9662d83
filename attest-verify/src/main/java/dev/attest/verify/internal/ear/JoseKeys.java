package dev.attest.verify.internal.ear;

import dev.attest.verify.ear.EarException;
import dev.attest.verify.ear.EarException.Reason;
import dev.attest.verify.ear.JwsAlgorithm;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.security.spec.NamedParameterSpec;
import java.util.Map;
import java.util.Optional;

/** JWK (RFC 7517) import/export for the EC (RFC 7518 §6.2) and OKP Ed25519 (RFC 8037 §2) keys JWS needs here. */
public final class JoseKeys {
    /** Bound on a JWK's JSON size. */
    public static final int MAX_JWK_BYTES = 16 * 1024;

    private JoseKeys() {
    }

    /** A parsed JWK: its algorithm, public key, private key if it had one, and kid. */
    public record Parsed(JwsAlgorithm algorithm, PublicKey publicKey, Optional<PrivateKey> privateKey, Optional<String> kid) {
    }

    /** Parses one JWK. */
    public static Parsed parse(String json) throws EarException {
        Node root;
        try {
            root = StrictJson.parse(json, MAX_JWK_BYTES);
        } catch (EarException e) {
            throw new EarException(Reason.BAD_KEY, "", "JWK is not strict JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Node.Obj obj)) {
            throw bad("JWK is not a JSON object");
        }
        Map<String, Node> m = obj.members();
        String kty = str(m, "kty").orElseThrow(() -> bad("kty missing"));
        String crv = str(m, "crv").orElseThrow(() -> bad("crv missing"));
        Optional<String> kid = str(m, "kid");
        if (kid.isPresent() && kid.get().isEmpty()) {
            throw bad("empty kid");
        }
        Optional<String> use = str(m, "use");
        if (use.isPresent() && !use.get().equals("sig")) {
            throw bad("use is not sig");
        }
        JwsAlgorithm alg;
        PublicKey pub;
        Optional<PrivateKey> priv = Optional.empty();
        try {
            if (kty.equals("EC")) {
                alg = crv.equals("P-256") ? JwsAlgorithm.ES256 : crv.equals("P-384") ? JwsAlgorithm.ES384 : null;
                if (alg == null) {
                    throw bad("unsupported EC curve " + crv);
                }
                ECParameterSpec params = ecParams(alg);
                int n = fieldBytes(params);
                BigInteger x = new BigInteger(1, b64(m, "x", n));
                BigInteger y = new BigInteger(1, b64(m, "y", n));
                ECPoint w = new ECPoint(x, y);
                if (!onCurve(params, w)) {
                    throw bad("point (x, y) is not on " + crv);
                }
                KeyFactory kf = KeyFactory.getInstance("EC");
                pub = kf.generatePublic(new ECPublicKeySpec(w, params));
                if (m.containsKey("d")) {
                    BigInteger d = new BigInteger(1, b64(m, "d", n));
                    if (d.signum() == 0 || d.compareTo(params.getOrder()) >= 0) {
                        throw bad("d is not in 1..n-1");
                    }
                    priv = Optional.of(kf.generatePrivate(new ECPrivateKeySpec(d, params)));
                }
            } else if (kty.equals("OKP")) {
                if (!crv.equals("Ed25519")) {
                    throw bad("unsupported OKP curve " + crv);
                }
                alg = JwsAlgorithm.EDDSA;
                KeyFactory kf = KeyFactory.getInstance("Ed25519");
                pub = kf.generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, edPoint(b64(m, "x", 32))));
                if (m.containsKey("d")) {
                    priv = Optional.of(kf.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, b64(m, "d", 32))));
                }
            } else {
                throw bad("unsupported kty " + kty + " (EC and OKP only)");
            }
        } catch (GeneralSecurityException e) {
            throw new EarException(Reason.BAD_KEY, "", "JCA rejected the key: " + e.getMessage(), e);
        }
        Optional<String> algMember = str(m, "alg");
        if (algMember.isPresent() && !algMember.get().equals(alg.joseName())) {
            throw bad("alg " + algMember.get() + " does not fit crv " + crv);
        }
        return new Parsed(alg, pub, priv, kid);
    }

    /** The public JWK of {@code key} (members in RFC 7638 order, then kid). */
    public static String toJwk(PublicKey key, JwsAlgorithm alg, Optional<String> kid) {
        StringWriter w = new StringWriter();
        try (var g = StrictJson.generator(w)) {
            g.writeStartObject();
            if (alg == JwsAlgorithm.EDDSA) {
                g.writeStringField("crv", "Ed25519");
                g.writeStringField("kty", "OKP");
                g.writeStringField("x", Base64Url.encode(edEncode(((EdECPublicKey) key).getPoint())));
            } else {
                ECPublicKey ec = (ECPublicKey) key;
                int n = fieldBytes(ec.getParams());
                g.writeStringField("crv", alg.curve());
                g.writeStringField("kty", "EC");
                g.writeStringField("x", Base64Url.encode(fixed(ec.getW().getAffineX(), n)));
                g.writeStringField("y", Base64Url.encode(fixed(ec.getW().getAffineY(), n)));
            }
            if (kid.isPresent()) {
                g.writeStringField("kid", kid.get());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * The JWS algorithm a JCA public key is used with: P-256 → ES256, P-384 → ES384, Ed25519 →
     * EdDSA. EC keys are matched on their full curve parameters, not just the field size.
     */
    public static Optional<JwsAlgorithm> algorithmOf(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            for (JwsAlgorithm a : new JwsAlgorithm[] {JwsAlgorithm.ES256, JwsAlgorithm.ES384}) {
                ECParameterSpec p = ecParams(a);
                ECParameterSpec q = ec.getParams();
                if (p.getCurve().equals(q.getCurve()) && p.getGenerator().equals(q.getGenerator())
                        && p.getOrder().equals(q.getOrder()) && p.getCofactor() == q.getCofactor()) {
                    return onCurve(p, ec.getW()) ? Optional.of(a) : Optional.empty();
                }
            }
        } else if (key instanceof EdECPublicKey ed && ed.getParams().getName().equalsIgnoreCase("Ed25519")) {
            return Optional.of(JwsAlgorithm.EDDSA);
        }
        return Optional.empty();
    }

    /** The named-curve parameters of an ECDSA algorithm. */
    public static ECParameterSpec ecParams(JwsAlgorithm alg) {
        try {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec(alg == JwsAlgorithm.ES256 ? "secp256r1" : "secp384r1"));
            return ap.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + alg.curve(), e);
        }
    }

    // y^2 = x^3 + ax + b (mod p), with 0 <= x, y < p (SEC 1 §3.2.2.1 public key validation).
    private static boolean onCurve(ECParameterSpec params, ECPoint w) {
        if (w.equals(ECPoint.POINT_INFINITY)) {
            return false;
        }
        EllipticCurve c = params.getCurve();
        BigInteger p = ((java.security.spec.ECFieldFp) c.getField()).getP();
        BigInteger x = w.getAffineX();
        BigInteger y = w.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger lhs = y.multiply(y).mod(p);
        BigInteger rhs = x.pow(3).add(c.getA().multiply(x)).add(c.getB()).mod(p);
        return lhs.equals(rhs);
    }

    private static int fieldBytes(ECParameterSpec p) {
        return (p.getCurve().getField().getFieldSize() + 7) / 8;
    }

    private static byte[] fixed(BigInteger v, int n) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[n];
        int copy = Math.min(b.length, n);
        System.arraycopy(b, b.length - copy, out, n - copy, copy);
        return out;
    }

    // RFC 8032 §5.1.2 encoding: little-endian y with x's parity in the top bit of the last byte.
    private static EdECPoint edPoint(byte[] enc) {
        byte[] be = new byte[enc.length];
        for (int i = 0; i < enc.length; i++) {
            be[i] = enc[enc.length - 1 - i];
        }
        boolean xOdd = (be[0] & 0x80) != 0;
        be[0] &= 0x7F;
        return new EdECPoint(xOdd, new BigInteger(1, be));
    }

    private static byte[] edEncode(EdECPoint p) {
        byte[] y = fixed(p.getY(), 32);
        byte[] le = new byte[32];
        for (int i = 0; i < 32; i++) {
            le[i] = y[31 - i];
        }
        if (p.isXOdd()) {
            le[31] |= (byte) 0x80;
        }
        return le;
    }

    private static Optional<String> str(Map<String, Node> m, String name) throws EarException {
        Node n = m.get(name);
        if (n == null) {
            return Optional.empty();
        }
        if (n instanceof Node.Str s) {
            return Optional.of(s.value());
        }
        throw bad(name + " is not a string");
    }

    // RFC 7518 §6.2.1.2/§6.2.2.1: coordinates and d are exactly the field size, no leading-zero trimming.
    private static byte[] b64(Map<String, Node> m, String name, int len) throws EarException {
        String s = str(m, name).orElseThrow(() -> bad(name + " missing"));
        byte[] b = Base64Url.decode(s).orElseThrow(() -> bad(name + " is not canonical base64url"));
        if (b.length != len) {
            throw bad(name + " has " + b.length + " bytes, expected " + len);
        }
        return b;
    }

    private static EarException bad(String msg) {
        return new EarException(Reason.BAD_KEY, "", msg);
    }
}
