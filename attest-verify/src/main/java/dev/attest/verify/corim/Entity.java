package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An entity of a CoRIM or a CoMID ({@code entity-map}, draft-ietf-rats-corim §4.1.3, §5.1.2):
 * its name, registration id (a URI) and roles. CoRIM roles: 1 manifest-creator, 2
 * manifest-signer; CoMID roles: 0 tag-creator, 1 creator, 2 maintainer.
 *
 * @param name the entity name
 * @param registrationId the {@code reg-id} URI, if present
 * @param roles the roles, at least one
 * @param extensions extension fields (negative keys), in the encoder's key order
 */
public record Entity(String name, Optional<String> registrationId, List<Long> roles, List<Extension> extensions) {
    /**
     * Validates the parts.
     *
     * @param name the entity name
     * @param registrationId the {@code reg-id} URI, if present
     * @param roles the roles, at least one
     * @param extensions extension fields (negative keys), in the encoder's key order
     */
    public Entity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(registrationId, "registrationId");
        roles = List.copyOf(roles);
        extensions = Extension.canonical(extensions);
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("an entity has at least one role");
        }
    }
}
