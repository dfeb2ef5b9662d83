package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmsAttest;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The encoding of TpmAppraiser's per-device state: exact layout, round trip, every malformed form refused. */
class TpmDeviceStateTest {
    static final TpmsAttest.ClockInfo CLOCK = new TpmsAttest.ClockInfo(0x0102030405060708L, 3, -1, true);

    static Map<HashAlg, byte[]> banks(int fill) {
        Map<HashAlg, byte[]> m = new EnumMap<>(HashAlg.class);
        for (HashAlg h : HashAlg.values()) {
            byte[] d = new byte[h.digestSize()];
            Arrays.fill(d, (byte) fill);
            m.put(h, d);
        }
        return m;
    }

    static TpmDeviceState full() {
        byte[] attest = new byte[32];
        Arrays.fill(attest, (byte) 0xaa);
        List<Finding> deferred = List.of(
                new Finding(TpmAppraiser.IMA_NOT_ALLOWED, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                        "/submods/os//usr/bin/x/file-digest", "/usr/bin/x in the allowlist", "sha256:00ff"),
                // Texts are kept exactly, whatever they hold: NUL, non-ASCII, an unpaired surrogate.
                new Finding(TpmAppraiser.IMA_VIOLATION, TrustClaim.EXECUTABLES, Severity.WARNING,
                        "/submods/os//tmp/\u0000\u00e9\ud83d\ude00\ud800", "", "x".repeat(512)));
        ImaBinding.State ima = new ImaBinding.State(3, new TpmsAttest.ClockInfo(99, 3, 0, false), attest, 2, 5,
                banks(0x11), banks(0x22), deferred, 7, Optional.of("entry 2 (missing)"));
        return new TpmDeviceState(Optional.of(CLOCK), Optional.of(ima));
    }

    static void assertSameState(TpmDeviceState want, TpmDeviceState got) {
        assertEquals(want.clock(), got.clock());
        assertEquals(want.ima().isPresent(), got.ima().isPresent());
        if (want.ima().isEmpty()) {
            return;
        }
        ImaBinding.State w = want.ima().get();
        ImaBinding.State g = got.ima().get();
        assertEquals(w.resetCount(), g.resetCount());
        assertEquals(w.lastClock(), g.lastClock());
        assertArrayEquals(w.lastAttest(), g.lastAttest());
        assertEquals(w.bound(), g.bound());
        assertEquals(w.next(), g.next());
        for (HashAlg h : HashAlg.values()) {
            assertArrayEquals(w.boundPcr().get(h), g.boundPcr().get(h), h.toString());
            assertArrayEquals(w.pendingPcr().get(h), g.pendingPcr().get(h), h.toString());
        }
        assertEquals(w.deferred(), g.deferred());
        assertEquals(w.deferredDropped(), g.deferredDropped());
        assertEquals(w.broken(), g.broken());
    }

    static TpmFormatException.Reason rejected(byte[] b) {
        return assertThrows(TpmFormatException.class, () -> TpmDeviceState.decode(b)).reason();
    }

    @Test
    void theLayoutIsExact() throws Exception {
        assertEquals("0100", HexFormat.of().formatHex(TpmDeviceState.NONE.encode()));
        TpmDeviceState clockOnly = new TpmDeviceState(Optional.of(CLOCK), Optional.empty());
        assertEquals("0101" + "0102030405060708" + "00000003" + "ffffffff" + "01",
                HexFormat.of().formatHex(clockOnly.encode()));
        assertSameState(clockOnly, TpmDeviceState.decode(clockOnly.encode()));
        byte[] full = full().encode();
        // format, flags, clock (17), reset count (4), last clock (17), attest digest (32), bound, next
        ByteBuffer b = ByteBuffer.wrap(full);
        assertEquals(1, b.get());
        assertEquals(3, b.get());
        assertEquals(CLOCK.clock(), b.getLong(2));
        assertEquals(3, b.getInt(19));
        assertEquals(2, b.getLong(19 + 4 + 17 + 32));
        assertEquals(5, b.getLong(19 + 4 + 17 + 32 + 8));
        int banks = 1 + HashAlg.values().length * 2 + Arrays.stream(HashAlg.values()).mapToInt(HashAlg::digestSize).sum();
        assertEquals(1 + 4 * 2 + 20 + 32 + 48 + 64, banks, "SHA-1, SHA-256, SHA-384, SHA-512 banks");
        assertEquals(2, b.getInt(19 + 4 + 17 + 32 + 16 + 2 * banks), "deferred count");
    }

    @Test
    void roundTrips() throws Exception {
        for (TpmDeviceState s : List.of(TpmDeviceState.NONE, full(),
                new TpmDeviceState(Optional.empty(), full().ima()))) {
            byte[] e = s.encode();
            TpmDeviceState d = TpmDeviceState.decode(e);
            assertSameState(s, d);
            assertArrayEquals(e, d.encode());
        }
    }

    @Test
    void everyTruncationAndTrailingByteIsRefused() {
        byte[] e = full().encode();
        for (int n = 0; n < e.length; n++) {
            TpmFormatException.Reason r = rejected(Arrays.copyOf(e, n));
            assertEquals(TpmFormatException.Reason.TRUNCATED, r, "cut to " + n);
        }
        assertEquals(TpmFormatException.Reason.TRAILING_BYTES, rejected(Arrays.copyOf(e, e.length + 1)));
        assertEquals(TpmFormatException.Reason.TRAILING_BYTES, rejected(new byte[] {1, 0, 0}));
    }

    @Test
    void malformedValuesAreRefusedWithTheirReason() {
        byte[] e = full().encode();
        byte[] other = e.clone();
        other[0] = 2;
        assertEquals(TpmFormatException.Reason.UNSUPPORTED_TYPE, rejected(other), "another format version");
        byte[] flags = e.clone();
        flags[1] = 7;
        assertEquals(TpmFormatException.Reason.INVALID_VALUE, rejected(flags));
        byte[] safe = e.clone();
        safe[18] = 2;
        assertEquals(TpmFormatException.Reason.INVALID_VALUE, rejected(safe), "a boolean that is neither 0 nor 1");
        int boundAt = 19 + 4 + 17 + 32;
        byte[] bound = e.clone();
        ByteBuffer.wrap(bound).putLong(boundAt, 6);
        assertEquals(TpmFormatException.Reason.INVALID_VALUE, rejected(bound), "bound after next");
        ByteBuffer.wrap(bound).putLong(boundAt, -1);
        assertEquals(TpmFormatException.Reason.INVALID_VALUE, rejected(bound), "negative bound");
        int banksAt = boundAt + 16;
        byte[] count = e.clone();
        count[banksAt] = 3;
        assertEquals(TpmFormatException.Reason.INVALID_VALUE, rejected(count), "a bank missing");
        byte[] alg = e.clone();
        alg[banksAt + 2] = 0x0b;
        assertEquals(TpmFormatException.Reason.UNKNOWN_ALGORITHM, rejected(alg), "SHA-256 where SHA-1 belongs");
        int banks = 1 + HashAlg.values().length * 2 + Arrays.stream(HashAlg.values()).mapToInt(HashAlg::digestSize).sum();
        int deferredAt = banksAt + 2 * banks;
        byte[] many = e.clone();
        ByteBuffer.wrap(many).putInt(deferredAt, ImaBinding.MAX_DEFERRED + 1);
        assertEquals(TpmFormatException.Reason.SIZE_LIMIT, rejected(many));
        ByteBuffer.wrap(many).putInt(deferredAt, -1);
        assertEquals(TpmFormatException.Reason.SIZE_LIMIT, rejected(many), "a count read unsigned");
        // The first deferred finding's check id: u16 length then modified UTF-8.
        byte[] longText = e.clone();
        ByteBuffer.wrap(longText).putShort(deferredAt + 4, (short) (TpmDeviceState.MAX_TEXT + 1));
        assertEquals(TpmFormatException.Reason.SIZE_LIMIT, rejected(longText));
        byte[] badUtf = e.clone();
        badUtf[deferredAt + 6] = (byte) 0xff;
        assertEquals(TpmFormatException.Reason.INVALID_VALUE, rejected(badUtf));
        // "tpm.ima-not-allowed" with its 't' written overlong (0xc1 0xb4): decodable, not canonical.
        byte[] check = TpmAppraiser.IMA_NOT_ALLOWED.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] overlong = new byte[e.length + 1];
        System.arraycopy(e, 0, overlong, 0, deferredAt + 4);
        ByteBuffer.wrap(overlong).putShort(deferredAt + 4, (short) (check.length + 1));
        overlong[deferredAt + 6] = (byte) 0xc1;
        overlong[deferredAt + 7] = (byte) 0xb4;
        System.arraycopy(e, deferredAt + 7, overlong, deferredAt + 8, e.length - deferredAt - 7);
        assertEquals(TpmFormatException.Reason.INVALID_VALUE, rejected(overlong));
        byte[] claim = e.clone();
        int claimAt = deferredAt + 6 + check.length;
        claim[claimAt + 2] = 'X';
        assertEquals(TpmFormatException.Reason.INVALID_VALUE, rejected(claim), "an unknown trust claim");
        assertEquals(TpmFormatException.Reason.SIZE_LIMIT,
                rejected(new byte[DeviceStateStore.MAX_APPRAISER_STATE_BYTES + 1]));
    }

    @Test
    void aStateOverTheStoreBoundDropsDeferredFindingsIntoTheCount() throws Exception {
        ImaBinding.State s = full().ima().orElseThrow();
        List<Finding> deferred = new ArrayList<>();
        for (int i = 0; i < ImaBinding.MAX_DEFERRED; i++) {
            deferred.add(new Finding(TpmAppraiser.IMA_NOT_ALLOWED, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                    "/submods/os//usr/lib/" + "p".repeat(200) + i + "/file-digest", "in the allowlist",
                    "sha256:" + "0".repeat(64)));
        }
        ImaBinding.State big = new ImaBinding.State(s.resetCount(), s.lastClock(), s.lastAttest(), s.bound(), s.next(),
                s.boundPcr(), s.pendingPcr(), deferred, 7, s.broken());
        byte[] e = new TpmDeviceState(Optional.empty(), Optional.of(big)).encode();
        assertTrue(e.length <= DeviceStateStore.MAX_APPRAISER_STATE_BYTES, e.length + " bytes");
        ImaBinding.State got = TpmDeviceState.decode(e).ima().orElseThrow();
        assertTrue(got.deferred().size() < ImaBinding.MAX_DEFERRED && got.deferred().size() > 1000,
                got.deferred().size() + " kept");
        assertEquals(deferred.subList(0, got.deferred().size()), got.deferred(), "the first ones are kept");
        assertEquals(7 + ImaBinding.MAX_DEFERRED - got.deferred().size(), got.deferredDropped());
    }
}
