package dev.attest.tpm.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.tpm.HashAlg;
import dev.attest.testkit.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keylime's IMA list and runtime policy (keylime test data). */
class ImaInteropTest {
    static final HexFormat HEX = HexFormat.of();

    @Test
    void keylimeListChecksOutEntryByEntryAndReplays() throws Exception {
        Path dir = Vectors.dir("keylime");
        ImaLog log = ImaLog.parse(Files.readAllBytes(dir.resolve("ima-log-sha256")));
        assertEquals(HashAlg.SHA1, log.templateHashAlg());
        assertEquals(2, log.entries().size());
        ImaEntry boot = log.entries().get(0);
        assertEquals("boot_aggregate", boot.path());
        assertEquals("ima-ng", boot.templateName());
        assertEquals("sha256", boot.digestAlgorithm());
        assertEquals("f4845392eca429a4c941a6a07fc32faf843a88c5c3dfa3b9329ab8f4171d9ce3", boot.fileDigestHex());
        assertEquals("6309e2c83b7814367bb3912a55e5473454623535", HEX.formatHex(boot.templateHash()));
        assertEquals("/data", log.entries().get(1).path());
        // PCR 10 = SHA1(SHA1(0^20 || t1) || t2)
        byte[] pcr = new byte[20];
        for (ImaEntry e : log.entries()) {
            byte[] c = new byte[40];
            System.arraycopy(pcr, 0, c, 0, 20);
            System.arraycopy(e.templateHash(), 0, c, 20, 20);
            pcr = HashAlg.SHA1.hash(c);
        }
        assertArrayEquals(pcr, log.replay().get(HashAlg.SHA1, 10).orElseThrow());
        assertEquals(Set.of(10), log.replay().asMap().get(HashAlg.SHA1).keySet());
    }

    @Test
    void keylimeRuntimePolicyImportsAndAppraises() throws Exception {
        Path dir = Vectors.dir("keylime");
        ImaPolicy policy = ImaPolicy.parseKeylime(Files.readAllBytes(dir.resolve("runtime-policy-sha256.json")));
        assertEquals(Map.of("/base_policy_data", Set.of("35f6036dcbb4d819a90cc3282659754ab1a225e60f593a209c27b80174ba3180")),
                policy.digests());
        assertEquals(List.of(), policy.excludes());
        ImaLog log = ImaLog.parse(Files.readAllBytes(dir.resolve("ima-log-sha256")));
        List<ImaPolicy.Finding> findings = policy.appraise(log);
        assertEquals(1, findings.size());
        assertEquals("/data", findings.get(0).entry().path());
        assertEquals(ImaPolicy.Verdict.NOT_IN_POLICY, findings.get(0).verdict());
        // the same list against a policy that allows /data
        ImaPolicy allow = new ImaPolicy(Map.of("/data", Set.of(log.entries().get(1).fileDigestHex())), List.of());
        assertEquals(ImaPolicy.Verdict.MATCH, allow.appraise(log).get(0).verdict());
    }
}
