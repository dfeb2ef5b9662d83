package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.Text;
import java.util.Objects;

/**
 * The identity of the Verifier that produced an EAR, {@code ear.verifier-id}
 * (draft-ietf-rats-ear §3.1): who built it and which build it is.
 *
 * @param developer the entity that developed the Verifier (e.g. a URI or organisation name), non-empty
 * @param build the Verifier build (e.g. name and version), non-empty
 */
public record VerifierId(String developer, String build) {
    /**
     * @param developer the entity that developed the Verifier (e.g. a URI or organisation name), non-empty
     * @param build the Verifier build (e.g. name and version), non-empty
     * @throws IllegalArgumentException if a part is empty or not valid Unicode
     */
    public VerifierId {
        Text.requireNonEmpty(Objects.requireNonNull(developer, "developer"), "developer");
        Text.requireNonEmpty(Objects.requireNonNull(build, "build"), "build");
    }
}
