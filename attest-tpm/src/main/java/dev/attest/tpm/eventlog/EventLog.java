package dev.attest.tpm.eventlog;

import dev.attest.core.internal.eventlog.TcgEventLog;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.internal.CoreFormat;
import dev.attest.tpm.internal.TpmReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A TCG PC Client boot event log as the firmware hands it to the OS
 * ({@code /sys/kernel/security/tpm0/binary_bios_measurements}): TCG PFP §10.2 and §10.4, read by
 * the SDK's one parser of the format (in attest-core, shared with the device's
 * {@code BootEventLogCollector}, so device and verifier agree on every byte). Both formats are parsed: crypto-agile (first event a "Spec ID Event03" Spec ID event, then
 * TCG_PCR_EVENT2 records) and the SHA-1 format (TCG_PCR_EVENT records). Parsing is strict and
 * bounded: every size is checked against the remaining input, event digests must match the
 * algorithms and sizes of the Spec ID event, and an EV_NO_ACTION first event that is not a Spec
 * ID event is rejected.
 *
 * @param format the log format
 * @param specId the Spec ID event, if the log has one
 * @param events every event in order, including the Spec ID event (index 0) when present
 */
public record EventLog(Format format, Optional<SpecIdEvent> specId, List<Event> events) {

    /** Log formats (TCG PFP §10.2). */
    public enum Format {
        /** TCG_PCR_EVENT records with one SHA-1 digest each. */
        SHA1,
        /** TCG_PCR_EVENT2 records with one digest per algorithm of the Spec ID event. */
        CRYPTO_AGILE
    }

    /** Bound on the log size (real logs are tens to hundreds of KiB). */
    public static final int MAX_LOG_SIZE = TcgEventLog.MAX_LOG_SIZE;
    /** Bound on algorithms in a Spec ID event. */
    public static final int MAX_ALGORITHMS = TcgEventLog.MAX_ALGORITHMS;
    /** Bound on a PCR index. */
    public static final int MAX_PCR = TcgEventLog.MAX_PCR;
    /**
     * PCR index 0xFFFFFFFF: an event recorded in no PCR (Windows appends such EV_NO_ACTION
     * records); accepted only with EV_NO_ACTION, never replayed.
     */
    public static final int NO_PCR = TcgEventLog.NO_PCR;

    private static final byte[] STARTUP_LOCALITY = "StartupLocality\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * Copies.
     *
     * @param format the log format
     * @param specId the Spec ID event, if the log has one
     * @param events every event in order, including the Spec ID event (index 0) when present
     */
    public EventLog {
        events = List.copyOf(events);
    }

    /**
     * Parses a binary event log.
     *
     * @param log the log bytes
     * @return the parsed log
     * @throws TpmFormatException TRUNCATED, SIZE_LIMIT, INVALID_SPEC_ID_EVENT, DIGEST_SIZE_MISMATCH,
     *         UNKNOWN_ALGORITHM (an event digest algorithm not in the Spec ID event), INVALID_VALUE
     */
    public static EventLog parse(byte[] log) throws TpmFormatException {
        TcgEventLog parsed;
        try {
            parsed = TcgEventLog.parse(log);
        } catch (TcgEventLog.Failure f) {
            throw CoreFormat.exception(f.format());
        }
        List<Event> events = new ArrayList<>(parsed.events().size());
        for (TcgEventLog.Event e : parsed.events()) {
            List<EventDigest> digests = new ArrayList<>(e.digests().size());
            for (TcgEventLog.Digest d : e.digests()) {
                digests.add(new EventDigest(d.algId(), d.digest()));
            }
            events.add(new Event(e.index(), e.offset(), e.pcr(), e.type(), digests, e.data()));
        }
        Optional<SpecIdEvent> specId = parsed.specId().map(s -> new SpecIdEvent(s.signature(), s.platformClass(),
                s.specVersionMajor(), s.specVersionMinor(), s.specErrata(), s.uintnSize(),
                s.algorithms().stream().map(a -> new SpecIdEvent.AlgorithmSize(a.algId(), a.digestSize())).toList(),
                s.vendorInfo()));
        return new EventLog(parsed.cryptoAgile() ? Format.CRYPTO_AGILE : Format.SHA1, specId, events);
    }

    /** @return the banks this SDK can replay: the known algorithms of the Spec ID event, or SHA-1 */
    public List<HashAlg> banks() {
        if (format == Format.SHA1) {
            return List.of(HashAlg.SHA1);
        }
        List<HashAlg> banks = new ArrayList<>();
        for (SpecIdEvent.AlgorithmSize a : specId.orElseThrow().algorithms()) {
            HashAlg.fromAlgId(a.algId()).ifPresent(banks::add);
        }
        return banks;
    }

    /**
     * Replays the log: for every event except EV_NO_ACTION, PCR := H(PCR || digest), per bank
     * (TPM 2.0 Part 1 §17.5, TCG PFP §10.4). PCRs start at zero, PCRs 17-22 at all ones (PC
     * Client PTP §4.6), and PCR 0 at the locality of a StartupLocality event (PFP §10.4.5.3).
     *
     * @return the value of every PCR the log extends, per replayable bank
     */
    public PcrValues replay() {
        Map<HashAlg, Map<Integer, byte[]>> out = new EnumMap<>(HashAlg.class);
        int locality = 0;
        for (Event e : events) {
            byte[] d = e.data();
            if (e.type() == EventType.EV_NO_ACTION.value() && e.pcr() == 0 && d.length == 17
                    && Arrays.equals(Arrays.copyOf(d, 16), STARTUP_LOCALITY)) {
                locality = d[16] & 0xFF;
            }
        }
        for (HashAlg h : banks()) {
            Map<Integer, byte[]> bank = new TreeMap<>();
            var md = h.newDigest();
            for (Event e : events) {
                if (e.type() == EventType.EV_NO_ACTION.value()) {
                    continue;
                }
                byte[] v = bank.get(e.pcr());
                if (v == null) {
                    v = new byte[h.digestSize()];
                    if (e.pcr() >= 17 && e.pcr() <= 22) {
                        Arrays.fill(v, (byte) 0xFF);
                    } else if (e.pcr() == 0) {
                        v[v.length - 1] = (byte) locality;
                    }
                }
                md.update(v);
                md.update(e.digest(h).orElseThrow());
                bank.put(e.pcr(), md.digest());
            }
            out.put(h, bank);
        }
        return PcrValues.of(out);
    }

    /**
     * The EV_EFI_VARIABLE_DRIVER_CONFIG events (secure boot configuration: SecureBoot, PK, KEK,
     * db, dbx, ...), in log order, each checked against its digests.
     *
     * @return the variables in log order
     * @throws TpmFormatException TRUNCATED, TRAILING_BYTES or SIZE_LIMIT if a UEFI_VARIABLE_DATA is malformed
     */
    public List<SecureBootVariable> secureBootVariables() throws TpmFormatException {
        return variables(EventType.EV_EFI_VARIABLE_DRIVER_CONFIG);
    }

    /**
     * The EV_EFI_VARIABLE_AUTHORITY events (PFP §3.3.4.8): for each image secure boot verified,
     * the db entry (EFI_SIGNATURE_DATA: owner GUID and certificate or hash) that authorized it,
     * and (for shim) the MokList/SbatLevel entries it used. Bytes after VariableData are
     * tolerated here: shim records some in its authority events.
     *
     * @return the authorities in log order
     * @throws TpmFormatException as {@link #secureBootVariables()}
     */
    public List<SecureBootVariable> secureBootAuthorities() throws TpmFormatException {
        return variables(EventType.EV_EFI_VARIABLE_AUTHORITY);
    }

    private List<SecureBootVariable> variables(EventType type) throws TpmFormatException {
        List<SecureBootVariable> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type() != type.value()) {
                continue;
            }
            byte[] d = e.data();
            TpmReader r = TpmReader.of(d);
            long base = e.offset();
            try {
                String guid = guid(r.bytes(16, "VariableName"));
                long nameLen = r.u64le("UnicodeNameLength");
                long dataLen = r.u64le("VariableDataLength");
                if (nameLen < 0 || nameLen > r.remaining() / 2 || dataLen < 0 || dataLen > r.remaining()) {
                    throw new TpmFormatException(Reason.TRUNCATED, 32, "UEFI_VARIABLE_DATA lengths exceed the event");
                }
                String name = new String(r.bytes((int) nameLen * 2, "UnicodeName"), StandardCharsets.UTF_16LE);
                byte[] value = r.bytes((int) dataLen, "VariableData");
                if (type == EventType.EV_EFI_VARIABLE_DRIVER_CONFIG) {
                    r.end("UEFI_VARIABLE_DATA");
                }
                boolean match = true;
                for (HashAlg h : banks()) {
                    match &= e.digest(h).map(x -> Arrays.equals(x, h.hash(d))).orElse(false);
                }
                out.add(new SecureBootVariable(e.index(), e.pcr(), guid, name, value, match));
            } catch (TpmFormatException x) {
                throw new TpmFormatException(x.reason(), base + Math.max(0, x.offset()),
                        "event " + e.index() + " " + type + ": " + x.getMessage());
            }
        }
        return out;
    }

    /**
     * Secure boot state as measured: the first byte of the SecureBoot variable (EFI_GLOBAL_VARIABLE)
     * in an EV_EFI_VARIABLE_DRIVER_CONFIG event (PFP §3.3.4.8: 1 = enabled).
     *
     * @return true/false if the SecureBoot variable was measured with a 1-byte value, else empty
     * @throws TpmFormatException as {@link #secureBootVariables()}
     */
    public Optional<Boolean> secureBootEnabled() throws TpmFormatException {
        for (SecureBootVariable v : secureBootVariables()) {
            if (v.name().equals("SecureBoot") && v.vendorGuid().equals(SecureBootVariable.EFI_GLOBAL_VARIABLE)
                    && v.data().length == 1) {
                return Optional.of(v.data()[0] == 1);
            }
        }
        return Optional.empty();
    }

    /**
     * The EV_EFI_BOOT_SERVICES_APPLICATION events (boot loaders) with their image digests.
     *
     * @return the boot applications in log order
     * @throws TpmFormatException TRUNCATED if a UEFI_IMAGE_LOAD_EVENT is shorter than its fields
     *         (bytes after the device path are tolerated: shim records some)
     */
    public List<BootApplication> bootApplications() throws TpmFormatException {
        boolean u32 = specId.map(s -> s.uintnSize() == 1).orElse(false);
        List<BootApplication> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type() != EventType.EV_EFI_BOOT_SERVICES_APPLICATION.value()) {
                continue;
            }
            TpmReader r = TpmReader.of(e.data());
            try {
                long location = r.u64le("ImageLocationInMemory");
                long length = u32 ? Integer.toUnsignedLong(r.u32le("ImageLengthInMemory")) : r.u64le("ImageLengthInMemory");
                if (u32) {
                    r.u32le("ImageLinkTimeAddress");
                } else {
                    r.u64le("ImageLinkTimeAddress");
                }
                long pathLen = u32 ? Integer.toUnsignedLong(r.u32le("LengthOfDevicePath")) : r.u64le("LengthOfDevicePath");
                if (pathLen < 0 || pathLen > r.remaining()) {
                    throw new TpmFormatException(Reason.TRUNCATED, r.position(), "LengthOfDevicePath " + pathLen);
                }
                byte[] path = r.bytes((int) pathLen, "DevicePath");
                out.add(new BootApplication(e.index(), e.pcr(), e.digests(), location, length, path));
            } catch (TpmFormatException x) {
                throw new TpmFormatException(x.reason(), e.offset() + Math.max(0, x.offset()),
                        "event " + e.index() + " EV_EFI_BOOT_SERVICES_APPLICATION: " + x.getMessage());
            }
        }
        return out;
    }

    /** EFI_GUID: UINT32, UINT16, UINT16 little-endian, then 8 bytes in order (UEFI spec Appendix A). */
    private static String guid(byte[] g) {
        return String.format("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
    }
}
