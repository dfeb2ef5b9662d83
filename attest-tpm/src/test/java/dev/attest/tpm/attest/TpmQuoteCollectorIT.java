package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.CollectionContext;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Quote;
import dev.attest.tpm.QuoteVerifier;
import dev.attest.tpm.Swtpm;
import dev.attest.tpm.Tpm;
import dev.attest.tpm.TpmsAttest;
import dev.attest.tpm.TpmtPublic;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quote collector against a real swtpm: what it reports verifies, and is bound to the challenge. */
class TpmQuoteCollectorIT {
    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");
    @TempDir
    Path state;

    static CollectionContext cycle(long n) {
        return CollectionContext.of(n, T, Duration.ofSeconds(30));
    }

    static InetSocketAddress address(Swtpm swtpm) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), swtpm.port());
    }

    static Map<String, Value> values(Measurement m) {
        return m.values();
    }

    static byte[] bytes(Measurement m, String name) {
        return ((Value.Bytes) m.value(name).orElseThrow()).value();
    }

    @Test
    void reportsAVerifiableQuoteBoundToTheChallenge() throws Exception {
        byte[] nonce = "challenge-nonce-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        try (Swtpm swtpm = Swtpm.start(state)) {
            Measurement periodic;
            Measurement challenged;
            Measurement second;
            try (TpmQuoteCollector c = TpmQuoteCollector.tcp(address(swtpm))) {
                assertEquals("tpm-quote", c.id());
                assertEquals(Layer.TPM, c.layer());
                periodic = c.collect(cycle(1)).get(0);
                challenged = c.collect(cycle(2).withNonce(nonce)).get(0);
                second = c.collect(cycle(3)).get(0);
                assertEquals(c.attestationKey().orElseThrow(), TpmtPublic.parseTpm2b(bytes(periodic, "ak-public")));
            }
            for (Measurement m : List.of(periodic, challenged, second)) {
                assertEquals(Measurement.Status.OK, m.status());
                assertEquals("tpm-quote", m.component().name());
                assertEquals("tpm-quote", m.collectorId());
                assertEquals(Layer.TPM, m.layer());
                assertEquals(Set.of("attest", "signature", "ak-public", "ak-name", "qualifying-data", "pcrs"),
                        values(m).keySet());
                Map<String, Value> pcrs = ((Value.MapValue) m.value("pcrs").orElseThrow()).values();
                assertEquals(Set.of("sha256:0", "sha256:1", "sha256:2", "sha256:3", "sha256:4", "sha256:5", "sha256:6",
                        "sha256:7", "sha256:8", "sha256:9", "sha256:10"), pcrs.keySet());
                TpmtPublic ak = TpmtPublic.parseTpm2b(bytes(m, "ak-public"));
                assertTrue(ak.isRestrictedSigningKey());
                assertArrayEquals(ak.name(), bytes(m, "ak-name"));
                PcrValues values = PcrNames.parse(pcrs).orElseThrow();
                Quote q = new Quote(bytes(m, "attest"), bytes(m, "signature"));
                assertEquals(List.of(), QuoteVerifier.builder().build()
                        .verify(ak, q, bytes(m, "qualifying-data"), values).failures());
                TpmsAttest a = q.parseAttest();
                assertEquals(TpmQuoteCollector.DEFAULT_PCRS, a.pcrSelect());
                assertArrayEquals(bytes(m, "qualifying-data"), a.extraData());
            }
            assertArrayEquals(nonce, bytes(challenged, "qualifying-data"));
            assertEquals(32, bytes(periodic, "qualifying-data").length);
            assertFalse(java.util.Arrays.equals(bytes(periodic, "qualifying-data"), bytes(second, "qualifying-data")));
            // The AK is created once per connection and is the same derived key across connections.
            assertArrayEquals(bytes(periodic, "ak-public"), bytes(second, "ak-public"));
            try (TpmQuoteCollector c = TpmQuoteCollector.tcp(address(swtpm))) {
                assertArrayEquals(bytes(periodic, "ak-public"), bytes(c.collect(cycle(4)).get(0), "ak-public"));
            }
            // The PCRs it reports are the TPM's.
            try (Tpm tpm = swtpm.connect()) {
                PcrValues now = tpm.pcrRead(TpmQuoteCollector.DEFAULT_PCRS);
                assertEquals(now, PcrNames.parse(((Value.MapValue) second.value("pcrs").orElseThrow()).values()).orElseThrow());
            }
        }
    }

    @Test
    void quotesAConfiguredSelection() throws Exception {
        PcrSelection sel = new PcrSelection(List.of(
                new PcrSelection.Bank(HashAlg.SHA1, new java.util.TreeSet<>(List.of(0, 23))),
                new PcrSelection.Bank(HashAlg.SHA256, new java.util.TreeSet<>(List.of(16)))));
        try (Swtpm swtpm = Swtpm.start(state); TpmQuoteCollector c = TpmQuoteCollector.tcp(address(swtpm)).withPcrs(sel)) {
            Measurement m = c.collect(cycle(1)).get(0);
            assertEquals(Set.of("sha1:0", "sha1:23", "sha256:16"),
                    ((Value.MapValue) m.value("pcrs").orElseThrow()).values().keySet());
            assertEquals(sel, new Quote(bytes(m, "attest"), bytes(m, "signature")).parseAttest().pcrSelect());
        }
    }

    @Test
    void noTpmIsUnsupportedWithTheReason() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (TpmQuoteCollector c = TpmQuoteCollector.tcp(new InetSocketAddress("127.0.0.1", port))) {
            Measurement m = c.collect(cycle(1)).get(0);
            assertEquals(Measurement.Status.UNSUPPORTED, m.status());
            assertEquals("tpm-quote", m.component().name());
            assertTrue(m.message().orElseThrow().startsWith("no TPM reachable at tcp:127.0.0.1:" + port + ": "),
                    m.message().orElseThrow());
        }
        try (TpmQuoteCollector c = TpmQuoteCollector.device(state.resolve("tpmrm9"))) {
            Measurement m = c.collect(cycle(1)).get(0);
            assertEquals(Measurement.Status.UNSUPPORTED, m.status());
            assertTrue(m.message().orElseThrow().startsWith("no TPM reachable at " + state.resolve("tpmrm9") + ": "),
                    m.message().orElseThrow());
        }
    }
}
