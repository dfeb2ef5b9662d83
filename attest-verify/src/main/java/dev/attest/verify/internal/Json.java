package dev.attest.verify.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.attest.verify.ConfigException;
import dev.attest.verify.ConfigException.Reason;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/** Strict JSON reading for configuration files: bounded, no duplicates, no trailing content. */
public final class Json {
    /** Largest configuration document accepted, in characters. */
    public static final int MAX_CHARS = 1 << 20;
    private static final ObjectMapper MAPPER = JsonMapper.builder(
                    com.fasterxml.jackson.core.JsonFactory.builder()
                            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32)
                                    .maxStringLength(1 << 16).maxNumberLength(40).build())
                            .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /** Parses {@code text} into a tree. */
    public static JsonNode parse(String text) throws ConfigException {
        if (text.length() > MAX_CHARS) {
            throw new ConfigException(Reason.TOO_LARGE, "", text.length() + " characters, limit " + MAX_CHARS);
        }
        try (JsonParser p = MAPPER.createParser(text)) {
            JsonNode n = MAPPER.readTree(p);
            if (n == null || p.nextToken() != null) {
                throw new ConfigException(Reason.MALFORMED_JSON, "", "expected exactly one JSON value");
            }
            return n;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new ConfigException(Reason.TOO_LARGE, "", e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(Reason.MALFORMED_JSON, "", e.getMessage().lines().findFirst().orElse("not JSON"));
        }
    }

    /** Requires {@code n} to be an object whose members are all in {@code allowed}. */
    public static JsonNode object(JsonNode n, String path, Set<String> allowed) throws ConfigException {
        if (n == null || !n.isObject()) {
            throw new ConfigException(Reason.BAD_VALUE, path, "must be an object");
        }
        for (Map.Entry<String, JsonNode> member : n.properties()) {
            String f = member.getKey();
            if (!allowed.contains(f)) {
                throw new ConfigException(Reason.UNKNOWN_FIELD, path + "/" + f, "not defined by this format");
            }
        }
        return n;
    }

    /** A required text member. */
    public static String text(JsonNode n, String field, String path) throws ConfigException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new ConfigException(Reason.BAD_VALUE, path + "/" + field, "must be a non-empty string");
        }
        return v.asText();
    }

    /** An optional boolean member. */
    public static boolean bool(JsonNode n, String field, String path, boolean dflt) throws ConfigException {
        JsonNode v = n.get(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new ConfigException(Reason.BAD_VALUE, path + "/" + field, "must be true or false");
        }
        return v.asBoolean();
    }

    /** Requires the format version member {@code field} to equal {@code version}. */
    public static void version(JsonNode n, String field, int version) throws ConfigException {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.isInt() || v.asInt() != version) {
            throw new ConfigException(Reason.UNSUPPORTED_VERSION, "/" + field, "this SDK reads version " + version);
        }
    }

    /** The shared mapper, for writing. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
