package dev.attest.evidence;

import static dev.attest.evidence.EatProfile.*;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.evidence.EvidenceException.Reason;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed COSE_Sign1 (RFC 9052 §4.2) with its headers checked against the strict evidence
 * rules: {@code alg} protected and allowed, no unknown critical header, no label in both
 * buckets, a payload present. The signature is not checked here.
 */
final class CoseSign1 {
    final byte[] protectedBytes;
    final Cbor.Map protectedHeader;
    final Cbor.Map unprotectedHeader;
    final byte[] payload;
    final byte[] signature;
    final SignatureAlgorithm algorithm;
    final Optional<KeyId> keyId;
    final List<X509Certificate> x5chain;

    private CoseSign1(byte[] protectedBytes, Cbor.Map protectedHeader, Cbor.Map unprotectedHeader, byte[] payload,
            byte[] signature, SignatureAlgorithm algorithm, Optional<KeyId> keyId, List<X509Certificate> x5chain) {
        this.protectedBytes = protectedBytes;
        this.protectedHeader = protectedHeader;
        this.unprotectedHeader = unprotectedHeader;
        this.payload = payload;
        this.signature = signature;
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.x5chain = x5chain;
    }

    /** The Sig_structure for Signature1 (RFC 9052 §4.4). */
    static byte[] toBeSigned(byte[] protectedBytes, byte[] externalAad, byte[] payload) {
        // ["Signature1", protected, external_aad, payload] written straight into one array: the
        // payload is most of it and is copied once (a tree would copy it three times).
        byte[][] parts = {SIG_STRUCTURE_PREFIX, CborEncoder.head(2, protectedBytes.length), protectedBytes,
                CborEncoder.head(2, externalAad.length), externalAad, CborEncoder.head(2, payload.length), payload};
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * Feeds {@code md} exactly the bytes of {@link #toBeSigned}{@code (protectedBytes, empty,
     * payload)}, without building them.
     */
    static void updateToBeSigned(java.security.MessageDigest md, byte[] protectedBytes, byte[] payload) {
        md.update(SIG_STRUCTURE_PREFIX);
        md.update(CborEncoder.head(2, protectedBytes.length));
        md.update(protectedBytes);
        md.update(CborEncoder.head(2, 0));
        md.update(CborEncoder.head(2, payload.length));
        md.update(payload);
    }

    /** The array head of a Sig_structure for Signature1 and its context string. */
    private static final byte[] SIG_STRUCTURE_PREFIX = concat(CborEncoder.head(4, 4),
            CborEncoder.encode(new Cbor.Text("Signature1")));

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Signs {@code payload} and returns the tagged COSE_Sign1 (optionally inside a CWT tag). */
    static byte[] sign(Signer signer, byte[] payload, List<X509Certificate> x5chain, boolean cwtTag)
            throws GeneralSecurityException {
        Cbor.MapBuilder ph = Cbor.map().put(HEADER_ALG, Cbor.of(signer.algorithm().coseId()));
        signer.keyId().ifPresent(k -> ph.put(HEADER_KID, Cbor.of(k.value())));
        if (x5chain.size() == 1) {
            ph.put(HEADER_X5CHAIN, Cbor.of(x5chain.get(0).getEncoded()));
        } else if (x5chain.size() > 1) {
            List<Cbor> certs = new ArrayList<>();
            for (X509Certificate c : x5chain) {
                certs.add(Cbor.of(c.getEncoded()));
            }
            ph.put(HEADER_X5CHAIN, new Cbor.Array(certs));
        }
        byte[] protectedBytes = CborEncoder.encode(ph.build());
        byte[] sig = signer.sign(toBeSigned(protectedBytes, new byte[0], payload));
        Cbor sign1 = new Cbor.Tag(TAG_COSE_SIGN1, Cbor.Array.of(Cbor.of(protectedBytes), Cbor.map().build(),
                Cbor.of(payload), Cbor.of(sig)));
        return CborEncoder.encode(cwtTag ? new Cbor.Tag(TAG_CWT, sign1) : sign1);
    }

    /** Parses {@code token}; the item must span all of it. */
    static CoseSign1 parse(byte[] token, int maxBytes, int maxDepth) throws EvidenceException {
        if (token.length > maxBytes) {
            throw new EvidenceException(Reason.TOO_LARGE, token.length + " bytes, limit " + maxBytes);
        }
        Cbor item = decode(CborDecoder.lenient(maxBytes, maxDepth, maxBytes), token, "token");
        if (item instanceof Cbor.Tag t && t.tag() == TAG_CWT) {
            item = t.content();
        }
        if (item instanceof Cbor.Tag t) {
            if (t.tag() != TAG_COSE_SIGN1) {
                throw new EvidenceException(Reason.NOT_COSE_SIGN1, "tag " + t.tag() + " is not COSE_Sign1 (18)");
            }
            item = t.content();
        }
        if (!(item instanceof Cbor.Array a) || a.size() != 4) {
            throw new EvidenceException(Reason.NOT_COSE_SIGN1, "a COSE_Sign1 is an array of four items");
        }
        if (!(a.get(0) instanceof Cbor.Bytes pb)) {
            throw new EvidenceException(Reason.NOT_COSE_SIGN1, "the protected header must be a byte string");
        }
        if (!(a.get(1) instanceof Cbor.Map uh)) {
            throw new EvidenceException(Reason.NOT_COSE_SIGN1, "the unprotected header must be a map");
        }
        if (a.get(2) == Cbor.Simple.NULL) {
            throw new EvidenceException(Reason.NO_PAYLOAD, "detached payloads are not evidence");
        }
        if (!(a.get(2) instanceof Cbor.Bytes payload)) {
            throw new EvidenceException(Reason.NOT_COSE_SIGN1, "the payload must be a byte string");
        }
        if (!(a.get(3) instanceof Cbor.Bytes sig)) {
            throw new EvidenceException(Reason.NOT_COSE_SIGN1, "the signature must be a byte string");
        }
        byte[] protectedBytes = pb.value();
        Cbor.Map ph;
        if (protectedBytes.length == 0) {
            ph = Cbor.map().build();
        } else if (decode(CborDecoder.lenient(maxBytes, maxDepth, maxBytes), protectedBytes, "protected header")
                instanceof Cbor.Map m) {
            ph = m;
        } else {
            throw new EvidenceException(Reason.BAD_HEADER, "the protected header must encode a map");
        }
        // The unprotected labels by value, so that a label in both buckets is found in log time
        // whatever the header sizes (a lookup per label would be quadratic).
        java.util.Set<java.nio.ByteBuffer> unprotectedLabels = new java.util.HashSet<>();
        for (Cbor.Entry e : uh.entries()) {
            unprotectedLabels.add(CborEncoder.identity(e.key()));
        }
        for (Cbor.Entry e : ph.entries()) {
            checkLabel(e.key());
            if (unprotectedLabels.contains(CborEncoder.identity(e.key()))) {
                Reason r = e.key().equals(new Cbor.Int(HEADER_ALG)) ? Reason.ALG_UNPROTECTED : Reason.BAD_HEADER;
                throw new EvidenceException(r, "header " + e.key() + " is in both the protected and unprotected header");
            }
        }
        for (Cbor.Entry e : uh.entries()) {
            checkLabel(e.key());
        }
        if (uh.get(HEADER_ALG).isPresent()) {
            throw new EvidenceException(Reason.ALG_UNPROTECTED, "alg must be in the protected header");
        }
        if (uh.get(HEADER_CRIT).isPresent()) {
            throw new EvidenceException(Reason.UNKNOWN_CRITICAL_HEADER, "crit must be in the protected header");
        }
        Optional<Cbor> crit = ph.get(HEADER_CRIT);
        if (crit.isPresent()) {
            // This profile understands no extension headers, so any critical label is unknown.
            throw new EvidenceException(Reason.UNKNOWN_CRITICAL_HEADER, "critical headers " + crit.get()
                    + " are not understood");
        }
        Cbor alg = ph.get(HEADER_ALG).orElseThrow(() -> new EvidenceException(Reason.ALG_MISSING,
                "the protected header has no alg"));
        if (!(alg instanceof Cbor.Int algId)) {
            throw new EvidenceException(Reason.ALG_NOT_ALLOWED, "alg " + alg + " is not allowed");
        }
        SignatureAlgorithm algorithm = SignatureAlgorithm.byCoseId(algId.value()).orElseThrow(
                () -> new EvidenceException(Reason.ALG_NOT_ALLOWED, "alg " + algId.value() + " is not allowed"));
        Optional<KeyId> kid = Optional.empty();
        Optional<Cbor> kidItem = ph.get(HEADER_KID).or(() -> uh.get(HEADER_KID));
        if (kidItem.isPresent()) {
            if (!(kidItem.get() instanceof Cbor.Bytes kb) || kb.length() == 0 || kb.length() > KeyId.MAX_LENGTH) {
                throw new EvidenceException(Reason.BAD_HEADER, "kid must be a byte string of 1.." + KeyId.MAX_LENGTH);
            }
            kid = Optional.of(KeyId.of(kb.value()));
        }
        List<X509Certificate> x5chain = x5chain(ph.get(HEADER_X5CHAIN).or(() -> uh.get(HEADER_X5CHAIN)));
        // The tree is this method's own: its payload array is taken as it is (6.6 kB copied per token otherwise).
        return new CoseSign1(protectedBytes, ph, uh, payload.unsafeValue(), sig.value(), algorithm, kid, x5chain);
    }

    private static void checkLabel(Cbor label) throws EvidenceException {
        if (!(label instanceof Cbor.Int) && !(label instanceof Cbor.Text)) {
            throw new EvidenceException(Reason.BAD_HEADER, "header labels are integers or text, found " + label);
        }
    }

    private static List<X509Certificate> x5chain(Optional<Cbor> item) throws EvidenceException {
        if (item.isEmpty()) {
            return List.of();
        }
        List<Cbor> certs = item.get() instanceof Cbor.Array a ? a.items() : List.of(item.get());
        if (certs.isEmpty()) {
            throw new EvidenceException(Reason.BAD_CERTIFICATE, "x5chain is empty");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509", dev.attest.evidence.internal.Crypto.DEFAULT_PROVIDER);
            for (Cbor c : certs) {
                if (!(c instanceof Cbor.Bytes b)) {
                    throw new EvidenceException(Reason.BAD_CERTIFICATE, "x5chain entries are byte strings");
                }
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.value())));
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new EvidenceException(Reason.BAD_CERTIFICATE, "x5chain holds an unreadable certificate");
        }
        return out;
    }

    static Cbor decode(CborDecoder decoder, byte[] bytes, String what) throws EvidenceException {
        try {
            return decoder.decode(bytes);
        } catch (CborException e) {
            throw refusal(e, what);
        }
    }

    /** {@link #decode} without building the item (see {@link CborDecoder#validate}). */
    static void validate(CborDecoder decoder, byte[] bytes, String what) throws EvidenceException {
        try {
            decoder.validate(bytes);
        } catch (CborException e) {
            throw refusal(e, what);
        }
    }

    private static EvidenceException refusal(CborException e, String what) {
        Reason r = switch (e.reason()) {
            case TOO_LARGE -> Reason.TOO_LARGE;
            case TOO_DEEP, TOO_MANY_ITEMS -> Reason.TOO_DEEP;
            case TRAILING_BYTES -> Reason.TRAILING_BYTES;
            case DUPLICATE_KEY -> Reason.DUPLICATE_KEY;
            default -> Reason.MALFORMED_CBOR;
        };
        return new EvidenceException(r, what + ": " + e.getMessage(), e);
    }
}
