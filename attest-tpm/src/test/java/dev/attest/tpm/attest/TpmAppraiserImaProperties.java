package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.tpm.SoftwareQuotes;
import dev.attest.tpm.TpmsAttest;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Altering any IMA value the verifier relies on (every value of every entry measurement, the
 * summary's running count, an entry's name, dropping or swapping entries) is never accepted
 * silently: it yields a contraindicated {@code tpm.ima-*} finding. A violation entry's file
 * digest, name and template are the exception the kernel imposes: its all-zero template hash
 * covers nothing, so only its position and flags are checked. The summary's other values
 * (aggregates, error counts) are the device's own arithmetic, which the verifier never uses.
 */
class TpmAppraiserImaProperties {
    private static final SoftwareQuotes Q;
    private static final List<Measurement> EVIDENCE;

    static {
        try {
            Q = SoftwareQuotes.ecc();
            List<ImaFixture.Line> lines = ImaFixture.allKinds();
            Path dir = Files.createTempDirectory("ima-props");
            List<Measurement> ms = new ArrayList<>();
            ms.add(ImaFixture.quote(Q, ImaFixture.pcr10(lines), ImaFixture.PCR10, new TpmsAttest.ClockInfo(1_000, 3, 1, true)));
            ms.addAll(ImaFixture.collect(dir, lines));
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
            EVIDENCE = List.copyOf(ms);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static List<Finding> appraise(List<Measurement> ms) {
        TpmAppraiser a = TpmAppraiser.builder().enroll("dev-1", Q.ak).requiredPcrs(ImaFixture.PCR10).build();
        return a.appraise("dev-1", TpmAppraiserTest.evidence(ms), AppraisalContext.periodic());
    }

    @Example
    void theUnalteredEvidenceBindsEveryEntry() {
        List<Finding> fs = appraise(EVIDENCE);
        assertEquals(List.of(TpmAppraiser.IMA_BOUND), fs.stream().map(Finding::check).toList(), fs.toString());
        assertEquals("entries 0..8 bound (9 now), 0 pending", fs.get(0).actual());
    }

    @Property(tries = 1000)
    void anyAlterationIsContraindicated(@ForAll @IntRange(min = 2, max = 10) int entry,
            @ForAll @IntRange(min = 0, max = 1_000) int pick, @ForAll @IntRange(min = 0, max = 3) int how,
            @ForAll @IntRange(min = 1, max = 255) int delta) {
        List<Measurement> ms = new ArrayList<>(EVIDENCE);
        Measurement m = ms.get(entry);
        boolean violation = ((Value.Bool) m.value("violation").orElseThrow()).value();
        List<String> targets = new ArrayList<>(violation
                ? List.of("index", "line", "pcr", "violation", "template-hash")
                : new TreeSet<>(m.values().keySet()));
        targets.addAll(List.of("@drop", "@swap", "@entries"));
        if (!violation) {
            targets.addAll(List.of("@name", "@component"));
        }
        String target = targets.get(pick % targets.size());
        String what;
        switch (target) {
            case "@drop" -> {
                ms.remove(entry);
                what = "dropped entry " + entry;
            }
            case "@swap" -> {
                int other = entry == 10 ? 9 : entry + 1;
                ms.set(entry, ms.get(other));
                ms.set(other, m);
                what = "swapped entries " + entry + " and " + other;
            }
            case "@entries" -> {
                Measurement s = ms.get(1);
                long n = ((Value.Int) s.value("entries").orElseThrow()).value();
                ms.set(1, ImaFixture.withValue(s, "entries", new Value.Int(how % 2 == 0 ? n + delta : n - delta)));
                what = "entries count";
            }
            case "@name" -> {
                String name = m.value("name").map(v -> ((Value.Text) v).value()).orElse(m.component().name());
                ms.set(entry, ImaFixture.withValue(m, "name", new Value.Text(name + (char) ('a' + delta % 26))));
                what = "name";
            }
            case "@component" -> {
                ms.set(entry, ImaFixture.renamed(m, m.component().name() + (char) ('a' + delta % 26)));
                what = "component name";
            }
            default -> {
                Value altered = how == 3 ? null : alter(m.value(target).orElseThrow(), how, delta);
                ms.set(entry, ImaFixture.withValue(m, target, altered));
                what = target + (altered == null ? " removed" : " altered (" + how + ")");
            }
        }
        List<Finding> fs = appraise(ms);
        assertTrue(fs.stream().anyMatch(f -> f.check().startsWith("tpm.ima-") && f.severity() == Severity.CONTRAINDICATED),
                "entry " + entry + " " + m.component().name() + ": " + what + " -> " + fs);
    }

    /** A different value of the same type. */
    private static Value alter(Value v, int how, int delta) {
        if (v instanceof Value.Bytes b) {
            byte[] x = b.value();
            if (how == 0 && x.length > 0) {
                x[delta % x.length] ^= (byte) delta;
                return new Value.Bytes(x);
            }
            return new Value.Bytes(how == 1 && x.length > 0 ? Arrays.copyOf(x, x.length - 1) : Arrays.copyOf(x, x.length + 1));
        }
        if (v instanceof Value.Int i) {
            return new Value.Int(how == 0 ? i.value() + delta : i.value() - delta);
        }
        if (v instanceof Value.Bool b) {
            return new Value.Bool(!b.value());
        }
        String t = ((Value.Text) v).value();
        return new Value.Text(switch (how) {
            case 0 -> t + (char) ('a' + delta % 26);
            case 1 -> t.isEmpty() ? "x" : (char) (t.charAt(0) ^ 1) + t.substring(1);
            default -> t.isEmpty() ? "y" : t.substring(1);
        });
    }
}
