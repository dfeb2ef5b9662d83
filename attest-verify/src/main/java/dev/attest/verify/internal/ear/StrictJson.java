package dev.attest.verify.internal.ear;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.attest.verify.ear.EarException;
import dev.attest.verify.ear.EarException.Reason;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Strict, bounded JSON (RFC 8259) on Jackson's streaming parser: UTF-8 only (no BOM, no other
 * encodings Jackson would auto-detect), one top-level value with nothing after it, unique member
 * names, no unpaired surrogates, bounded size and nesting. Numbers keep their literal text.
 */
public final class StrictJson {
    /** Nesting bound for EAR documents (objects and arrays). */
    public static final int MAX_DEPTH = 32;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Jackson's own bound is a backstop one level above ours, so ours reports first.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH + 1)
                    .maxNumberLength(64)
                    .build())
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private StrictJson() {
    }

    /** Parses UTF-8 {@code bytes} of at most {@code maxBytes}. */
    public static Node parse(byte[] bytes, int maxBytes) throws EarException {
        if (bytes.length > maxBytes) {
            throw new EarException(Reason.TOO_LARGE, "", bytes.length + " bytes, at most " + maxBytes + " allowed");
        }
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            throw new EarException(Reason.MALFORMED_JSON, "", "byte order mark (RFC 8259 §8.1)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new EarException(Reason.MALFORMED_JSON, "", "not UTF-8", e);
        }
        return parseText(text);
    }

    /** Parses {@code text}, which must encode to at most {@code maxBytes} of UTF-8. */
    public static Node parse(String text, int maxBytes) throws EarException {
        // A char is at most 3 UTF-8 bytes; only encode when the cheap bound is not conclusive.
        if ((long) text.length() * 3 > maxBytes) {
            byte[] bytes;
            try {
                ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .encode(CharBuffer.wrap(text));
                bytes = new byte[b.remaining()];
                b.get(bytes);
            } catch (CharacterCodingException e) {
                throw new EarException(Reason.MALFORMED_JSON, "", "unpaired surrogate in input", e);
            }
            if (bytes.length > maxBytes) {
                throw new EarException(Reason.TOO_LARGE, "", bytes.length + " bytes, at most " + maxBytes + " allowed");
            }
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            throw new EarException(Reason.MALFORMED_JSON, "", "byte order mark (RFC 8259 §8.1)");
        }
        return parseText(text);
    }

    private static Node parseText(String text) throws EarException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new EarException(Reason.MALFORMED_JSON, "", "empty input");
            }
            Node root = read(p, t, "", 0);
            if (p.nextToken() != null) {
                throw new EarException(Reason.MALFORMED_JSON, "", "trailing content after the top-level value");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new EarException(Reason.TOO_LARGE, "", "JSON exceeds a parser bound: " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new EarException(Reason.MALFORMED_JSON, "", e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new EarException(Reason.MALFORMED_JSON, "", String.valueOf(e.getMessage()), e);
        }
    }

    private static Node read(JsonParser p, JsonToken t, String path, int depth) throws IOException, EarException {
        if (t == null) {
            throw new EarException(Reason.MALFORMED_JSON, path, "unexpected end of input");
        }
        switch (t) {
            case START_OBJECT: {
                if (depth >= MAX_DEPTH) {
                    throw new EarException(Reason.TOO_DEEP, path, "nesting deeper than " + MAX_DEPTH);
                }
                Map<String, Node> members = new LinkedHashMap<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
                    if (n != JsonToken.FIELD_NAME) {
                        throw new EarException(Reason.MALFORMED_JSON, path, "expected a member name, got " + n);
                    }
                    String name = p.currentName();
                    String sub = path.isEmpty() ? name : path + "." + name;
                    if (!Text.isWellFormed(name)) {
                        throw new EarException(Reason.MALFORMED_JSON, path, "member name with an unpaired surrogate");
                    }
                    // Checked here rather than with Jackson's STRICT_DUPLICATE_DETECTION so the
                    // failure carries its own reason code and the member's path.
                    if (members.containsKey(name)) {
                        throw new EarException(Reason.DUPLICATE_MEMBER, sub, "member name appears twice");
                    }
                    members.put(name, read(p, p.nextToken(), sub, depth + 1));
                }
                return new Node.Obj(Collections.unmodifiableMap(members));
            }
            case START_ARRAY: {
                if (depth >= MAX_DEPTH) {
                    throw new EarException(Reason.TOO_DEEP, path, "nesting deeper than " + MAX_DEPTH);
                }
                List<Node> items = new ArrayList<>();
                int i = 0;
                for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                    if (n == null) {
                        throw new EarException(Reason.MALFORMED_JSON, path, "unexpected end of input");
                    }
                    items.add(read(p, n, path + "[" + i++ + "]", depth + 1));
                }
                return new Node.Arr(Collections.unmodifiableList(items));
            }
            case VALUE_STRING: {
                String s = p.getText();
                if (!Text.isWellFormed(s)) {
                    throw new EarException(Reason.MALFORMED_JSON, path, "string with an unpaired surrogate");
                }
                return new Node.Str(s);
            }
            case VALUE_NUMBER_INT:
                return new Node.Num(p.getText(), true);
            case VALUE_NUMBER_FLOAT:
                return new Node.Num(p.getText(), false);
            case VALUE_TRUE:
                return new Node.Bool(true);
            case VALUE_FALSE:
                return new Node.Bool(false);
            case VALUE_NULL:
                return new Node.Null();
            default:
                throw new EarException(Reason.MALFORMED_JSON, path, "unexpected token " + t);
        }
    }

    /** A new generator writing compact JSON to {@code out}. */
    public static JsonGenerator generator(StringWriter out) {
        try {
            return FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code n} with object members sorted by name (UTF-16 order): a canonical form. */
    public static void writeCanonical(JsonGenerator g, Node n) throws IOException {
        if (n instanceof Node.Obj o) {
            g.writeStartObject();
            for (Map.Entry<String, Node> e : new TreeMap<>(o.members()).entrySet()) {
                g.writeFieldName(e.getKey());
                writeCanonical(g, e.getValue());
            }
            g.writeEndObject();
        } else if (n instanceof Node.Arr a) {
            g.writeStartArray();
            for (Node i : a.items()) {
                writeCanonical(g, i);
            }
            g.writeEndArray();
        } else if (n instanceof Node.Str s) {
            g.writeString(s.value());
        } else if (n instanceof Node.Num num) {
            g.writeNumber(num.text());
        } else if (n instanceof Node.Bool b) {
            g.writeBoolean(b.value());
        } else {
            g.writeNull();
        }
    }

    /** The canonical compact text of {@code n}. */
    public static String canonical(Node n) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = generator(w)) {
            writeCanonical(g, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
