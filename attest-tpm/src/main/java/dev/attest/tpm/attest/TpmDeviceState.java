package dev.attest.tpm.attest;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmsAttest;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link TpmAppraiser} keeps per device between evidences, and its encoding as one blob in
 * the verifier's {@link DeviceStateStore}: the clock info of the last verified quote (TPM 2.0
 * Part 2 §10.11.1) and the IMA list bound so far ({@link ImaBinding.State}).
 *
 * <p>Encoding, format {@value #FORMAT}, all integers big-endian: {@code u8 format},
 * {@code u8 flags} (bit 0: clock present, bit 1: IMA present, others zero); the clock as
 * {@code i64 clock, u32 resetCount, u32 restartCount, u8 safe (0|1)}; the IMA state as
 * {@code u32 resetCount}, the last clock, the last quote's SHA-256 (32 bytes), {@code i64 bound},
 * {@code i64 next} ({@code 0 <= bound <= next}), the bound and the pending PCR 10 replay (each:
 * {@code u8 count} = number of {@link HashAlg}s, then per bank in {@link HashAlg} order
 * {@code u16 TPM_ALG_ID} and the digest), {@code u32 count} (at most
 * {@link ImaBinding#MAX_DEFERRED}) deferred findings (each: check, trust claim name, severity
 * name, path, expected, actual as Java modified UTF-8 strings of at most {@value #MAX_TEXT}
 * bytes), {@code i64 dropped} ({@code >= 0}), {@code u8 broken (0|1)} and its reason. Decoding
 * bounds every length, rejects trailing bytes and any encoding that is not exactly the one
 * {@link #encode} writes for the decoded state, with {@link TpmFormatException}.
 *
 * <p>Encodings longer than {@link DeviceStateStore#MAX_APPRAISER_STATE_BYTES} (only possible with
 * thousands of deferred allowlist findings with long paths) keep the first deferred findings that
 * fit and count the rest as dropped, which is reported as one summary finding once bound, as
 * beyond {@link ImaBinding#MAX_DEFERRED}.
 *
 * @param clock the clock info of the last verified quote that did not roll back
 * @param ima the device's IMA binding, if it ever reported IMA
 */
record TpmDeviceState(Optional<TpmsAttest.ClockInfo> clock, Optional<ImaBinding.State> ima) {
    /** The encoding's format version. */
    static final int FORMAT = 1;
    /** The longest string in the encoding, in modified UTF-8 bytes (a finding's texts are at most 512 characters). */
    static final int MAX_TEXT = 2048;
    /** A device seen for the first time. */
    static final TpmDeviceState NONE = new TpmDeviceState(Optional.empty(), Optional.empty());
    private static final int ATTEST_DIGEST = 32;

    /** The encoding, within {@link DeviceStateStore#MAX_APPRAISER_STATE_BYTES}. */
    byte[] encode() {
        byte[] out = write(this);
        if (out.length <= DeviceStateStore.MAX_APPRAISER_STATE_BYTES) {
            return out;
        }
        ImaBinding.State s = ima.orElseThrow();
        int keep = s.deferred().size();
        while (out.length > DeviceStateStore.MAX_APPRAISER_STATE_BYTES && keep > 0) {
            keep /= 2;
            ImaBinding.State trimmed = new ImaBinding.State(s.resetCount(), s.lastClock(), s.lastAttest(), s.bound(),
                    s.next(), s.boundPcr(), s.pendingPcr(), List.copyOf(s.deferred().subList(0, keep)),
                    s.deferredDropped() + s.deferred().size() - keep, s.broken());
            out = write(new TpmDeviceState(clock, Optional.of(trimmed)));
        }
        return out;
    }

    private static byte[] write(TpmDeviceState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeByte(FORMAT);
            o.writeByte((state.clock.isPresent() ? 1 : 0) | (state.ima.isPresent() ? 2 : 0));
            if (state.clock.isPresent()) {
                writeClock(o, state.clock.get());
            }
            if (state.ima.isPresent()) {
                ImaBinding.State s = state.ima.get();
                if (s.lastAttest().length != ATTEST_DIGEST) {
                    throw new IllegalArgumentException("the last attest digest is not SHA-256");
                }
                o.writeInt(s.resetCount());
                writeClock(o, s.lastClock());
                o.write(s.lastAttest());
                o.writeLong(s.bound());
                o.writeLong(s.next());
                writeBanks(o, s.boundPcr());
                writeBanks(o, s.pendingPcr());
                o.writeInt(s.deferred().size());
                for (Finding f : s.deferred()) {
                    o.writeUTF(f.check());
                    o.writeUTF(f.claim().name());
                    o.writeUTF(f.severity().name());
                    o.writeUTF(f.path());
                    o.writeUTF(f.expected());
                    o.writeUTF(f.actual());
                }
                o.writeLong(s.deferredDropped());
                o.writeByte(s.broken().isPresent() ? 1 : 0);
                if (s.broken().isPresent()) {
                    o.writeUTF(s.broken().get());
                }
            }
        } catch (IOException e) {
            // A ByteArrayOutputStream does not fail; writeUTF refuses strings over 65535 bytes,
            // which a Finding (512 characters at most) cannot reach.
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeClock(DataOutputStream o, TpmsAttest.ClockInfo c) throws IOException {
        o.writeLong(c.clock());
        o.writeInt(c.resetCount());
        o.writeInt(c.restartCount());
        o.writeByte(c.safe() ? 1 : 0);
    }

    private static void writeBanks(DataOutputStream o, Map<HashAlg, byte[]> banks) throws IOException {
        o.writeByte(HashAlg.values().length);
        for (HashAlg h : HashAlg.values()) {
            byte[] d = banks.get(h);
            if (d == null || d.length != h.digestSize()) {
                throw new IllegalArgumentException("bank " + h + " missing or of the wrong size");
            }
            o.writeShort(h.algId());
            o.write(d);
        }
    }

    /**
     * Decodes {@link #encode}'s output.
     *
     * @throws TpmFormatException {@code UNSUPPORTED_TYPE} for another format version,
     *     {@code TRUNCATED}, {@code TRAILING_BYTES}, {@code SIZE_LIMIT} for a length beyond its
     *     bound, {@code UNKNOWN_ALGORITHM} for a bank, {@code INVALID_VALUE} for a value out of
     *     range or an encoding that is not canonical
     */
    static TpmDeviceState decode(byte[] in) throws TpmFormatException {
        if (in.length > DeviceStateStore.MAX_APPRAISER_STATE_BYTES) {
            throw new TpmFormatException(TpmFormatException.Reason.SIZE_LIMIT, 0, in.length + " bytes");
        }
        Reader r = new Reader(in);
        int format = r.u8();
        if (format != FORMAT) {
            throw new TpmFormatException(TpmFormatException.Reason.UNSUPPORTED_TYPE, 0, "format " + format);
        }
        int flags = r.u8();
        if ((flags & ~3) != 0) {
            throw new TpmFormatException(TpmFormatException.Reason.INVALID_VALUE, 1, "flags " + flags);
        }
        Optional<TpmsAttest.ClockInfo> clock = (flags & 1) != 0 ? Optional.of(r.clock()) : Optional.empty();
        Optional<ImaBinding.State> ima = Optional.empty();
        if ((flags & 2) != 0) {
            int resetCount = r.i32();
            TpmsAttest.ClockInfo last = r.clock();
            byte[] attest = r.bytes(ATTEST_DIGEST);
            int at = r.pos;
            long bound = r.i64();
            long next = r.i64();
            if (bound < 0 || next < bound) {
                throw new TpmFormatException(TpmFormatException.Reason.INVALID_VALUE, at, "bound " + bound + ", next " + next);
            }
            Map<HashAlg, byte[]> boundPcr = r.banks();
            Map<HashAlg, byte[]> pendingPcr = r.banks();
            at = r.pos;
            long count = r.i32() & 0xffffffffL;
            if (count > ImaBinding.MAX_DEFERRED) {
                throw new TpmFormatException(TpmFormatException.Reason.SIZE_LIMIT, at, count + " deferred findings");
            }
            List<Finding> deferred = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                String check = r.text();
                at = r.pos;
                TrustClaim claim = r.constant(TrustClaim.class, r.text(), at);
                at = r.pos;
                Severity severity = r.constant(Severity.class, r.text(), at);
                deferred.add(new Finding(check, claim, severity, r.text(), r.text(), r.text()));
            }
            at = r.pos;
            long dropped = r.i64();
            if (dropped < 0) {
                throw new TpmFormatException(TpmFormatException.Reason.INVALID_VALUE, at, "dropped " + dropped);
            }
            Optional<String> broken = r.flag() ? Optional.of(r.text()) : Optional.empty();
            ima = Optional.of(new ImaBinding.State(resetCount, last, attest, bound, next, boundPcr, pendingPcr,
                    List.copyOf(deferred), dropped, broken));
        }
        if (r.pos != in.length) {
            throw new TpmFormatException(TpmFormatException.Reason.TRAILING_BYTES, r.pos, (in.length - r.pos) + " bytes");
        }
        TpmDeviceState s = new TpmDeviceState(clock, ima);
        // Every state has exactly one encoding: anything else (an overlong UTF-8 form, a text a
        // Finding would cut) was not written by this code.
        if (!Arrays.equals(write(s), in)) {
            throw new TpmFormatException(TpmFormatException.Reason.INVALID_VALUE, 0, "not the canonical encoding");
        }
        return s;
    }

    /** Reads the encoding with every length checked against what is left. */
    private static final class Reader {
        private final byte[] in;
        private int pos;

        Reader(byte[] in) {
            this.in = in;
        }

        private void need(int n) throws TpmFormatException {
            if (in.length - pos < n) {
                throw new TpmFormatException(TpmFormatException.Reason.TRUNCATED, pos, "needs " + n + " more bytes");
            }
        }

        int u8() throws TpmFormatException {
            need(1);
            return in[pos++] & 0xff;
        }

        int u16() throws TpmFormatException {
            need(2);
            int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        int i32() throws TpmFormatException {
            need(4);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (in[pos++] & 0xff);
            }
            return v;
        }

        long i64() throws TpmFormatException {
            return ((long) i32() << 32) | (i32() & 0xffffffffL);
        }

        byte[] bytes(int n) throws TpmFormatException {
            need(n);
            byte[] b = Arrays.copyOfRange(in, pos, pos + n);
            pos += n;
            return b;
        }

        boolean flag() throws TpmFormatException {
            int at = pos;
            int v = u8();
            if (v > 1) {
                throw new TpmFormatException(TpmFormatException.Reason.INVALID_VALUE, at, "flag " + v);
            }
            return v == 1;
        }

        TpmsAttest.ClockInfo clock() throws TpmFormatException {
            long clock = i64();
            int reset = i32();
            int restart = i32();
            return new TpmsAttest.ClockInfo(clock, reset, restart, flag());
        }

        Map<HashAlg, byte[]> banks() throws TpmFormatException {
            int at = pos;
            int count = u8();
            if (count != HashAlg.values().length) {
                throw new TpmFormatException(TpmFormatException.Reason.INVALID_VALUE, at, count + " banks");
            }
            Map<HashAlg, byte[]> banks = new EnumMap<>(HashAlg.class);
            for (HashAlg want : HashAlg.values()) {
                at = pos;
                int id = u16();
                if (id != want.algId()) {
                    throw new TpmFormatException(TpmFormatException.Reason.UNKNOWN_ALGORITHM, at,
                            String.format("bank 0x%04x where 0x%04x belongs", id, want.algId()));
                }
                banks.put(want, bytes(want.digestSize()));
            }
            return banks;
        }

        String text() throws TpmFormatException {
            int at = pos;
            int n = u16();
            if (n > MAX_TEXT) {
                throw new TpmFormatException(TpmFormatException.Reason.SIZE_LIMIT, at, n + " bytes of text");
            }
            need(n);
            try {
                String s = new DataInputStream(new ByteArrayInputStream(in, at, n + 2)).readUTF();
                pos += n;
                return s;
            } catch (IOException e) {
                throw new TpmFormatException(TpmFormatException.Reason.INVALID_VALUE, at, "malformed modified UTF-8");
            }
        }

        <E extends Enum<E>> E constant(Class<E> type, String name, int at) throws TpmFormatException {
            try {
                return Enum.valueOf(type, name);
            } catch (IllegalArgumentException e) {
                throw new TpmFormatException(TpmFormatException.Reason.INVALID_VALUE, at, "no " + type.getSimpleName()
                        + " " + name);
            }
        }
    }
}
