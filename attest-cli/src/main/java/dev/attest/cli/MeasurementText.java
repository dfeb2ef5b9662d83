package dev.attest.cli;

import dev.attest.core.Digest;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders measurements for people (a table) and for programs (JSON-ready maps). */
final class MeasurementText {
    private MeasurementText() {
    }

    static List<Map<String, Object>> json(List<Measurement> ms) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Measurement m : ms) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("component", m.component().name());
            m.component().version().ifPresent(v -> o.put("version", v));
            o.put("layer", m.layer().name());
            o.put("collector", m.collectorId());
            o.put("time", m.time().toString());
            o.put("status", m.status().name());
            if (!m.digests().isEmpty()) {
                Map<String, String> ds = new LinkedHashMap<>();
                for (Digest d : m.digests()) {
                    ds.put(d.algorithm().ianaName(), d.hex());
                }
                o.put("digests", ds);
            }
            if (!m.values().isEmpty()) {
                Map<String, Object> vs = new LinkedHashMap<>();
                m.values().forEach((k, v) -> vs.put(k, plain(v)));
                o.put("values", vs);
            }
            m.message().ifPresent(msg -> o.put("message", msg));
            out.add(o);
        }
        return out;
    }

    static Object plain(Value v) {
        if (v instanceof Value.Int i) {
            return i.value();
        } else if (v instanceof Value.Real r) {
            return r.value();
        } else if (v instanceof Value.Bool b) {
            return b.value();
        } else if (v instanceof Value.Text t) {
            return t.value();
        } else if (v instanceof Value.Bytes b) {
            return Base64.getEncoder().encodeToString(b.value());
        } else if (v instanceof Value.ListValue l) {
            List<Object> out = new ArrayList<>();
            l.values().forEach(x -> out.add(plain(x)));
            return out;
        } else if (v instanceof Value.MapValue m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.values().forEach((k, x) -> out.put(k, plain(x)));
            return out;
        }
        throw new IllegalArgumentException("unknown value " + v);
    }

    static void table(List<Measurement> ms, PrintWriter out) {
        out.printf("%-11s %-13s %-20s %s%n", "STATUS", "LAYER", "COLLECTOR", "COMPONENT / DETAIL");
        for (Measurement m : ms) {
            out.printf("%-11s %-13s %-20s %s%n", m.status(), m.layer(), m.collectorId(), m.component());
            for (Digest d : m.digests()) {
                out.printf("%47s %s%n", "", d);
            }
            m.values().forEach((k, v) -> out.printf("%47s %s = %s%n", "", k, summary(v)));
            m.message().ifPresent(msg -> out.printf("%47s (%s)%n", "", msg));
        }
        long errors = ms.stream().filter(m -> m.status() == Measurement.Status.ERROR).count();
        long unsupported = ms.stream().filter(m -> m.status() == Measurement.Status.UNSUPPORTED).count();
        out.printf("%d measurements, %d errors, %d unsupported%n", ms.size(), errors, unsupported);
    }

    private static String summary(Value v) {
        if (v instanceof Value.ListValue l) {
            return "[" + l.values().size() + " items]";
        } else if (v instanceof Value.MapValue m) {
            return "{" + String.join(", ", m.values().keySet()) + "}";
        } else if (v instanceof Value.Bytes b) {
            return b.value().length + " bytes";
        }
        return String.valueOf(plain(v));
    }
}
