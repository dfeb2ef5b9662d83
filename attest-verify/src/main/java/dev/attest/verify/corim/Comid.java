package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A CoMID tag ({@code concise-mid-tag}, draft-ietf-rats-corim §5): its identity, entities,
 * links to other tags and triples.
 *
 * @param language the language tag (key 0), if given
 * @param tagId the tag id (key 1 / 0)
 * @param tagVersion the tag version (key 1 / 1), if given
 * @param entities the entities (key 2); empty if absent
 * @param linkedTags the linked tags (key 3); empty if absent
 * @param triples the triples (key 4)
 * @param extensions extension fields (negative keys), in the encoder's key order
 */
public record Comid(Optional<String> language, Identifier tagId, OptionalLong tagVersion, List<Entity> entities,
        List<LinkedTag> linkedTags, Triples triples, List<Extension> extensions) {
    /**
     * Validates the parts.
     *
     * @param language the language tag (key 0), if given
     * @param tagId the tag id (key 1 / 0)
     * @param tagVersion the tag version (key 1 / 1), if given
     * @param entities the entities (key 2); empty if absent
     * @param linkedTags the linked tags (key 3); empty if absent
     * @param triples the triples (key 4)
     * @param extensions extension fields (negative keys), in the encoder's key order
     */
    public Comid {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(tagId, "tagId");
        Objects.requireNonNull(tagVersion, "tagVersion");
        entities = List.copyOf(entities);
        linkedTags = List.copyOf(linkedTags);
        Objects.requireNonNull(triples, "triples");
        extensions = Extension.canonical(extensions);
        if (tagVersion.orElse(0) < 0) {
            throw new IllegalArgumentException("a tag version is unsigned");
        }
    }

    /**
     * A link to another tag ({@code linked-tag-map}).
     *
     * @param target the linked tag's id
     * @param relation the relation (0 supplements, 1 replaces)
     */
    public record LinkedTag(Identifier target, long relation) {
        /**
         * Validates the parts.
         *
         * @param target the linked tag's id
         * @param relation the relation (0 supplements, 1 replaces)
         */
        public LinkedTag {
            Objects.requireNonNull(target, "target");
        }
    }
}
