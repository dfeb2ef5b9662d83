package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.testkit.Vectors;
import dev.attest.tpm.QuoteVerification.Freshness;
import dev.attest.tpm.QuoteVerification.Reason;
import dev.attest.tpm.eventlog.EventLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real historical quote (go-attestation's GCP shielded VM dump: RSASSA-SHA1 over the 24 SHA-1
 * PCRs, empty qualifying data) verifies through {@link QuoteVerifier#verifyOffline} against the
 * PCR values its own boot event log replays to, and its result says freshness was not checked;
 * the challenge API refuses it.
 */
class QuoteVerifierInteropTest {
    static byte[] field(String json, String regex) {
        Matcher m = Pattern.compile(regex + "\"([A-Za-z0-9+/=]+)\"").matcher(json);
        assertTrue(m.find(), regex);
        return Base64.getDecoder().decode(m.group(1));
    }

    @Test
    void aRealHistoricalQuoteVerifiesOfflineAndIsNotFresh() throws Exception {
        String json = Files.readString(Vectors.dir("tcg-eventlog").resolve("windows_gcp_shielded_vm.json"),
                StandardCharsets.UTF_8);
        TpmtPublic ak = TpmtPublic.parse(field(json, "\"Public\":"));
        Quote quote = new Quote(field(json, "\"Quote\":"), field(json, "[{,]\"Signature\":"));
        EventLog log = EventLog.parse(field(json, "\"Raw\":"));
        // PCRs the log does not extend hold their reset values: zeros, all ones for 17-22
        Map<Integer, byte[]> sha1 = new TreeMap<>(log.replay().asMap().get(HashAlg.SHA1));
        for (int i = 0; i < 24; i++) {
            byte[] reset = new byte[20];
            if (i >= 17 && i <= 22) {
                Arrays.fill(reset, (byte) 0xFF);
            }
            sha1.putIfAbsent(i, reset);
        }
        PcrValues pcrs = PcrValues.of(Map.of(HashAlg.SHA1, sha1));
        QuoteVerifier sha1Allowed = QuoteVerifier.builder().allowSha1(true).build();

        QuoteVerification v = sha1Allowed.verifyOffline(ak, quote, Optional.empty(), pcrs);
        assertEquals(List.of(), v.failures());
        assertTrue(v.verified());
        assertFalse(v.verifiedFresh());
        assertEquals(Freshness.NOT_CHECKED, v.freshness());
        assertEquals(0, v.attest().orElseThrow().extraData().length);
        assertEquals(Freshness.QUALIFYING_DATA_MATCHED,
                sha1Allowed.verifyOffline(ak, quote, Optional.of(new byte[0]), pcrs).freshness());
        assertEquals(List.of(Reason.SHA1_NOT_ALLOWED),
                QuoteVerifier.builder().build().verifyOffline(ak, quote, Optional.empty(), pcrs).reasons());
        assertEquals(List.of(Reason.NONCE_MISMATCH), sha1Allowed.verify(ak, quote, new byte[8], pcrs).reasons());
        // PCR 17 as zeros instead of its reset value: the replay no longer matches the quote
        sha1.put(17, new byte[20]);
        assertEquals(List.of(Reason.PCR_DIGEST_MISMATCH), sha1Allowed.verifyOffline(ak, quote, Optional.empty(),
                PcrValues.of(Map.of(HashAlg.SHA1, sha1))).reasons());
    }
}
