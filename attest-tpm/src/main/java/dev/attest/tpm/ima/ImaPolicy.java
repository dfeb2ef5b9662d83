package dev.attest.tpm.ima;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An IMA allowlist: for each path the file digests allowed, plus exclude patterns for paths that
 * are not appraised. Imported from Keylime's runtime policy JSON (format version 1: {@code meta},
 * {@code digests}, {@code excludes}, ...), so existing Keylime users bring their allowlists.
 *
 * @param digests per path, the allowed digests in lower-case hex
 * @param excludes regular expressions; an entry whose path matches one from its start is not appraised
 */
public record ImaPolicy(Map<String, Set<String>> digests, List<String> excludes) {
    /** Bound on the policy JSON size. */
    public static final int MAX_SIZE = 256 << 20;
    /** Bound on entries (paths plus digests plus excludes). */
    public static final int MAX_ENTRIES = 10_000_000;

    /**
     * Copies and validates the exclude patterns.
     *
     * @param digests per path, the allowed digests in lower-case hex
     * @param excludes regular expressions; an entry whose path matches one from its start is not appraised
     */
    public ImaPolicy {
        TreeMap<String, Set<String>> m = new TreeMap<>();
        digests.forEach((k, v) -> m.put(k, Collections.unmodifiableSet(new LinkedHashSet<>(v))));
        digests = Collections.unmodifiableMap(m);
        excludes = List.copyOf(excludes);
        for (String x : excludes) {
            Pattern.compile(x);
        }
    }

    /**
     * Imports a Keylime runtime policy (keylime/ima/ima.py RUNTIME_POLICY_SCHEMA, version 1).
     * Only {@code digests} and {@code excludes} carry allowlist content; other known members
     * are read and ignored, unknown members are rejected.
     *
     * @param json the policy JSON
     * @return the allowlist
     * @throws TpmFormatException SIZE_LIMIT, SYNTAX (not JSON, wrong shape, bad hex or regex),
     *         UNSUPPORTED_TYPE (meta.version other than 1)
     */
    public static ImaPolicy parseKeylime(byte[] json) throws TpmFormatException {
        if (json.length > MAX_SIZE) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, 0, "policy of " + json.length + " bytes");
        }
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(1 << 20).build())
                .build();
        Map<String, Set<String>> digests = new TreeMap<>();
        List<String> excludes = new ArrayList<>();
        int version = -1;
        int count = 0;
        try (JsonParser p = f.createParser(json)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, "policy");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "meta" -> {
                        expect(p, t, JsonToken.START_OBJECT, "meta");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            JsonToken v = p.nextToken();
                            if (k.equals("version")) {
                                expect(p, v, JsonToken.VALUE_NUMBER_INT, "meta.version");
                                version = p.getIntValue();
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    case "digests" -> {
                        expect(p, t, JsonToken.START_OBJECT, "digests");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String path = p.currentName();
                            expect(p, p.nextToken(), JsonToken.START_ARRAY, "digests." + path);
                            Set<String> set = digests.computeIfAbsent(path, k -> new LinkedHashSet<>());
                            JsonToken d;
                            while ((d = p.nextToken()) != JsonToken.END_ARRAY) {
                                expect(p, d, JsonToken.VALUE_STRING, "digest");
                                String hex = p.getText().toLowerCase(Locale.ROOT);
                                if (hex.isEmpty() || hex.length() % 2 != 0 || hex.length() > 128 || !hex.chars().allMatch(
                                        c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                                    throw new TpmFormatException(Reason.SYNTAX, p.currentLocation().getCharOffset(),
                                            "digest for " + path + " is not hex");
                                }
                                set.add(hex);
                                if (++count > MAX_ENTRIES) {
                                    throw new TpmFormatException(Reason.SIZE_LIMIT, 0, "too many policy entries");
                                }
                            }
                        }
                    }
                    case "excludes" -> {
                        expect(p, t, JsonToken.START_ARRAY, "excludes");
                        JsonToken x;
                        while ((x = p.nextToken()) != JsonToken.END_ARRAY) {
                            expect(p, x, JsonToken.VALUE_STRING, "exclude");
                            try {
                                Pattern.compile(p.getText());
                            } catch (PatternSyntaxException e) {
                                throw new TpmFormatException(Reason.SYNTAX, p.currentLocation().getCharOffset(),
                                        "exclude is not a regular expression");
                            }
                            excludes.add(p.getText());
                            if (++count > MAX_ENTRIES) {
                                throw new TpmFormatException(Reason.SIZE_LIMIT, 0, "too many policy entries");
                            }
                        }
                    }
                    case "release", "keyrings", "ima", "ima-buf", "verification-keys" -> p.skipChildren();
                    default -> throw new TpmFormatException(Reason.SYNTAX, p.currentLocation().getCharOffset(),
                            "unknown member " + name);
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new TpmFormatException(Reason.TRAILING_BYTES, p.currentLocation().getCharOffset(), "content after the policy");
            }
        } catch (TpmFormatException e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TpmFormatException(Reason.SYNTAX, e.getLocation() == null ? -1 : e.getLocation().getCharOffset(),
                    "policy is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new TpmFormatException(Reason.SYNTAX, -1, "policy could not be read: " + e.getMessage());
        }
        if (version != 1) {
            throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, 0, "runtime policy meta.version " + version);
        }
        return new ImaPolicy(digests, excludes);
    }

    private static void expect(JsonParser p, JsonToken got, JsonToken want, String what) throws TpmFormatException {
        if (got != want) {
            throw new TpmFormatException(Reason.SYNTAX, p.currentLocation().getCharOffset(), what + ": expected " + want
                    + ", found " + got);
        }
    }

    /** How one IMA entry fared against the allowlist. */
    public enum Verdict {
        /** The path is allowed with this digest. */
        MATCH,
        /** The path matches an exclude pattern. */
        EXCLUDED,
        /** The path is in the allowlist with other digests. */
        DIGEST_MISMATCH,
        /** The path is not in the allowlist. */
        NOT_IN_POLICY,
        /** A violation entry (file measured while open for write): its content is unknown. */
        VIOLATION
    }

    /**
     * The appraisal of one entry.
     *
     * @param entry the IMA entry
     * @param verdict the outcome
     */
    public record Finding(ImaEntry entry, Verdict verdict) {
        /**
         * Validates.
         *
         * @param entry the IMA entry
         * @param verdict the outcome
         */
        public Finding {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /**
     * Appraises every entry of a list. The {@code boot_aggregate} entry is not a file; it is
     * appraised by comparing it with the quoted boot PCRs, not here, and gets no finding.
     *
     * @param log the IMA list (already checked and, by the caller, replayed against a quoted PCR 10)
     * @return one finding per entry except {@code boot_aggregate}, in list order
     */
    public List<Finding> appraise(ImaLog log) {
        Pattern exclude = excludes.isEmpty() ? null : Pattern.compile(String.join("|", excludes));
        List<Finding> out = new ArrayList<>();
        for (ImaEntry e : log.entries()) {
            if (e.path().equals("boot_aggregate") && !e.violation()) {
                continue;
            }
            Verdict v;
            if (e.violation()) {
                v = Verdict.VIOLATION;
            } else if (exclude != null && exclude.matcher(e.path()).lookingAt()) {
                v = Verdict.EXCLUDED;
            } else if (!digests.containsKey(e.path())) {
                v = Verdict.NOT_IN_POLICY;
            } else {
                v = digests.get(e.path()).contains(e.fileDigestHex()) ? Verdict.MATCH : Verdict.DIGEST_MISMATCH;
            }
            out.add(new Finding(e, v));
        }
        return out;
    }
}
