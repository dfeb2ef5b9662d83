package dev.attest.verify.corim;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a triple is about ({@code environment-map}, draft-ietf-rats-corim §5.1.4.1): a class of
 * devices or components (its id, vendor, model, layer, index), a single instance, or a group.
 * At least one part is present. For PSA, the class id is the implementation id and the
 * instance the instance id (a UEID).
 *
 * @param classMap the class, if present
 * @param instance the instance, if present
 * @param group the group, if present
 */
public record Environment(Optional<ClassMap> classMap, Optional<InstanceId> instance, Optional<GroupId> group) {
    /**
     * Validates that at least one part is present.
     *
     * @param classMap the class, if present
     * @param instance the instance, if present
     * @param group the group, if present
     */
    public Environment {
        Objects.requireNonNull(classMap, "classMap");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(group, "group");
        if (classMap.isEmpty() && instance.isEmpty() && group.isEmpty()) {
            throw new IllegalArgumentException("an environment is not empty");
        }
    }

    /**
     * The class id, if there is a class with one.
     *
     * @return the class id, or empty
     */
    public Optional<ClassId> classId() {
        return classMap.flatMap(ClassMap::id);
    }

    /**
     * A class ({@code class-map}); at least one part is present.
     *
     * @param id the class id
     * @param vendor the vendor
     * @param model the model
     * @param layer the layer
     * @param index the index
     */
    public record ClassMap(Optional<ClassId> id, Optional<String> vendor, Optional<String> model, OptionalLong layer,
            OptionalLong index) {
        /**
         * Validates that at least one part is present and numbers are unsigned.
         *
         * @param id the class id
         * @param vendor the vendor
         * @param model the model
         * @param layer the layer
         * @param index the index
         */
        public ClassMap {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(vendor, "vendor");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(index, "index");
            if (id.isEmpty() && vendor.isEmpty() && model.isEmpty() && layer.isEmpty() && index.isEmpty()) {
                throw new IllegalArgumentException("a class is not empty");
            }
            if (layer.orElse(0) < 0 || index.orElse(0) < 0) {
                throw new IllegalArgumentException("layer and index are unsigned");
            }
        }

        /**
         * A class with only an id.
         *
         * @param id the class id
         * @return the class
         */
        public static ClassMap of(ClassId id) {
            return new ClassMap(Optional.of(id), Optional.empty(), Optional.empty(), OptionalLong.empty(),
                    OptionalLong.empty());
        }
    }

    /**
     * A class id ({@code $class-id-type-choice}).
     *
     * @param kind which alternative, with its CBOR tag
     * @param value the OID's content bytes, the UUID's 16 bytes, or the bytes
     */
    public record ClassId(Kind kind, Octets value) {
        /** The alternatives. */
        public enum Kind {
            /** {@code tagged-oid-type}, tag 111. */
            OID(111),
            /** {@code tagged-uuid-type}, tag 37. */
            UUID(37),
            /** {@code tagged-bytes}, tag 560: PSA's implementation id in the current PSA profile. */
            BYTES(560),
            /** {@code tagged-impl-id-type}, tag 600: PSA's implementation id in earlier drafts (32 bytes). */
            IMPL_ID(600);

            private final long tag;

            Kind(long tag) {
                this.tag = tag;
            }

            /**
             * The CBOR tag.
             *
             * @return the tag
             */
            public long tag() {
                return tag;
            }
        }

        /**
         * Validates the parts.
         *
         * @param kind which alternative, with its CBOR tag
         * @param value the OID's content bytes, the UUID's 16 bytes, or the bytes
         */
        public ClassId {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(value, "value");
            if (kind == Kind.UUID && value.length() != 16 || kind == Kind.IMPL_ID && value.length() != 32
                    || kind == Kind.OID && value.isEmpty()) {
                throw new IllegalArgumentException(kind + " class id of " + value.length() + " bytes");
            }
        }
    }

    /**
     * An instance id ({@code $instance-id-type-choice}): a UEID, a UUID, bytes, or a key or
     * certificate (or its thumbprint) that identifies the instance.
     *
     * @param kind which alternative
     * @param value the UEID, UUID or bytes; empty for {@link Kind#KEY}
     * @param key the key of {@link Kind#KEY}; empty otherwise
     */
    public record InstanceId(Kind kind, Octets value, Optional<CryptoKey> key) {
        /** The alternatives. */
        public enum Kind {
            /** {@code tagged-ueid-type}, tag 550 (EAT UEID: type byte, then 32 bytes for RAND). */
            UEID,
            /** {@code tagged-uuid-type}, tag 37. */
            UUID,
            /** {@code tagged-bytes}, tag 560. */
            BYTES,
            /** A key, certificate or thumbprint (tags 554, 555, 557, 558, 559, 562). */
            KEY
        }

        /**
         * Validates the parts.
         *
         * @param kind which alternative
         * @param value the UEID, UUID or bytes; empty for {@link Kind#KEY}
         * @param key the key of {@link Kind#KEY}; empty otherwise
         */
        public InstanceId {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(key, "key");
            if ((kind == Kind.KEY) != key.isPresent() || kind == Kind.KEY && !value.isEmpty()
                    || kind == Kind.UUID && value.length() != 16 || kind == Kind.UEID && (value.length() < 7
                    || value.length() > 33)) {
                throw new IllegalArgumentException("invalid " + kind + " instance id");
            }
        }

        /**
         * A UEID instance id (EAT §4.2.1: 7 to 33 bytes).
         *
         * @param ueid the UEID
         * @return the instance id
         */
        public static InstanceId ueid(Octets ueid) {
            return new InstanceId(Kind.UEID, ueid, Optional.empty());
        }
    }

    /**
     * A group id ({@code $group-id-type-choice}).
     *
     * @param kind which alternative
     * @param value the UUID's 16 bytes or the bytes
     */
    public record GroupId(Kind kind, Octets value) {
        /** The alternatives. */
        public enum Kind {
            /** {@code tagged-uuid-type}, tag 37. */
            UUID,
            /** {@code tagged-bytes}, tag 560. */
            BYTES
        }

        /**
         * Validates the parts.
         *
         * @param kind which alternative
         * @param value the UUID's 16 bytes or the bytes
         */
        public GroupId {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(value, "value");
            if (kind == Kind.UUID && value.length() != 16) {
                throw new IllegalArgumentException("a UUID is 16 bytes");
            }
        }
    }
}
