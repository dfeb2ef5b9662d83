package dev.attest.verify.corim;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.corim.CorimException.Reason;
import dev.attest.verify.corim.internal.CorimReader;
import dev.attest.verify.corim.internal.CorimWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decodes CoRIMs (draft-ietf-rats-corim §4) strictly: an unsigned CoRIM ({@code #6.501}) only
 * when {@link Builder#allowUnsigned()} was asked for, a signed one (COSE_Sign1, {@code #6.18},
 * RFC 9052 §4.2, with content type {@code application/rim+cbor} and the CoRIM meta in protected
 * header label 8) only when its signature verifies with one of the configured signer keys,
 * under that key's algorithm, and only within the signature validity and the CoRIM's own
 * validity at the decoder's clock ({@code crit} and the CWT claims header, label 15, are
 * refused; other headers are signed over but not used). Every CBOR encoding is bounded (size, depth, items) and
 * every field is checked against the CDDL; anything else is a {@link CorimException} with a
 * reason and a path. Thread-safe and immutable.
 *
 * <pre>{@code
 * CorimDecoder decoder = CorimDecoder.builder().signer(supplierKey).build();
 * Corim corim = decoder.decode(Files.readAllBytes(path));
 * }</pre>
 */
public final class CorimDecoder {
    /** The COSE header label of the CoRIM meta (draft-ietf-rats-corim §4.2.1). */
    public static final long HEADER_CORIM_META = 8;
    /** The content type a signed CoRIM's protected header must carry. */
    public static final String CONTENT_TYPE = "application/rim+cbor";
    /** The default limit on the input (and on each nested encoding), in bytes. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    static final int MAX_DEPTH = 32;
    private static final long TAG_COSE_SIGN1 = 18;
    private static final long HEADER_CWT_CLAIMS = 15;

    private final List<VerificationKey> signers;
    private final boolean allowUnsigned;
    private final Clock clock;
    private final int maxBytes;
    private final CorimReader reader;

    private CorimDecoder(Builder b) {
        this.signers = List.copyOf(b.signers);
        this.allowUnsigned = b.allowUnsigned;
        this.clock = b.clock;
        this.maxBytes = b.maxBytes;
        this.reader = new CorimReader(b.maxBytes, MAX_DEPTH);
    }

    /**
     * A new builder: no signer, unsigned CoRIMs refused, the system clock, 1 MiB.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decodes a CoRIM, signed or unsigned (see the class comment for what is accepted).
     *
     * @param input the encoded CoRIM
     * @return the CoRIM
     * @throws CorimException with the reason and path of the first thing wrong
     */
    public Corim decode(byte[] input) throws CorimException {
        Objects.requireNonNull(input, "input");
        if (input.length > maxBytes) {
            throw new CorimException(Reason.TOO_LARGE, "", input.length + " bytes, limit " + maxBytes);
        }
        Cbor item = reader.decodeCbor(input, "");
        if (item instanceof Cbor.Tag t && t.tag() == TAG_COSE_SIGN1) {
            return signed(t.content());
        }
        if (item instanceof Cbor.Tag t && t.tag() == CorimReader.TAG_CORIM) {
            if (!allowUnsigned) {
                throw new CorimException(Reason.UNSIGNED, "", "an unsigned CoRIM, and unsigned CoRIMs are not allowed");
            }
            Corim c = reader.corim(item, "");
            checkValidity(c.validity(), "/4");
            return c;
        }
        throw new CorimException(Reason.NOT_A_CORIM, "", "neither a signed CoRIM (tag 18) nor an unsigned one (tag 501)");
    }

    /**
     * Decodes a single CoMID tag: the {@code concise-mid-tag} map, bare or as tag 506 on its
     * encoding. No signature is involved; the caller vouches for where it came from.
     *
     * @param input the encoded CoMID
     * @return the CoMID
     * @throws CorimException with the reason and path of the first thing wrong
     */
    public Comid decodeComid(byte[] input) throws CorimException {
        Objects.requireNonNull(input, "input");
        if (input.length > maxBytes) {
            throw new CorimException(Reason.TOO_LARGE, "", input.length + " bytes, limit " + maxBytes);
        }
        Cbor item = reader.decodeCbor(input, "");
        if (item instanceof Cbor.Tag t) {
            if (t.tag() != CorimReader.TAG_COMID) {
                throw new CorimException(Reason.UNKNOWN_TAG, "", "tag " + t.tag() + " is not a CoMID (506)");
            }
            if (!(t.content() instanceof Cbor.Bytes b)) {
                throw new CorimException(Reason.WRONG_TYPE, "", "a tagged CoMID is a byte string");
            }
            item = reader.decodeCbor(b.value(), "");
        }
        return reader.comid(item, "");
    }

    private Corim signed(Cbor content) throws CorimException {
        if (!(content instanceof Cbor.Array a) || a.size() != 4) {
            throw new CorimException(Reason.NOT_A_CORIM, "", "a COSE_Sign1 is an array of four items");
        }
        if (!(a.get(0) instanceof Cbor.Bytes pb) || !(a.get(1) instanceof Cbor.Map uh)
                || !(a.get(3) instanceof Cbor.Bytes sig)) {
            throw new CorimException(Reason.NOT_A_CORIM, "", "a COSE_Sign1 is [bstr, map, bstr / nil, bstr]");
        }
        if (!(a.get(2) instanceof Cbor.Bytes payload)) {
            throw new CorimException(Reason.NOT_A_CORIM, "/2", a.get(2) == Cbor.Simple.NULL
                    ? "a detached payload is not supported" : "the payload is a byte string");
        }
        if (!(reader.decodeCbor(pb.value(), "/0") instanceof Cbor.Map ph)) {
            throw new CorimException(Reason.BAD_HEADER, "/0", "the protected header encodes a map");
        }
        for (Cbor.Entry e : uh.entries()) {
            if (e.key().equals(Cbor.of(1)) || e.key().equals(Cbor.of(2)) || e.key().equals(Cbor.of(3))
                    || e.key().equals(Cbor.of(HEADER_CORIM_META))) {
                throw new CorimException(Reason.BAD_HEADER, "/1/" + label(e.key()), "header " + label(e.key())
                        + " belongs in the protected header");
            }
            if (ph.get(e.key()).isPresent()) {
                throw new CorimException(Reason.BAD_HEADER, "/1/" + label(e.key()), "header " + label(e.key())
                        + " in both buckets");
            }
        }
        if (ph.get(2).isPresent()) {
            throw new CorimException(Reason.BAD_HEADER, "/0/2", "critical headers are not understood");
        }
        if (ph.get(HEADER_CWT_CLAIMS).isPresent() || uh.get(HEADER_CWT_CLAIMS).isPresent()) {
            // newer drafts put the issuer and a validity here, which this decoder would not check
            throw new CorimException(Reason.BAD_HEADER, "/0/15", "CWT claims (label 15) are not supported");
        }
        Cbor alg = ph.get(1).orElseThrow(() -> new CorimException(Reason.ALG_NOT_ALLOWED, "/0/1", "no alg"));
        SignatureAlgorithm algorithm = alg instanceof Cbor.Int i ? SignatureAlgorithm.byCoseId(i.value()).orElse(null) : null;
        if (algorithm == null) {
            throw new CorimException(Reason.ALG_NOT_ALLOWED, "/0/1", "alg " + label(alg) + " is not allowed");
        }
        Cbor ct = ph.get(3).orElseThrow(() -> new CorimException(Reason.BAD_HEADER, "/0/3", "no content type"));
        if (!ct.equals(Cbor.of(CONTENT_TYPE))) {
            throw new CorimException(Reason.BAD_HEADER, "/0/3", "content type " + ct + ", expected " + CONTENT_TYPE);
        }
        Optional<Octets> kid = Optional.empty();
        Optional<Cbor> kidItem = ph.get(4).or(() -> uh.get(4));
        if (kidItem.isPresent()) {
            if (!(kidItem.get() instanceof Cbor.Bytes kb)) {
                throw new CorimException(Reason.BAD_HEADER, "/0/4", "kid is a byte string");
            }
            kid = Optional.of(Octets.of(kb.value()));
        }
        Cbor metaBytes = ph.get(HEADER_CORIM_META).orElseThrow(() -> new CorimException(Reason.BAD_HEADER, "/0/8",
                "no CoRIM meta (label 8)"));
        if (!(metaBytes instanceof Cbor.Bytes mb)) {
            throw new CorimException(Reason.BAD_HEADER, "/0/8", "the CoRIM meta is a byte string");
        }
        Corim.Signature meta = meta(reader.decodeCbor(mb.value(), "/0/8"), algorithm, kid);
        byte[] toBeSigned = CorimWriter.toBeSigned(pb.value(), payload.value());
        if (signers.isEmpty()) {
            throw new CorimException(Reason.BAD_SIGNATURE, "/3", "a signed CoRIM, and no signer key is configured");
        }
        boolean algorithmKnown = false;
        boolean verified = false;
        for (VerificationKey k : signers) {
            if (k.algorithm() == algorithm) {
                algorithmKnown = true;
                verified |= k.verify(toBeSigned, sig.value());
            }
        }
        if (!algorithmKnown) {
            throw new CorimException(Reason.ALG_NOT_ALLOWED, "/0/1", "no configured signer key is for " + algorithm);
        }
        if (!verified) {
            throw new CorimException(Reason.BAD_SIGNATURE, "/3", "the signature does not verify with a configured key");
        }
        checkValidity(meta.validity(), "/0/8/1");
        Corim c = reader.corim(reader.decodeCbor(payload.value(), "/2"), "/2");
        checkValidity(c.validity(), "/2/4");
        return c.signed(meta);
    }

    private Corim.Signature meta(Cbor item, SignatureAlgorithm algorithm, Optional<Octets> kid) throws CorimException {
        if (!(item instanceof Cbor.Map m)) {
            throw new CorimException(Reason.WRONG_TYPE, "/0/8", "the CoRIM meta is a map");
        }
        Cbor signer = null;
        Cbor validity = null;
        for (Cbor.Entry e : m.entries()) {
            if (e.key().equals(Cbor.of(0))) {
                signer = e.value();
            } else if (e.key().equals(Cbor.of(1))) {
                validity = e.value();
            } else {
                throw new CorimException(Reason.UNKNOWN_KEY, "/0/8/" + label(e.key()), "key " + label(e.key())
                        + " is not defined here");
            }
        }
        if (signer == null) {
            throw new CorimException(Reason.MISSING_FIELD, "/0/8/0", "the CoRIM meta names no signer");
        }
        if (!(signer instanceof Cbor.Map sm)) {
            throw new CorimException(Reason.WRONG_TYPE, "/0/8/0", "the signer is a map");
        }
        String name = null;
        Optional<String> uri = Optional.empty();
        for (Cbor.Entry e : sm.entries()) {
            String at = "/0/8/0/" + label(e.key());
            if (e.key().equals(Cbor.of(0))) {
                if (!(e.value() instanceof Cbor.Text t)) {
                    throw new CorimException(Reason.WRONG_TYPE, at, "the signer name is text");
                }
                name = t.value();
            } else if (e.key().equals(Cbor.of(1))) {
                if (!(e.value() instanceof Cbor.Tag t) || t.tag() != 32 || !(t.content() instanceof Cbor.Text u)) {
                    throw new CorimException(Reason.WRONG_TYPE, at, "the signer URI is tag 32 on text");
                }
                uri = Optional.of(u.value());
            } else if (!(e.key() instanceof Cbor.Int k && k.value() < 0)) {
                throw new CorimException(Reason.UNKNOWN_KEY, at, "key " + label(e.key()) + " is not defined here");
            }
        }
        if (name == null) {
            throw new CorimException(Reason.MISSING_FIELD, "/0/8/0/0", "the signer has no name");
        }
        Optional<Corim.Validity> v = validity == null ? Optional.empty() : Optional.of(reader.validity(validity, "/0/8/1"));
        return new Corim.Signature(algorithm, kid, name, uri, v);
    }

    /** A map key as a path element: an integer in decimal, anything else in CBOR diagnostic form. */
    private static String label(Cbor key) {
        return key instanceof Cbor.Int i ? Long.toString(i.value()) : key.toString();
    }

    private void checkValidity(Optional<Corim.Validity> validity, String path) throws CorimException {
        if (validity.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Corim.Validity v = validity.get();
        if (v.notBefore().isPresent() && now.isBefore(v.notBefore().get())) {
            throw new CorimException(Reason.NOT_YET_VALID, path, "valid from " + v.notBefore().get() + ", now " + now);
        }
        if (now.isAfter(v.notAfter())) {
            throw new CorimException(Reason.EXPIRED, path, "valid until " + v.notAfter() + ", now " + now);
        }
    }

    /** Builds a {@link CorimDecoder}. */
    public static final class Builder {
        private final List<VerificationKey> signers = new ArrayList<>();
        private boolean allowUnsigned;
        private Clock clock = Clock.systemUTC();
        private int maxBytes = DEFAULT_MAX_BYTES;

        private Builder() {
        }

        /**
         * Accepts CoRIMs signed with {@code key} (under its algorithm); may be called for several keys.
         *
         * @param key the key
         * @return this builder
         */
        public Builder signer(VerificationKey key) {
            signers.add(Objects.requireNonNull(key, "key"));
            return this;
        }

        /**
         * Accepts unsigned CoRIMs (tag 501): for CoRIMs whose origin the caller vouches for.
         *
         * @return this builder
         */
        public Builder allowUnsigned() {
            this.allowUnsigned = true;
            return this;
        }

        /**
         * The clock validity periods are checked at.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The limit on the input and on each nested encoding, in bytes (at least 64).
         *
         * @param maxBytes the limit in bytes
         * @return this builder
         */
        public Builder maxBytes(int maxBytes) {
            if (maxBytes < 64) {
                throw new IllegalArgumentException("maxBytes below 64");
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * The decoder.
         *
         * @return the decoder
         */
        public CorimDecoder build() {
            return new CorimDecoder(this);
        }
    }
}
