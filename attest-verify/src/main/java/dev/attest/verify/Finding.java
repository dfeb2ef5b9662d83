package dev.attest.verify;

import dev.attest.verify.ear.TrustClaim;
import java.util.Objects;

/**
 * One conclusion of an appraisal, with enough detail to explain it: which check
 * ({@link Checks}), which AR4SI trust claim it bears on, how severe it is, where in the evidence
 * it looked (a claim path such as {@code /submods/os/273/3} or a component name), and what was
 * expected versus found. Never contains key material.
 *
 * @param check the check id, one of {@link Checks} or an {@link EvidenceAppraiser}'s own
 * @param claim the trust claim it bears on
 * @param severity its weight after policy
 * @param path where in the evidence
 * @param expected what was expected (may be empty)
 * @param actual what was found (may be empty)
 */
public record Finding(String check, TrustClaim claim, Severity severity, String path, String expected, String actual) {
    /**
     * Validates the parts; long texts are cut to 512 characters.
     *
     * @param check the check id, one of {@link Checks} or an {@link EvidenceAppraiser}'s own
     * @param claim the trust claim it bears on
     * @param severity its weight after policy
     * @param path where in the evidence
     * @param expected what was expected (may be empty)
     * @param actual what was found (may be empty)
     */
    public Finding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(severity, "severity");
        path = cut(Objects.requireNonNull(path, "path"));
        expected = cut(Objects.requireNonNull(expected, "expected"));
        actual = cut(Objects.requireNonNull(actual, "actual"));
    }

    /**
     * This finding with another severity.
     *
     * @param s the severity
     * @return a new finding; this one is unchanged
     */
    public Finding withSeverity(Severity s) {
        return new Finding(check, claim, s, path, expected, actual);
    }

    private static String cut(String s) {
        return s.length() <= 512 ? s : s.substring(0, 509) + "...";
    }

    /**
     * {@code SEVERITY check at path: expected X, found Y}; a part that is empty is left out
     * ({@code ...: found Y}, {@code ...: expected X}, or nothing after the path).
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(severity).append(' ').append(check).append(" at ").append(path);
        if (!expected.isEmpty()) {
            s.append(": expected ").append(expected);
        }
        if (!actual.isEmpty()) {
            s.append(expected.isEmpty() ? ": found " : ", found ").append(actual);
        }
        return s.toString();
    }
}
