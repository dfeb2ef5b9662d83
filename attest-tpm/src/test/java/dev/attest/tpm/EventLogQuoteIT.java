package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.tpm.eventlog.Event;
import dev.attest.tpm.eventlog.EventLog;
import dev.attest.testkit.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole chain on a real TPM: a real machine's boot event log is measured into a fresh swtpm
 * (every event's digests extended, per bank), the TPM quotes the PCRs, and the quote verifies
 * against the log's replay; a log with one changed digest does not.
 */
class EventLogQuoteIT {
    @TempDir
    Path state;

    @ParameterizedTest
    @ValueSource(strings = {"sb_cert_eventlog", "crypto_agile_eventlog"})
    void quoteOfMeasuredLogVerifiesAgainstItsReplay(String name) throws Exception {
        byte[] raw = Files.readAllBytes(Vectors.dir("tcg-eventlog").resolve(name));
        EventLog log = EventLog.parse(raw);
        List<PcrSelection.Bank> banks = new ArrayList<>();
        for (HashAlg h : log.banks()) {
            banks.add(new PcrSelection.Bank(h, new TreeSet<>(log.replay().asMap().get(h).keySet())));
        }
        PcrSelection sel = new PcrSelection(banks);
        byte[] nonce = HashAlg.SHA256.hash(raw);
        Quote quote;
        TpmtPublic akPub;
        try (Swtpm swtpm = Swtpm.start(state); Tpm tpm = swtpm.connect()) {
            for (Event e : log.events()) {
                if (e.type() == 3) {
                    continue;
                }
                for (HashAlg h : log.banks()) {
                    tpm.pcrExtend(e.pcr(), h, e.digest(h).orElseThrow());
                }
            }
            LoadedKey ak = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.akEccP256Template());
            akPub = ak.publicArea();
            quote = tpm.quote(ak.handle(), sel, nonce);
            tpm.flushContext(ak.handle());
        }
        QuoteVerifier verifier = QuoteVerifier.builder().build();
        assertEquals(List.of(), verifier.verify(akPub, quote, nonce, log.replay()).failures());
        // change one digest byte of the last extending event: the replay no longer matches the quote
        Event last = log.events().stream().filter(e -> e.type() != 3).reduce((a, b) -> b).orElseThrow();
        byte[] tampered = raw.clone();
        int digestAt = (int) last.offset() + 4 + 4 + 4 + 2;
        tampered[digestAt] ^= 1;
        QuoteVerification v = verifier.verify(akPub, quote, nonce, EventLog.parse(tampered).replay());
        assertEquals(List.of(QuoteVerification.Reason.PCR_DIGEST_MISMATCH), v.reasons());
        assertTrue(v.attest().isPresent());
    }
}
