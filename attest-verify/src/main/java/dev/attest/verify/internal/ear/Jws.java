package dev.attest.verify.internal.ear;

import dev.attest.evidence.internal.Crypto;
import dev.attest.verify.ear.EarException;
import dev.attest.verify.ear.EarException.Reason;
import dev.attest.verify.ear.JwsAlgorithm;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Map;
import java.util.Optional;

/**
 * JWS compact serialization (RFC 7515 §7.1) for the algorithms in {@link JwsAlgorithm}, on JCA.
 * Parsing is strict: exactly three canonical base64url parts, a bounded JSON object header with
 * unique names, {@code alg} required; {@code crit}, {@code b64}, {@code cty}, {@code zip} and
 * {@code enc} rejected (we implement no extension, no nested or compressed tokens).
 */
public final class Jws {
    /** Bound on the decoded JOSE header. */
    public static final int MAX_HEADER_BYTES = 8 * 1024;

    private static final byte[] PROBE = "attest EAR key pair check".getBytes(StandardCharsets.US_ASCII);

    private Jws() {
    }

    /** A parsed, not yet verified, compact JWS. */
    public record Compact(String alg, Optional<String> typ, Optional<String> kid, byte[] signingInput,
            byte[] payload, byte[] signature) {
    }

    /** Signs {@code payload}; the header is {"alg","typ"[,"kid"]} in that order. */
    public static String sign(byte[] payload, JwsAlgorithm alg, PrivateKey key, Optional<String> kid, String typ,
            Optional<Provider> provider) throws EarException {
        StringWriter w = new StringWriter();
        try (var g = StrictJson.generator(w)) {
            g.writeStartObject();
            g.writeStringField("alg", alg.joseName());
            g.writeStringField("typ", typ);
            if (kid.isPresent()) {
                g.writeStringField("kid", kid.get());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String input = Base64Url.encode(w.toString().getBytes(StandardCharsets.UTF_8)) + "." + Base64Url.encode(payload);
        byte[] sig = rawSign(input.getBytes(StandardCharsets.US_ASCII), alg, key, provider);
        return input + "." + Base64Url.encode(sig);
    }

    /** Verifies that the two halves belong together by signing and verifying a probe. */
    public static void checkPair(PrivateKey priv, PublicKey pub, JwsAlgorithm alg, Optional<Provider> provider)
            throws EarException {
        byte[] sig = rawSign(PROBE, alg, priv, provider);
        if (!verify(alg, pub, PROBE, sig, provider)) {
            throw new EarException(Reason.BAD_KEY, "", "the private key does not belong to the public key");
        }
    }

    /** Parses a compact JWS of at most {@code maxChars} characters. */
    public static Compact parse(String jwt, int maxChars) throws EarException {
        if (jwt.length() > maxChars) {
            throw new EarException(Reason.TOO_LARGE, "", jwt.length() + " characters, at most " + maxChars + " allowed");
        }
        int d1 = jwt.indexOf('.');
        int d2 = d1 < 0 ? -1 : jwt.indexOf('.', d1 + 1);
        if (d1 < 0 || d2 < 0 || jwt.indexOf('.', d2 + 1) >= 0) {
            throw new EarException(Reason.MALFORMED_JWS, "", "not three dot-separated parts (JWE and JSON serializations are not accepted)");
        }
        String h64 = jwt.substring(0, d1);
        String p64 = jwt.substring(d1 + 1, d2);
        String s64 = jwt.substring(d2 + 1);
        byte[] header = part(h64, "header");
        byte[] payload = part(p64, "payload");
        byte[] sig = part(s64, "signature");
        if (header.length > MAX_HEADER_BYTES) {
            throw new EarException(Reason.BAD_HEADER, "", "header larger than " + MAX_HEADER_BYTES + " bytes");
        }
        Node h;
        try {
            h = StrictJson.parse(header, MAX_HEADER_BYTES);
        } catch (EarException e) {
            throw new EarException(Reason.BAD_HEADER, e.path(), "header is not strict JSON: " + e.getMessage(), e);
        }
        if (!(h instanceof Node.Obj obj)) {
            throw new EarException(Reason.BAD_HEADER, "", "header is not a JSON object");
        }
        Map<String, Node> m = obj.members();
        for (String forbidden : new String[] {"crit", "b64", "cty", "zip", "enc"}) {
            if (m.containsKey(forbidden)) {
                throw new EarException(Reason.BAD_HEADER, forbidden, "header parameter not supported here");
            }
        }
        String alg = headerString(m, "alg").orElseThrow(() -> new EarException(Reason.BAD_HEADER, "alg", "alg missing"));
        Optional<String> typ = headerString(m, "typ");
        Optional<String> kid = headerString(m, "kid");
        byte[] input = (h64 + "." + p64).getBytes(StandardCharsets.US_ASCII);
        return new Compact(alg, typ, kid, input, payload, sig);
    }

    /**
     * A JCA signature for {@code alg} that reads and writes JWS's fixed-length form: from
     * {@code provider} by the JDK's names ({@link JwsAlgorithm#jcaName}), or else from the SDK's
     * Bouncy Castle instance ({@link Crypto#DEFAULT_PROVIDER}) by its names for the same
     * algorithms (BSI TR-03111 "PLAIN-ECDSA" is ECDSA with r and s as fixed-length integers,
     * RFC 7518 §3.4). The JDK's own SunEC signs P-256 several times slower (see
     * {@code BENCHMARKS.md}).
     */
    private static Signature signature(JwsAlgorithm alg, Optional<Provider> provider) throws GeneralSecurityException {
        if (provider.isPresent()) {
            return Signature.getInstance(alg.jcaName(), provider.get());
        }
        return Signature.getInstance(switch (alg) {
            case ES256 -> "SHA256withPLAIN-ECDSA";
            case ES384 -> "SHA384withPLAIN-ECDSA";
            case EDDSA -> "Ed25519";
        }, Crypto.DEFAULT_PROVIDER);
    }

    /** True if {@code sig} is a valid {@code alg} signature over {@code input}; false on any failure. */
    public static boolean verify(JwsAlgorithm alg, PublicKey key, byte[] input, byte[] sig, Optional<Provider> provider) {
        if (sig.length != alg.signatureLength()) {
            return false;
        }
        try {
            Signature s = signature(alg, provider);
            s.initVerify(key);
            s.update(input);
            return s.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            // A malformed signature or a provider refusing the key is a failed verification, not a crash.
            return false;
        }
    }

    private static byte[] rawSign(byte[] input, JwsAlgorithm alg, PrivateKey key, Optional<Provider> provider)
            throws EarException {
        try {
            Signature s = signature(alg, provider);
            s.initSign(key);
            s.update(input);
            byte[] sig = s.sign();
            if (sig.length != alg.signatureLength()) {
                throw new EarException(Reason.CRYPTO_FAILURE, "", "provider returned a " + sig.length + "-byte signature");
            }
            return sig;
        } catch (GeneralSecurityException e) {
            throw new EarException(Reason.CRYPTO_FAILURE, "", alg.joseName() + " signing failed: " + e.getMessage(), e);
        }
    }

    private static byte[] part(String s, String what) throws EarException {
        if (s.isEmpty()) {
            throw new EarException(Reason.MALFORMED_JWS, "", "empty " + what);
        }
        return Base64Url.decode(s).orElseThrow(() -> new EarException(Reason.MALFORMED_JWS, "",
                what + " is not canonical unpadded base64url"));
    }

    private static Optional<String> headerString(Map<String, Node> m, String name) throws EarException {
        Node n = m.get(name);
        if (n == null) {
            return Optional.empty();
        }
        if (n instanceof Node.Str s) {
            return Optional.of(s.value());
        }
        throw new EarException(Reason.BAD_HEADER, name, name + " is not a string");
    }
}
