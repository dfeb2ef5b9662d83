package dev.attest.evidence;

import dev.attest.core.Digest;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.evidence.internal.Diagnostic;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Human-readable forms of {@link EatClaims}: JSON with the EAT JSON claim names (RFC 9711
 * §7.2.2; byte strings base64url without padding, digests as {@code [alg, value]}) and CBOR
 * diagnostic notation of the exact claims set a token signs (RFC 8949 §8).
 */
public final class ClaimsText {
    private ClaimsText() {
    }

    /**
     * The claims as pretty-printed JSON.
     *
     * @param c the claims
     * @return the JSON text
     */
    public static String json(EatClaims c) {
        StringBuilder sb = new StringBuilder();
        claims(c, sb, 0);
        return sb.append('\n').toString();
    }

    /**
     * The claims set as CBOR diagnostic notation, one line.
     *
     * @param c the claims
     * @return the diagnostic notation
     */
    public static String diagnostic(EatClaims c) {
        return Diagnostic.of(ClaimsCodec.toCbor(c));
    }

    private static void claims(EatClaims c, StringBuilder sb, int indent) {
        Obj o = new Obj(sb, indent);
        c.iss().ifPresent(v -> o.str("iss", v));
        c.sub().ifPresent(v -> o.str("sub", v));
        c.iat().ifPresent(v -> o.raw("iat", Long.toString(v.getEpochSecond())));
        c.nbf().ifPresent(v -> o.raw("nbf", Long.toString(v.getEpochSecond())));
        c.exp().ifPresent(v -> o.raw("exp", Long.toString(v.getEpochSecond())));
        c.cti().ifPresent(v -> o.str("cti", b64(v)));
        List<byte[]> nonces = c.nonces();
        if (nonces.size() == 1) {
            o.str("eat_nonce", b64(nonces.get(0)));
        } else if (!nonces.isEmpty()) {
            o.raw("eat_nonce", "[" + String.join(", ", nonces.stream().map(n -> quote(b64(n))).toList()) + "]");
        }
        c.ueid().ifPresent(v -> o.str("ueid", b64(v)));
        c.oemid().ifPresent(v -> o.str("oemid", b64(v)));
        c.hwmodel().ifPresent(v -> o.str("hwmodel", b64(v)));
        c.hwversion().ifPresent(v -> o.raw("hwversion", "[" + quote(v) + "]"));
        c.swname().ifPresent(v -> o.str("swname", v));
        c.swversion().ifPresent(v -> o.raw("swversion", "[" + quote(v) + "]"));
        c.dbgstat().ifPresent(v -> o.raw("dbgstat", Integer.toString(v.ordinal())));
        c.uptime().ifPresent(v -> o.raw("uptime", Long.toString(v)));
        c.bootcount().ifPresent(v -> o.raw("bootcount", Long.toString(v)));
        c.bootseed().ifPresent(v -> o.str("bootseed", b64(v)));
        c.profile().ifPresent(v -> o.str("eat_profile", v));
        c.log().ifPresent(log -> o.raw("attest-log", "{\"alg\": " + quote(log.head().head().algorithm().ianaName())
                + ", \"boot-id\": " + quote(log.head().bootId())
                + ", \"since\": [" + log.since().sequence() + ", " + quote(log.since().head().hex()) + "]"
                + ", \"head\": [" + log.head().sequence() + ", " + quote(log.head().head().hex()) + "]}"));
        if (!c.measurements().isEmpty()) {
            StringBuilder ms = new StringBuilder("[");
            String pad = "  ".repeat(indent + 2);
            for (int i = 0; i < c.measurements().size(); i++) {
                ms.append(i == 0 ? "\n" : ",\n").append(pad).append(measurement(c.measurements().get(i)));
            }
            ms.append('\n').append("  ".repeat(indent + 1)).append(']');
            o.raw("measurements", ms.toString());
        }
        if (!c.measurementResults().isEmpty()) {
            StringBuilder rs = new StringBuilder("[");
            for (MeasurementResults g : c.measurementResults()) {
                rs.append(rs.length() > 1 ? ", " : "").append('[').append(quote(g.system())).append(", [");
                rs.append(String.join(", ", g.results().stream()
                        .map(r -> "[" + quote(r.id()) + ", " + (r.outcome().ordinal() + 1) + "]").toList()));
                rs.append("]]");
            }
            o.raw("measres", rs.append(']').toString());
        }
        if (!c.submods().isEmpty()) {
            StringBuilder s = new StringBuilder();
            Obj so = new Obj(s, indent + 1);
            for (Map.Entry<String, EatClaims> e : c.submods().entrySet()) {
                StringBuilder inner = new StringBuilder();
                claims(e.getValue(), inner, indent + 2);
                so.raw(e.getKey(), inner.toString());
            }
            so.close();
            o.raw("submods", s.toString());
        }
        c.unknownClaims().forEach((k, v) -> o.str("unknown:" + k, v));
        o.close();
    }

    private static String measurement(Measurement m) {
        StringBuilder sb = new StringBuilder("{\"component\": ").append(quote(m.component().name()));
        m.component().version().ifPresent(v -> sb.append(", \"version\": ").append(quote(v)));
        sb.append(", \"layer\": ").append(quote(m.layer().name()));
        if (!m.digests().isEmpty()) {
            sb.append(", \"digests\": [");
            for (int i = 0; i < m.digests().size(); i++) {
                Digest d = m.digests().get(i);
                sb.append(i == 0 ? "" : ", ").append('[').append(quote(d.algorithm().ianaName())).append(", ")
                        .append(quote(d.hex())).append(']');
            }
            sb.append(']');
        }
        if (!m.values().isEmpty()) {
            sb.append(", \"values\": ").append(value(new Value.MapValue(m.values())));
        }
        sb.append(", \"status\": ").append(quote(m.status().name()));
        m.message().ifPresent(v -> sb.append(", \"message\": ").append(quote(v)));
        sb.append(", \"collector\": ").append(quote(m.collectorId()));
        sb.append(", \"time\": ").append(quote(m.time().toString()));
        return sb.append('}').toString();
    }

    private static String value(Value v) {
        if (v instanceof Value.Int i) {
            return Long.toString(i.value());
        } else if (v instanceof Value.Real r) {
            return Double.isFinite(r.value()) ? Double.toString(r.value()) : quote(Double.toString(r.value()));
        } else if (v instanceof Value.Bool b) {
            return Boolean.toString(b.value());
        } else if (v instanceof Value.Text t) {
            return quote(t.value());
        } else if (v instanceof Value.Bytes b) {
            return quote(b64(b.value()));
        } else if (v instanceof Value.ListValue l) {
            return "[" + String.join(", ", l.values().stream().map(ClaimsText::value).toList()) + "]";
        } else if (v instanceof Value.MapValue m) {
            return "{" + String.join(", ", m.values().entrySet().stream()
                    .map(e -> quote(e.getKey()) + ": " + value(e.getValue())).toList()) + "}";
        }
        throw new IllegalArgumentException("unknown value type");
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Writes one JSON object member per line. */
    private static final class Obj {
        private final StringBuilder sb;
        private final int indent;
        private boolean first = true;

        Obj(StringBuilder sb, int indent) {
            this.sb = sb;
            this.indent = indent;
            sb.append('{');
        }

        void str(String k, String v) {
            raw(k, quote(v));
        }

        void raw(String k, String v) {
            sb.append(first ? "\n" : ",\n").append("  ".repeat(indent + 1)).append(quote(k)).append(": ").append(v);
            first = false;
        }

        void close() {
            sb.append(first ? "}" : "\n" + "  ".repeat(indent) + "}");
        }
    }
}
