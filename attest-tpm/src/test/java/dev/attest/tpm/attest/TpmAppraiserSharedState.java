package dev.attest.tpm.attest;

import static dev.attest.tpm.attest.SwtpmImaDevice.bound;
import static dev.attest.tpm.attest.SwtpmImaDevice.ngLine;
import static dev.attest.tpm.attest.SwtpmImaDevice.tpmChecks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.Measurement;
import dev.attest.testkit.Vectors;
import dev.attest.tpm.ima.ImaPolicy;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TpmAppraiser's per-device state in the verifier's {@link DeviceStateStore}, end to end on a
 * real TPM (swtpm, PCR 10 extended as the kernel does, Keylime's real IMA list): a verifier
 * restarted on the same store goes on with an incremental IMA list and still compares the TPM
 * clock with the quote before the restart; two replicas on one store, appraising one device's
 * evidences in turn, bind the whole list (entries carried and allowlist findings deferred by one
 * replica are bound and reported by the other). Subclasses name the store: in memory
 * ({@link TpmAppraiserSharedStateIT}), PostgreSQL ({@link TpmAppraiserPostgresIT}).
 */
abstract class TpmAppraiserSharedState {
    @TempDir
    Path dir;
    private SwtpmImaDevice d;
    private List<String> real;

    /**
     * Opens the store of one database: every call a new store on the same data, as a restarted
     * verifier or another replica opens it (in memory: the same store).
     */
    abstract DeviceStateStore openShared() throws Exception;

    /** A store on a database of its own, empty. */
    abstract DeviceStateStore openFresh() throws Exception;

    /** Called after each test. */
    abstract void closeStores() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        d = SwtpmImaDevice.start(dir);
        real = d.real;
    }

    @AfterEach
    void tearDown() throws Exception {
        d.close();
        closeStores();
    }

    @Test
    void aRestartedVerifierGoesOnWithTheListAndTheClock() throws Exception {
        d.append(real.get(0));
        d.extend(real.get(0));
        List<Measurement> c1 = d.collect();
        byte[] first = d.evidence(c1);
        Verifier v1 = d.verifier(openShared(), first, Optional.empty());
        AttestationResult r1 = v1.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(r1));
        d.append(real.get(1));
        d.extend(real.get(1));
        AttestationResult r2 = v1.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r2));

        // The verifier restarts: a new TpmAppraiser and Verifier on the same database.
        Verifier v2 = d.verifier(openShared(), first, Optional.empty());
        String third = ngLine("/usr/bin/third", "third");
        d.append(third);
        d.extend(third);
        byte[] e3 = d.evidence(d.collect());
        AttestationResult r3 = v2.appraise(e3, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r3), r3.findings().toString());
        assertEquals("entries 0..2 bound (1 now), 0 pending", bound(r3));
        // What a verifier that kept its state in memory saw after a restart: a gap.
        AttestationResult forgetful = d.verifier(openFresh(), first, Optional.empty()).appraise(e3,
                AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_SEQUENCE), tpmChecks(forgetful));

        // Restarted again: the first quote, replayed in new evidence, is older than the last.
        Verifier v3 = d.verifier(openShared(), first, Optional.empty());
        AttestationResult replayed = v3.appraise(d.evidence(c1), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.TPM_CLOCK_ROLLBACK), tpmChecks(replayed));
        assertEquals("not newer: IMA state unchanged", bound(replayed));

        // The device reboots (TPM Reset, PCRs zero, resetCount + 1) while the verifier restarts.
        d.reboot();
        Verifier v4 = d.verifier(openShared(), first, Optional.empty());
        AttestationResult rebooted = v4.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.TPM_REBOOT), tpmChecks(rebooted));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(rebooted));
    }

    @Test
    void twoReplicasInTurnBindTheWholeList() throws Exception {
        d.append(real.get(0));
        d.extend(real.get(0));
        byte[] first = d.evidence(d.collect());
        ImaPolicy keylime = ImaPolicy.parseKeylime(Files.readAllBytes(Vectors.file("keylime",
                "runtime-policy-sha256.json")));
        Verifier a = d.verifier(openShared(), first, Optional.of(keylime));
        Verifier b = d.verifier(openShared(), first, Optional.of(keylime));
        AttestationResult r1 = a.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(r1));
        // /data is appended and read, but extended after the quote: replica b carries it.
        d.append(real.get(1));
        List<Measurement> ms = d.collect();
        d.extend(real.get(1));
        AttestationResult r2 = b.appraise(d.evidence(ms), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r2), r2.findings().toString());
        assertEquals("entries 0..0 bound (0 now), 1 pending", bound(r2));
        // Replica a binds it with the next quote and reports the allowlist finding b deferred.
        AttestationResult r3 = a.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r3));
        assertEquals(List.of(TpmAppraiser.IMA_NOT_ALLOWED), tpmChecks(r3));
        assertEquals("/submods/os//data/file-digest", r3.findings(TpmAppraiser.IMA_NOT_ALLOWED).get(0).path());
        String third = ngLine("/usr/bin/third", "third");
        d.append(third);
        d.extend(third);
        AttestationResult r4 = b.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals("entries 0..2 bound (1 now), 0 pending", bound(r4));
        assertEquals("/submods/os//usr/bin/third/file-digest", r4.findings(TpmAppraiser.IMA_NOT_ALLOWED).get(0).path());
        AttestationResult r5 = a.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r5), r5.findings().toString());
        assertEquals("entries 0..2 bound (0 now), 0 pending", bound(r5));
        // Every appraisal advanced the device's log too: no replica saw a replay or a gap.
        for (AttestationResult r : List.of(r1, r2, r3, r4, r5)) {
            assertTrue(r.findings().stream().noneMatch(f -> f.check().startsWith("log") || f.check().contains("replay")),
                    r.findings().toString());
        }
    }
}
