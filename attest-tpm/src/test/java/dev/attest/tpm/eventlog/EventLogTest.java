package dev.attest.tpm.eventlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-built logs: replay rules and every rejection reason with its offset. */
class EventLogTest {
    /** Little-endian log writer. */
    static final class Log {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Log u32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Log u16(int v) {
            out.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
            return this;
        }

        Log u8(int v) {
            out.write(v);
            return this;
        }

        Log bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        /** Spec ID event (SHA-1 format header) declaring SHA-256 only, or the given algorithms. */
        Log specId(int... algSizes) {
            Log d = new Log().bytes("Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII)).u32(0).u8(0).u8(2).u8(0).u8(2)
                    .u32(algSizes.length / 2);
            for (int i = 0; i < algSizes.length; i += 2) {
                d.u16(algSizes[i]).u16(algSizes[i + 1]);
            }
            d.u8(0);
            byte[] data = d.out.toByteArray();
            return u32(0).u32(3).bytes(new byte[20]).u32(data.length).bytes(data);
        }

        Log event2(int pcr, int type, byte[] sha256, byte[] data) {
            return u32(pcr).u32(type).u32(1).u16(0x000B).bytes(sha256).u32(data.length).bytes(data);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    static byte[] sha256(String s) {
        return HashAlg.SHA256.hash(s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] extend(byte[] pcr, byte[] d) {
        byte[] c = Arrays.copyOf(pcr, pcr.length + d.length);
        System.arraycopy(d, 0, c, pcr.length, d.length);
        return HashAlg.SHA256.hash(c);
    }

    static TpmFormatException fails(byte[] log) {
        return assertThrows(TpmFormatException.class, () -> EventLog.parse(log));
    }

    @Test
    void replayFollowsLocalityAndResetRules() throws Exception {
        byte[] loc = Arrays.copyOf("StartupLocality\0".getBytes(StandardCharsets.US_ASCII), 17);
        loc[16] = 3;
        byte[] log = new Log().specId(0x000B, 32)
                .event2(0, 3, new byte[32], loc)
                .event2(0, 8, sha256("crtm"), new byte[] {0})
                .event2(17, 5, sha256("drtm"), new byte[0])
                .event2(7, 4, sha256("sep"), new byte[4])
                .event2(7, 3, sha256("ignored"), new byte[0])
                .bytes();
        EventLog parsed = EventLog.parse(log);
        assertEquals(EventLog.Format.CRYPTO_AGILE, parsed.format());
        assertEquals(List.of(new SpecIdEvent.AlgorithmSize(0x000B, 32)), parsed.specId().orElseThrow().algorithms());
        assertEquals(6, parsed.events().size());
        PcrValues v = parsed.replay();
        byte[] pcr0 = new byte[32];
        pcr0[31] = 3;
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xFF);
        assertArrayEquals(extend(pcr0, sha256("crtm")), v.get(HashAlg.SHA256, 0).orElseThrow());
        assertArrayEquals(extend(ones, sha256("drtm")), v.get(HashAlg.SHA256, 17).orElseThrow());
        assertArrayEquals(extend(new byte[32], sha256("sep")), v.get(HashAlg.SHA256, 7).orElseThrow());
        assertEquals(3, v.asMap().get(HashAlg.SHA256).size());
    }

    @Test
    void rejectionsAreTypedWithOffsets() {
        byte[] spec = new Log().specId(0x000B, 32).bytes();
        int e1 = spec.length;
        // event size far beyond the input: TRUNCATED, nothing allocated
        TpmFormatException big = fails(new Log().bytes(spec).u32(0).u32(4).u32(1).u16(0x000B).bytes(new byte[32])
                .u32(0x7FFFFFF0).bytes());
        assertEquals(Reason.TRUNCATED, big.reason());
        assertEquals(e1 + 4 + 4 + 4 + 2 + 32, big.offset());
        // digest algorithm not declared by the Spec ID event
        TpmFormatException alg = fails(new Log().bytes(spec).u32(0).u32(4).u32(1).u16(0x0004).bytes(new byte[20]).u32(0).bytes());
        assertEquals(Reason.UNKNOWN_ALGORITHM, alg.reason());
        assertEquals(e1 + 12, alg.offset());
        // digest count differs from the Spec ID event's
        TpmFormatException cnt = fails(new Log().bytes(spec).u32(0).u32(4).u32(2).bytes());
        assertEquals(Reason.INVALID_VALUE, cnt.reason());
        assertEquals(e1 + 8, cnt.offset());
        // PCR index out of range, and PCR -1 on an extending event
        assertEquals(Reason.INVALID_VALUE, fails(new Log().bytes(spec).event2(64, 4, new byte[32], new byte[0]).bytes()).reason());
        assertEquals(Reason.INVALID_VALUE, fails(new Log().bytes(spec).event2(-1, 4, new byte[32], new byte[0]).bytes()).reason());
        // SHA-256 declared with 20-byte digests
        assertEquals(Reason.DIGEST_SIZE_MISMATCH, fails(new Log().specId(0x000B, 20).bytes()).reason());
        assertEquals(Reason.INVALID_SPEC_ID_EVENT, fails(new Log().specId().bytes()).reason());
        assertEquals(Reason.INVALID_SPEC_ID_EVENT, fails(new Log().specId(0x000B, 32, 0x000B, 32).bytes()).reason());
        assertEquals(Reason.TRUNCATED, fails(new byte[0]).reason());
        assertEquals(Reason.TRUNCATED, fails(Arrays.copyOf(spec, spec.length - 1)).reason());
        assertEquals(Reason.SIZE_LIMIT, fails(new byte[EventLog.MAX_LOG_SIZE + 1]).reason());
    }

    @Test
    void sha1FormatLogReplaysTheSha1Bank() throws Exception {
        byte[] d = HashAlg.SHA1.hash(new byte[4]);
        byte[] log = new Log().u32(4).u32(4).bytes(d).u32(4).bytes(new byte[4]).bytes();
        EventLog parsed = EventLog.parse(log);
        assertEquals(EventLog.Format.SHA1, parsed.format());
        byte[] c = new byte[40];
        System.arraycopy(d, 0, c, 20, 20);
        assertArrayEquals(HashAlg.SHA1.hash(c), parsed.replay().get(HashAlg.SHA1, 4).orElseThrow());
    }

    @Test
    void malformedVariableDataIsATypedError() throws Exception {
        byte[] var = new Log().bytes(new byte[16]).u32(1000).u32(0).u32(0).u32(0).bytes();
        byte[] log = new Log().specId(0x000B, 32).event2(7, 0x80000001, HashAlg.SHA256.hash(var), var).bytes();
        EventLog parsed = EventLog.parse(log);
        TpmFormatException e = assertThrows(TpmFormatException.class, parsed::secureBootVariables);
        assertEquals(Reason.TRUNCATED, e.reason());
    }
}
