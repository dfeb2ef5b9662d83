package dev.attest.verify.internal.ear;

import java.util.List;
import java.util.Map;

/** A parsed JSON value, as produced by {@link StrictJson}. Objects keep member order. */
public sealed interface Node {
    /** A JSON object (members in input order, names unique). */
    record Obj(Map<String, Node> members) implements Node {
    }

    /** A JSON array. */
    record Arr(List<Node> items) implements Node {
    }

    /** A JSON string. */
    record Str(String value) implements Node {
    }

    /** A JSON number: its literal text and whether it was written as an integer (no fraction/exponent). */
    record Num(String text, boolean integral) implements Node {
    }

    /** {@code true} or {@code false}. */
    record Bool(boolean value) implements Node {
    }

    /** {@code null}. */
    record Null() implements Node {
    }

    /** The JSON type name used in messages. */
    static String typeName(Node n) {
        if (n instanceof Obj) {
            return "object";
        } else if (n instanceof Arr) {
            return "array";
        } else if (n instanceof Str) {
            return "string";
        } else if (n instanceof Num) {
            return "number";
        } else if (n instanceof Bool) {
            return "boolean";
        }
        return "null";
    }
}
