package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.attest.core.Value;
import dev.attest.tpm.Quote;
import dev.attest.tpm.SoftwareQuotes;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Any single-byte change of a reported quote value yields a contraindicated tpm finding, never silence. */
class TpmAppraiserProperties {
    private static final SoftwareQuotes Q;
    private static final Quote GOOD;

    static {
        try {
            Q = SoftwareQuotes.ecc();
            GOOD = Q.good();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Property(tries = 300)
    void everyByteFlipIsContraindicated(@ForAll @IntRange(min = 0, max = 3) int which,
            @ForAll @IntRange(min = 0, max = 10_000) int at, @ForAll @IntRange(min = 1, max = 255) int xor) {
        TpmAppraiser a = TpmAppraiser.builder().enroll("dev-1", Q.ak).requiredPcrs(Q.selection).build();
        Map<String, Value> v = TpmAppraiserTest.values(Q, GOOD);
        String name = List.of("attest", "signature", "ak-public", "qualifying-data").get(which);
        byte[] b = ((Value.Bytes) v.get(name)).value();
        b[at % b.length] ^= (byte) xor;
        v.put(name, new Value.Bytes(b));
        List<Finding> fs = a.appraise("dev-1", TpmAppraiserTest.evidence(List.of(TpmAppraiserTest.quote(v))),
                AppraisalContext.periodic());
        assertFalse(fs.isEmpty(), name + " byte " + (at % b.length));
        assertFalse(fs.stream().anyMatch(x -> x.severity() != Severity.CONTRAINDICATED), fs.toString());
    }
}
