package dev.attest.verify.corim;

import java.util.Objects;
import java.util.Optional;

/**
 * A key, certificate or their thumbprint ({@code $crypto-key-type-choice},
 * draft-ietf-rats-corim §5.1.4.1.8): what attest-key and identity triples carry, and what a
 * measurement's {@code cryptokeys} and {@code authorized-by} hold (PSA puts a component's signer
 * id here as {@link Kind#BYTES}).
 *
 * @param kind which alternative, with its CBOR tag
 * @param text the base64 / PEM text of {@link Kind#PKIX_BASE64_KEY}, {@link Kind#PKIX_BASE64_CERT}
 *     and {@link Kind#PKIX_BASE64_CERT_PATH}; empty otherwise
 * @param bytes the DER certificate ({@link Kind#PKIX_ASN1DER_CERT}), the bytes ({@link Kind#BYTES}),
 *     or the COSE_Key's deterministic CBOR encoding ({@link Kind#COSE_KEY}); empty otherwise
 * @param thumbprint the digest of the thumbprint kinds; empty otherwise
 */
public record CryptoKey(Kind kind, String text, Octets bytes, Optional<HashEntry> thumbprint) {
    /** The alternatives, each with its CBOR tag. */
    public enum Kind {
        /** {@code tagged-pkix-base64-key-type}, tag 554: a SubjectPublicKeyInfo in base64 or PEM. */
        PKIX_BASE64_KEY(554),
        /** {@code tagged-pkix-base64-cert-type}, tag 555: an X.509 certificate in base64 or PEM. */
        PKIX_BASE64_CERT(555),
        /** {@code tagged-pkix-base64-cert-path-type}, tag 556: a certificate path in base64 or PEM. */
        PKIX_BASE64_CERT_PATH(556),
        /** {@code tagged-key-thumbprint-type}, tag 557. */
        KEY_THUMBPRINT(557),
        /** {@code tagged-cose-key-type}, tag 558. */
        COSE_KEY(558),
        /** {@code tagged-cert-thumbprint-type}, tag 559. */
        CERT_THUMBPRINT(559),
        /** {@code tagged-bytes}, tag 560. */
        BYTES(560),
        /** {@code tagged-cert-path-thumbprint-type}, tag 561. */
        CERT_PATH_THUMBPRINT(561),
        /** {@code tagged-pkix-asn1der-cert-type}, tag 562. */
        PKIX_ASN1DER_CERT(562);

        private final long tag;

        Kind(long tag) {
            this.tag = tag;
        }

        /**
         * The CBOR tag of this alternative.
         *
         * @return the tag
         */
        public long tag() {
            return tag;
        }

        /**
         * The kind with CBOR tag {@code tag}, if any.
         *
         * @param tag the CBOR tag
         * @return the kind, or empty if no kind has that tag
         */
        public static Optional<Kind> byTag(long tag) {
            for (Kind k : values()) {
                if (k.tag == tag) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }

        boolean isText() {
            return this == PKIX_BASE64_KEY || this == PKIX_BASE64_CERT || this == PKIX_BASE64_CERT_PATH;
        }

        boolean isThumbprint() {
            return this == KEY_THUMBPRINT || this == CERT_THUMBPRINT || this == CERT_PATH_THUMBPRINT;
        }
    }

    /**
     * Validates that exactly the part of {@code kind} is set.
     *
     * @param kind which alternative, with its CBOR tag
     * @param text the base64 / PEM text of {@link Kind#PKIX_BASE64_KEY}, {@link Kind#PKIX_BASE64_CERT} and
     *     {@link Kind#PKIX_BASE64_CERT_PATH}; empty otherwise
     * @param bytes the DER certificate ({@link Kind#PKIX_ASN1DER_CERT}), the bytes ({@link Kind#BYTES}), or
     *     the COSE_Key's deterministic CBOR encoding ({@link Kind#COSE_KEY}); empty otherwise
     * @param thumbprint the digest of the thumbprint kinds; empty otherwise
     */
    public CryptoKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(thumbprint, "thumbprint");
        boolean ok = kind.isText() ? bytes.isEmpty() && thumbprint.isEmpty()
                : kind.isThumbprint() ? text.isEmpty() && bytes.isEmpty() && thumbprint.isPresent()
                : text.isEmpty() && thumbprint.isEmpty();
        if (!ok) {
            throw new IllegalArgumentException(kind + " carries " + (kind.isText() ? "text"
                    : kind.isThumbprint() ? "a thumbprint" : "bytes") + " only");
        }
    }

    /**
     * A key or certificate in base64 / PEM text ({@code kind} one of the PKIX base64 kinds).
     *
     * @param kind the kind
     * @param text the text
     * @return the key
     */
    public static CryptoKey text(Kind kind, String text) {
        return new CryptoKey(kind, text, Octets.empty(), Optional.empty());
    }

    /**
     * Tagged bytes, a DER certificate or a COSE_Key encoding.
     *
     * @param kind the kind
     * @param bytes the bytes
     * @return the key
     */
    public static CryptoKey bytes(Kind kind, Octets bytes) {
        return new CryptoKey(kind, "", bytes, Optional.empty());
    }

    /**
     * A thumbprint.
     *
     * @param kind the kind
     * @param digest the thumbprint digest
     * @return the key
     */
    public static CryptoKey thumbprint(Kind kind, HashEntry digest) {
        return new CryptoKey(kind, "", Octets.empty(), Optional.of(digest));
    }
}
