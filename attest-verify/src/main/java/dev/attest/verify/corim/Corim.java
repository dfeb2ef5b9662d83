package dev.attest.verify.corim;

import dev.attest.evidence.SignatureAlgorithm;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A CoRIM ({@code corim-map}, draft-ietf-rats-corim §4): its id, its CoMID tags, the other tags
 * it carries (CoSWID, CoTL: kept, not interpreted), the RIMs it depends on, its profile,
 * validity and entities; and, for a signed CoRIM, what its COSE_Sign1 said about the signer.
 * Decode one with {@link CorimDecoder}, write one with {@link CorimEncoder}.
 *
 * @param id the CoRIM id (key 0)
 * @param comids the CoMID tags (tag 506 in key 1), in order
 * @param otherTags the other tags of key 1 (CoSWID 505, CoTL 508), in order
 * @param dependentRims the dependent RIMs (key 2); empty if absent
 * @param profile the profile (key 3), if given
 * @param validity the CoRIM's own validity (key 4), if given
 * @param entities the entities (key 5); empty if absent
 * @param extensions extension fields (negative keys), in the encoder's key order
 * @param signature for a signed CoRIM, the signer and signature validity; empty if unsigned
 */
public record Corim(Identifier id, List<Comid> comids, List<OtherTag> otherTags, List<Locator> dependentRims,
        Optional<Profile> profile, Optional<Validity> validity, List<Entity> entities, List<Extension> extensions,
        Optional<Signature> signature) {
    /**
     * Validates the parts.
     *
     * @param id the CoRIM id (key 0)
     * @param comids the CoMID tags (tag 506 in key 1), in order
     * @param otherTags the other tags of key 1 (CoSWID 505, CoTL 508), in order
     * @param dependentRims the dependent RIMs (key 2); empty if absent
     * @param profile the profile (key 3), if given
     * @param validity the CoRIM's own validity (key 4), if given
     * @param entities the entities (key 5); empty if absent
     * @param extensions extension fields (negative keys), in the encoder's key order
     * @param signature for a signed CoRIM, the signer and signature validity; empty if unsigned
     */
    public Corim {
        Objects.requireNonNull(id, "id");
        comids = List.copyOf(comids);
        otherTags = List.copyOf(otherTags);
        dependentRims = List.copyOf(dependentRims);
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(validity, "validity");
        entities = List.copyOf(entities);
        extensions = Extension.canonical(extensions);
        Objects.requireNonNull(signature, "signature");
        if (comids.isEmpty() && otherTags.isEmpty()) {
            throw new IllegalArgumentException("a CoRIM carries at least one tag");
        }
    }

    /**
     * An unsigned CoRIM with only an id, CoMIDs and a profile.
     *
     * @param id the CoRIM id
     * @param comids the CoMIDs
     * @param profile the profile, or empty
     * @return the CoRIM
     */
    public static Corim of(Identifier id, List<Comid> comids, Optional<Profile> profile) {
        return new Corim(id, comids, List.of(), List.of(), profile, Optional.empty(), List.of(), List.of(),
                Optional.empty());
    }

    /** This CoRIM with {@code signature} (what a signed CoRIM's header said), for the decoder. */
    Corim signed(Signature s) {
        return new Corim(id, comids, otherTags, dependentRims, profile, validity, entities, extensions, Optional.of(s));
    }

    /**
     * A tag this SDK keeps but does not interpret.
     *
     * @param tag the CBOR tag (505 CoSWID, 508 CoTL)
     * @param content the tag's byte-string content (the encoded tag)
     */
    public record OtherTag(long tag, Octets content) {
        /**
         * Validates the parts.
         *
         * @param tag the CBOR tag (505 CoSWID, 508 CoTL)
         * @param content the tag's byte-string content (the encoded tag)
         */
        public OtherTag {
            Objects.requireNonNull(content, "content");
        }
    }

    /**
     * A CoRIM profile: a URI (tag 32) or an OID (tag 111).
     *
     * @param uri the URI, or empty for an OID
     * @param oid the OID's content bytes, or empty for a URI
     */
    public record Profile(String uri, Octets oid) {
        /**
         * Validates that exactly one part is set.
         *
         * @param uri the URI, or empty for an OID
         * @param oid the OID's content bytes, or empty for a URI
         */
        public Profile {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(oid, "oid");
            if (uri.isEmpty() == oid.isEmpty()) {
                throw new IllegalArgumentException("a profile is a URI or an OID");
            }
        }

        /**
         * A URI profile.
         *
         * @param uri the profile URI
         * @return the profile
         */
        public static Profile uri(String uri) {
            return new Profile(uri, Octets.empty());
        }
    }

    /**
     * A validity period ({@code validity-map}).
     *
     * @param notBefore the start, if given
     * @param notAfter the end
     */
    public record Validity(Optional<Instant> notBefore, Instant notAfter) {
        /**
         * Validates the parts.
         *
         * @param notBefore the start, if given
         * @param notAfter the end
         */
        public Validity {
            Objects.requireNonNull(notBefore, "notBefore");
            Objects.requireNonNull(notAfter, "notAfter");
        }

        /**
         * Whether {@code t} is within the period (both ends inclusive).
         *
         * @param t the time
         * @return true if {@code t} is within the period
         */
        public boolean contains(Instant t) {
            return !t.isAfter(notAfter) && notBefore.map(nb -> !t.isBefore(nb)).orElse(true);
        }
    }

    /**
     * A dependent RIM ({@code corim-locator-map}).
     *
     * @param hrefs the URIs, at least one
     * @param thumbprints digests of the RIM; empty if absent
     */
    public record Locator(List<String> hrefs, List<HashEntry> thumbprints) {
        /**
         * Validates the parts.
         *
         * @param hrefs the URIs, at least one
         * @param thumbprints digests of the RIM; empty if absent
         */
        public Locator {
            hrefs = List.copyOf(hrefs);
            thumbprints = List.copyOf(thumbprints);
            if (hrefs.isEmpty()) {
                throw new IllegalArgumentException("a locator has an href");
            }
        }
    }

    /**
     * What a signed CoRIM's COSE_Sign1 protected header said ({@code corim-meta-map}, label 8),
     * after its signature was verified with a configured key.
     *
     * @param algorithm the signature algorithm
     * @param keyId the {@code kid}, if present
     * @param signerName the signer's name
     * @param signerUri the signer's URI, if given
     * @param validity the signature validity, if given
     */
    public record Signature(SignatureAlgorithm algorithm, Optional<Octets> keyId, String signerName,
            Optional<String> signerUri, Optional<Validity> validity) {
        /**
         * Validates the parts.
         *
         * @param algorithm the signature algorithm
         * @param keyId the {@code kid}, if present
         * @param signerName the signer's name
         * @param signerUri the signer's URI, if given
         * @param validity the signature validity, if given
         */
        public Signature {
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(signerName, "signerName");
            Objects.requireNonNull(signerUri, "signerUri");
            Objects.requireNonNull(validity, "validity");
        }
    }
}
