package dev.attest.verify.psa;

import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.verify.corim.AttestKeyTriple;
import dev.attest.verify.corim.Comid;
import dev.attest.verify.corim.Corim;
import dev.attest.verify.corim.CorimException;
import dev.attest.verify.corim.Environment;
import dev.attest.verify.corim.HashEntry;
import dev.attest.verify.corim.Octets;
import dev.attest.verify.corim.PsaCorimProfile;
import dev.attest.verify.corim.ReferenceValueTriple;
import dev.attest.evidence.VerificationKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a PSA verifier is told about devices (the endorsements of RFC 9334 §3.2): per instance id,
 * the initial attestation key that signs its tokens (and, for COSE_Mac0 tokens, a symmetric key),
 * optionally bound to one implementation id; per implementation id, the reference values of its
 * software components. A CoRIM's attest-key and reference-value triples map onto exactly this.
 * Immutable.
 */
public final class PsaEndorsements {
    /** The smallest HMAC key accepted for COSE_Mac0 tokens, in bytes. */
    public static final int MIN_MAC_KEY_BYTES = 32;

    private final Map<ByteBuffer, Instance> instances;
    private final Map<ByteBuffer, List<PsaSoftwareComponent>> references;
    /** Per implementation, the component each reference stands for (alternatives share one). */
    private final Map<ByteBuffer, int[]> groups;

    /** One instance's keys. */
    record Instance(Optional<VerificationKey> key, Optional<byte[]> macKey, Optional<ByteBuffer> implementation) {
    }

    private PsaEndorsements(Builder b) {
        this.instances = Map.copyOf(b.instances);
        Map<ByteBuffer, List<PsaSoftwareComponent>> refs = new HashMap<>();
        Map<ByteBuffer, int[]> gs = new HashMap<>();
        b.references.forEach((k, v) -> {
            refs.put(k, List.copyOf(v));
            gs.put(k, b.groups.get(k).stream().mapToInt(Integer::intValue).toArray());
        });
        this.references = Map.copyOf(refs);
        this.groups = Map.copyOf(gs);
    }

    /**
     * The endorsements in CoRIMs of the PSA endorsement profile ({@link PsaCorimProfile}): each
     * attest-key triple's key for its instance (bound to its implementation id when the triple
     * names one), and each reference-value triple's software components for its implementation
     * id, a component with several digests matching any one of them.
     *
     * @param corims the CoRIMs
     * @return the endorsements
     * @throws CorimException if a CoRIM breaks the profile or a key is unusable
     */
    public static PsaEndorsements fromCorims(List<Corim> corims) throws CorimException {
        PsaCorimProfile profile = PsaCorimProfile.of(corims);
        Builder b = builder();
        java.util.Set<Octets> instances = new java.util.LinkedHashSet<>();
        java.util.Set<Octets> implementations = new java.util.LinkedHashSet<>();
        Map<Octets, Optional<Octets>> bound = new HashMap<>();
        for (Corim c : corims) {
            for (Comid m : c.comids()) {
                for (AttestKeyTriple t : m.triples().attestKeys()) {
                    t.environment().instance().ifPresent(i -> {
                        instances.add(i.value());
                        bound.put(i.value(), t.environment().classId().map(Environment.ClassId::value));
                    });
                }
                for (ReferenceValueTriple t : m.triples().referenceValues()) {
                    t.environment().classId().ifPresent(id -> implementations.add(id.value()));
                }
            }
        }
        for (Octets i : instances) {
            VerificationKey key = profile.verificationKey(i).orElseThrow();
            Optional<Octets> impl = bound.get(i);
            if (impl.isPresent()) {
                b.instance(i.bytes(), impl.get().bytes(), key);
            } else {
                b.instance(i.bytes(), key);
            }
        }
        for (Octets impl : implementations) {
            for (PsaCorimProfile.SoftwareComponent sc : profile.softwareComponents(impl)) {
                List<PsaSoftwareComponent> alternatives = new ArrayList<>();
                for (HashEntry h : sc.digests()) {
                    alternatives.add(PsaSoftwareComponent.reference(sc.measurementType(), h.value().bytes(), sc.version(),
                            Optional.of(sc.signerId().bytes())));
                }
                b.referenceAlternatives(impl.bytes(), alternatives);
            }
        }
        return b.build();
    }

    /**
     * A builder of endorsements.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The signing key of {@code instanceId}, if it is known (and, when bound, of {@code implementationId}).
     *
     * @param instanceId the instance id
     * @param implementationId the implementation id the token claims
     * @return the key, or empty if none is known for this instance and implementation
     */
    public Optional<VerificationKey> key(byte[] instanceId, byte[] implementationId) {
        return instance(instanceId, implementationId).flatMap(Instance::key);
    }

    Optional<Instance> instance(byte[] instanceId, byte[] implementationId) {
        Instance i = instances.get(ByteBuffer.wrap(instanceId));
        if (i == null || i.implementation().filter(impl -> !impl.equals(ByteBuffer.wrap(implementationId))).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(i);
    }

    /**
     * The reference values of {@code implementationId}; empty if none are known.
     *
     * @param implementationId the implementation id
     * @return the reference components; empty if none
     */
    public List<PsaSoftwareComponent> references(byte[] implementationId) {
        return references.getOrDefault(ByteBuffer.wrap(implementationId), List.of());
    }

    /** For each of {@link #references}, the index of the component it stands for (alternatives share one). */
    int[] groups(byte[] implementationId) {
        return groups.getOrDefault(ByteBuffer.wrap(implementationId), new int[0]);
    }

    /** How many instances and implementations are known; never keys. */
    @Override
    public String toString() {
        return "PsaEndorsements[" + instances.size() + " instances, " + references.size() + " implementations]";
    }

    /** Builds {@link PsaEndorsements}. */
    public static final class Builder {
        private final Map<ByteBuffer, Instance> instances = new HashMap<>();
        private final Map<ByteBuffer, List<PsaSoftwareComponent>> references = new HashMap<>();
        private final Map<ByteBuffer, List<Integer>> groups = new HashMap<>();
        private int nextGroup;

        private Builder() {
        }

        /**
         * The attestation key of the instance {@code instanceId} (a 33-byte UEID), for tokens of any
         * implementation.
         *
         * @param instanceId the instance id, a 33-byte UEID
         * @param key the attestation key
         * @return this builder
         * @throws IllegalArgumentException if the key is not ES256, ES384 or ES512, or the instance already has a key
         */
        public Builder instance(byte[] instanceId, VerificationKey key) {
            return put(instanceId, Optional.of(key), Optional.empty(), Optional.empty());
        }

        /**
         * The attestation key of the instance {@code instanceId}, valid only for tokens that
         * claim {@code implementationId} (a CoMID attest-key triple names both).
         *
         * @param instanceId the instance id, a 33-byte UEID
         * @param implementationId the implementation id
         * @param key the attestation key
         * @return this builder
         * @throws IllegalArgumentException as {@link #instance(byte[], VerificationKey)}
         */
        public Builder instance(byte[] instanceId, byte[] implementationId, VerificationKey key) {
            return put(instanceId, Optional.of(key), Optional.empty(), Optional.of(implementationId));
        }

        /**
         * A symmetric key of the instance {@code instanceId} for COSE_Mac0 tokens (HMAC, at least
         * {@value #MIN_MAC_KEY_BYTES} bytes). Without one, a Mac0 token of the instance is refused.
         *
         * @param instanceId the instance id, a 33-byte UEID
         * @param macKey the HMAC key; copied
         * @return this builder
         * @throws IllegalArgumentException if the key is too short or the instance already has keys
         */
        public Builder instanceMacKey(byte[] instanceId, byte[] macKey) {
            if (macKey.length < MIN_MAC_KEY_BYTES) {
                throw new IllegalArgumentException("a Mac0 key needs at least " + MIN_MAC_KEY_BYTES + " bytes");
            }
            return put(instanceId, Optional.empty(), Optional.of(macKey.clone()), Optional.empty());
        }

        private Builder put(byte[] instanceId, Optional<VerificationKey> key, Optional<byte[]> mac,
                Optional<byte[]> implementation) {
            if (instanceId.length != 33 || instanceId[0] != 0x01) {
                throw new IllegalArgumentException("an instance id is a 33-byte UEID of type RAND (0x01)");
            }
            key.ifPresent(k -> {
                if (k.algorithm() != SignatureAlgorithm.ES256 && k.algorithm() != SignatureAlgorithm.ES384
                        && k.algorithm() != SignatureAlgorithm.ES512) {
                    throw new IllegalArgumentException("PSA keys are ES256, ES384 or ES512, not " + k.algorithm());
                }
            });
            implementation.ifPresent(i -> {
                if (i.length != 32) {
                    throw new IllegalArgumentException("an implementation id is 32 bytes");
                }
            });
            ByteBuffer id = ByteBuffer.wrap(instanceId.clone());
            if (instances.containsKey(id)) {
                throw new IllegalArgumentException("instance " + HexFormat.of().formatHex(instanceId) + " already has a key");
            }
            instances.put(id, new Instance(key, mac, implementation.map(i -> ByteBuffer.wrap(i.clone()))));
            return this;
        }

        /**
         * Adds reference values for the implementation {@code implementationId} (32 bytes): every
         * software component a token of this implementation claims must match one of them, and
         * every one of them must be claimed.
         *
         * @param implementationId the implementation id, 32 bytes
         * @param components the software components
         * @return this builder
         * @throws IllegalArgumentException if the implementation id is not 32 bytes
         */
        public Builder references(byte[] implementationId, List<PsaSoftwareComponent> components) {
            for (PsaSoftwareComponent c : components) {
                referenceAlternatives(implementationId, List.of(c));
            }
            return this;
        }

        /**
         * Adds one software component of the implementation {@code implementationId} that may be
         * any of {@code alternatives} (e.g. one component with several allowed digests): a token's
         * component matching any of them satisfies it.
         *
         * @param implementationId the implementation id, 32 bytes
         * @param alternatives the allowed forms of the component
         * @return this builder
         * @throws IllegalArgumentException if the implementation id is not 32 bytes or there is no alternative
         */
        public Builder referenceAlternatives(byte[] implementationId, List<PsaSoftwareComponent> alternatives) {
            if (implementationId.length != 32) {
                throw new IllegalArgumentException("an implementation id is 32 bytes");
            }
            if (alternatives.isEmpty()) {
                throw new IllegalArgumentException("a reference needs at least one alternative");
            }
            ByteBuffer id = ByteBuffer.wrap(implementationId.clone());
            int group = nextGroup++;
            for (PsaSoftwareComponent c : alternatives) {
                references.computeIfAbsent(id, k -> new ArrayList<>()).add(Objects.requireNonNull(c));
                groups.computeIfAbsent(id, k -> new ArrayList<>()).add(group);
            }
            return this;
        }

        /**
         * The endorsements.
         *
         * @return the endorsements
         */
        public PsaEndorsements build() {
            return new PsaEndorsements(this);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(Objects.requireNonNull(b));
    }
}
