package dev.attest.evidence.internal;

import dev.attest.core.internal.cbor.Cbor;
import java.util.HexFormat;

/** CBOR diagnostic notation (RFC 8949 §8) of a data item, for tools and error messages. */
public final class Diagnostic {
    private Diagnostic() {
    }

    /** The item in diagnostic notation, on one line. */
    public static String of(Cbor c) {
        StringBuilder sb = new StringBuilder();
        write(c, sb);
        return sb.toString();
    }

    private static void write(Cbor c, StringBuilder sb) {
        if (c instanceof Cbor.Int i) {
            sb.append(i.value());
        } else if (c instanceof Cbor.Bytes b) {
            sb.append("h'").append(HexFormat.of().formatHex(b.value())).append('\'');
        } else if (c instanceof Cbor.Text t) {
            sb.append('"');
            for (char ch : t.value().toCharArray()) {
                if (ch == '"' || ch == '\\') {
                    sb.append('\\').append(ch);
                } else if (ch < 0x20) {
                    sb.append(String.format("\\u%04x", (int) ch));
                } else {
                    sb.append(ch);
                }
            }
            sb.append('"');
        } else if (c instanceof Cbor.Array a) {
            sb.append('[');
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                write(a.get(i), sb);
            }
            sb.append(']');
        } else if (c instanceof Cbor.Map m) {
            sb.append('{');
            boolean first = true;
            for (Cbor.Entry e : m.entries()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                write(e.key(), sb);
                sb.append(": ");
                write(e.value(), sb);
            }
            sb.append('}');
        } else if (c instanceof Cbor.Tag t) {
            sb.append(t.tag()).append('(');
            write(t.content(), sb);
            sb.append(')');
        } else if (c instanceof Cbor.Float f) {
            double d = f.value();
            sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Double.toString(d));
        } else if (c instanceof Cbor.Simple s) {
            sb.append(switch (s) {
                case FALSE -> "false";
                case TRUE -> "true";
                case NULL -> "null";
                case UNDEFINED -> "undefined";
            });
        }
    }
}
