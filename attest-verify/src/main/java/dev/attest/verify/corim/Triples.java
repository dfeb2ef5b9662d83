package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;

/**
 * The triples of a CoMID ({@code triples-map}, draft-ietf-rats-corim §5.1.4). Reference-value,
 * endorsed-value, identity and attest-key triples are decoded; the others (dependency,
 * membership, CoSWID, conditional endorsement and series triples, and extension triples) are
 * kept as their deterministic CBOR encoding under their key (in the encoder's key order), so
 * that nothing is silently dropped. At least one kind is present.
 *
 * @param referenceValues reference-value triples (key 0)
 * @param endorsedValues endorsed-value triples (key 1)
 * @param identities identity triples (key 2)
 * @param attestKeys attest-key triples (key 3)
 * @param others the other triples, by key
 */
public record Triples(List<ReferenceValueTriple> referenceValues, List<EndorsedValueTriple> endorsedValues,
        List<IdentityTriple> identities, List<AttestKeyTriple> attestKeys, List<Other> others) {
    /**
     * Validates that there is at least one triple.
     *
     * @param referenceValues reference-value triples (key 0)
     * @param endorsedValues endorsed-value triples (key 1)
     * @param identities identity triples (key 2)
     * @param attestKeys attest-key triples (key 3)
     * @param others the other triples, by key
     */
    public Triples {
        referenceValues = List.copyOf(referenceValues);
        endorsedValues = List.copyOf(endorsedValues);
        identities = List.copyOf(identities);
        attestKeys = List.copyOf(attestKeys);
        List<Other> sorted = new java.util.ArrayList<>(others);
        sorted.sort(java.util.Comparator.comparing(Other::key, Extension.KEY_ORDER));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).key() == sorted.get(i - 1).key()) {
                throw new IllegalArgumentException("triples " + sorted.get(i).key() + " twice");
            }
        }
        others = List.copyOf(sorted);
        if (referenceValues.isEmpty() && endorsedValues.isEmpty() && identities.isEmpty() && attestKeys.isEmpty()
                && others.isEmpty()) {
            throw new IllegalArgumentException("a triples map is not empty");
        }
    }

    /**
     * Only reference-value triples.
     *
     * @param referenceValues the reference-value triples
     * @return the triples
     */
    public static Triples of(List<ReferenceValueTriple> referenceValues) {
        return new Triples(referenceValues, List.of(), List.of(), List.of(), List.of());
    }

    /**
     * Triples this SDK keeps but does not interpret.
     *
     * @param key the triples-map key (4 dependency, 5 membership, 6 CoSWID, 8 conditional
     *     endorsement series, 10 conditional endorsement, negative: extension)
     * @param value the deterministic CBOR encoding of the value (an array of triples)
     */
    public record Other(long key, Octets value) {
        /**
         * Validates the parts.
         *
         * @param key the triples-map key (4 dependency, 5 membership, 6 CoSWID, 8 conditional endorsement
         *     series, 10 conditional endorsement, negative: extension)
         * @param value the deterministic CBOR encoding of the value (an array of triples)
         */
        public Other {
            Objects.requireNonNull(value, "value");
        }
    }
}
