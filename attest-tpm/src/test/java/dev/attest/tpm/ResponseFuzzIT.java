package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile or broken TPM: responses recorded from a real swtpm session are replayed with one
 * byte changed, at every position of every response. The client must end normally or with
 * {@link TpmException} / {@link IOException} (including {@link TpmFormatException}), never with
 * an unchecked exception or a hang.
 */
class ResponseFuzzIT {
    @TempDir
    Path state;

    /** Records every exchange of a real transport. */
    static final class Recording implements TpmTransport {
        final TpmTransport real;
        final List<byte[]> responses = new ArrayList<>();

        Recording(TpmTransport real) {
            this.real = real;
        }

        @Override
        public byte[] transmit(byte[] command) throws IOException {
            byte[] r = real.transmit(command);
            responses.add(r.clone());
            return r;
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }

    /** Answers with the recorded responses in order, one of them changed. */
    static final class Replay implements TpmTransport {
        final List<byte[]> responses;
        int next;

        Replay(List<byte[]> responses) {
            this.responses = responses;
        }

        @Override
        public byte[] transmit(byte[] command) throws IOException {
            if (next >= responses.size()) {
                throw new IOException("no more recorded responses");
            }
            return responses.get(next++).clone();
        }

        @Override
        public void close() {
        }
    }

    static final PcrSelection SEL = new PcrSelection(List.of(
            new PcrSelection.Bank(HashAlg.SHA1, new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))),
            new PcrSelection.Bank(HashAlg.SHA256, new TreeSet<>(List.of(0, 7, 10)))));

    static void scenario(Tpm tpm) throws IOException, TpmException {
        tpm.getRandom(40);
        tpm.pcrRead(SEL);
        LoadedKey ak = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.akEccP256Template());
        Quote q = tpm.quote(ak.handle(), SEL, new byte[16]);
        q.parseAttest();
        q.parseSignature();
        tpm.readPublic(ak.handle());
        tpm.pcrBanks();
        tpm.info();
        tpm.flushContext(ak.handle());
    }

    @Test
    void everyChangedResponseByteEndsInATypedOutcome() throws Exception {
        List<byte[]> recorded;
        try (Swtpm swtpm = Swtpm.start(state)) {
            Recording rec;
            try (Tpm tpm = Tpm.over(rec = new Recording(TpmTransport.tcp(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), swtpm.port()),
                    java.time.Duration.ofSeconds(30))))) {
                scenario(tpm);
            }
            recorded = rec.responses;
        }
        // the unmodified replay runs the whole scenario
        Replay clean = new Replay(recorded);
        scenario(Tpm.over(clean));
        assertEquals(recorded.size(), clean.next);
        int runs = 0;
        int headerRuns = 0;
        int headerTyped = 0;
        for (int i = 0; i < recorded.size(); i++) {
            for (int j = 0; j < recorded.get(i).length; j++) {
                for (int xor : new int[] {0x01, 0xFF}) {
                    List<byte[]> mutated = new ArrayList<>(recorded);
                    byte[] m = recorded.get(i).clone();
                    m[j] ^= (byte) xor;
                    mutated.set(i, m);
                    runs++;
                    headerRuns += j < 10 ? 1 : 0;
                    try {
                        scenario(Tpm.over(new Replay(mutated)));
                    } catch (TpmException | IOException expected) {
                        headerTyped += j < 10 ? 1 : 0;
                    }
                }
            }
        }
        assertTrue(runs > 3000, "runs " + runs);
        // a changed response header (tag, size, response code) is always caught; changes elsewhere
        // may land in bytes no parser can judge (random bytes, PCR values, key coordinates)
        assertEquals(headerRuns, headerTyped);
    }
}
