package dev.attest.tpm.attest;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.ComponentId;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.Hierarchy;
import dev.attest.tpm.LoadedKey;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Quote;
import dev.attest.tpm.Tpm;
import dev.attest.tpm.TpmException;
import dev.attest.tpm.TpmTransport;
import dev.attest.tpm.TpmsAttest;
import dev.attest.tpm.TpmtPublic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link Collector} that has the TPM quote its PCRs once per cycle (TPM 2.0 Part 3 §18.4
 * TPM2_Quote), bound to the cycle's challenge.
 *
 * <p>Per cycle: the qualifying data is the cycle's nonce ({@link CollectionContext#nonce()}) or,
 * for a periodic cycle, 32 fresh random bytes; the TPM quotes the configured PCR selection
 * (default {@link #DEFAULT_PCRS}, SHA-256 PCRs 0-10) with an ECC P-256 restricted signing
 * AK ({@link TpmtPublic#akEccP256Template()}, a primary key of the endorsement hierarchy, so its
 * clock info is not obfuscated), created on the first cycle, kept loaded, and flushed by
 * {@link #close()}; then the same PCRs are read. Should a PCR change between quote and read (IMA
 * extends PCR 10 at any time), the pair is retaken, up to {@value #ATTEMPTS} times; the last
 * pair is reported either way, and the verifier tells.
 *
 * <p>Reports one measurement, component {@code tpm-quote}, layer {@link Layer#TPM} (EAT submodule
 * {@code tpm}), with the values (all byte strings are the TPM's wire encoding, TPM 2.0 Part 2):
 * <ul>
 * <li>{@code attest}: the TPMS_ATTEST the TPM signed (§10.12.12);</li>
 * <li>{@code signature}: the TPMT_SIGNATURE (§11.3.4);</li>
 * <li>{@code ak-public}: the AK's TPM2B_PUBLIC (§12.2.5);</li>
 * <li>{@code ak-name}: the AK's Name (nameAlg || H(TPMT_PUBLIC), Part 1 §16);</li>
 * <li>{@code qualifying-data}: the qualifying data (the nonce, or the random bytes);</li>
 * <li>{@code pcrs}: a map from {@code "<bank>:<index>"} (e.g. {@code sha256:0}) to the PCR value.</li>
 * </ul>
 * When no TPM is reachable (the device does not exist or cannot be opened, nothing listens at
 * the address) the measurement is UNSUPPORTED and names the TPM and the reason. A TPM that
 * answers with an error, or a transport that fails mid-cycle, makes the cycle fail (the scheduler
 * records an ERROR); the next cycle reconnects.
 *
 * <p>Not registered with {@code ServiceLoader}: which TPM and which PCRs are deployment choices.
 * Thread-safe (its methods are synchronized).
 */
public final class TpmQuoteCollector implements Collector, AutoCloseable {
    /** Id of this collector, also the measurement's component name. */
    public static final String ID = "tpm-quote";
    /** Value: the TPMS_ATTEST bytes. */
    public static final String ATTEST = "attest";
    /** Value: the TPMT_SIGNATURE bytes. */
    public static final String SIGNATURE = "signature";
    /** Value: the AK's TPM2B_PUBLIC bytes. */
    public static final String AK_PUBLIC = "ak-public";
    /** Value: the AK's Name. */
    public static final String AK_NAME = "ak-name";
    /** Value: the qualifying data. */
    public static final String QUALIFYING_DATA = "qualifying-data";
    /** Value: the PCR values, {@code "<bank>:<index>"} to bytes. */
    public static final String PCRS = "pcrs";
    /** The PCRs quoted by default: SHA-256 bank, 0-7 (firmware and boot loader), 8-9 (boot loader, in the IMA boot_aggregate) and 10 (IMA). */
    public static final PcrSelection DEFAULT_PCRS = PcrSelection.of(HashAlg.SHA256, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    /** How many times a quote is retaken when a PCR changes between quote and read. */
    public static final int ATTEMPTS = 3;

    static final ComponentId COMPONENT = ComponentId.of(ID);

    /** Opens a transport to the TPM; separate so that "no TPM here" is told from later failures. */
    private interface Opener {
        TpmTransport open() throws IOException;
    }

    private final Opener opener;
    private final String where;
    private final PcrSelection pcrs;
    private final SecureRandom random;
    private Tpm tpm;
    private LoadedKey ak;

    private TpmQuoteCollector(Opener opener, String where, PcrSelection pcrs, SecureRandom random) {
        this.opener = opener;
        this.where = where;
        this.pcrs = Objects.requireNonNull(pcrs, "pcrs");
        if (pcrs.isEmpty()) {
            throw new IllegalArgumentException("empty PCR selection");
        }
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * A collector for the Linux TPM device {@code device} (normally {@code /dev/tpmrm0}), default PCRs.
     *
     * @param device the TPM device path
     * @return the collector
     */
    public static TpmQuoteCollector device(Path device) {
        Objects.requireNonNull(device, "device");
        return new TpmQuoteCollector(() -> TpmTransport.device(device), device.toString(), DEFAULT_PCRS, new SecureRandom());
    }

    /**
     * A collector for a TPM simulator's command port (swtpm), default PCRs.
     *
     * @param address the simulator's command port
     * @return the collector
     */
    public static TpmQuoteCollector tcp(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        return new TpmQuoteCollector(() -> TpmTransport.tcp(address, Duration.ofSeconds(10)),
                "tcp:" + address.getHostString() + ":" + address.getPort(), DEFAULT_PCRS, new SecureRandom());
    }

    /**
     * This collector quoting {@code selection} instead (before its first cycle).
     *
     * @param selection the PCRs to quote
     * @return a new collector; this one is unchanged
     * @throws IllegalArgumentException if the selection is empty
     */
    public TpmQuoteCollector withPcrs(PcrSelection selection) {
        return new TpmQuoteCollector(opener, where, selection, random);
    }

    /**
     * The PCR selection quoted.
     *
     * @return the PCR selection
     */
    public PcrSelection pcrs() {
        return pcrs;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Layer layer() {
        return Layer.TPM;
    }

    @Override
    public synchronized List<Measurement> collect(CollectionContext context) throws IOException, TpmException {
        if (tpm == null) {
            TpmTransport t;
            try {
                t = opener.open();
            } catch (IOException e) {
                return List.of(Measurement.unsupported(ID, COMPONENT, Layer.TPM, context.time(),
                        "no TPM reachable at " + where + ": "
                        + (e instanceof java.nio.file.NoSuchFileException ? "no such device" : e.getMessage())));
            }
            tpm = Tpm.over(t);
        }
        try {
            if (ak == null) {
                ak = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.akEccP256Template());
            }
            byte[] qualifying = context.nonce().orElseGet(() -> {
                byte[] b = new byte[32];
                random.nextBytes(b);
                return b;
            });
            Quote quote = null;
            PcrValues values = null;
            for (int i = 0; i < ATTEMPTS; i++) {
                quote = tpm.quote(ak.handle(), pcrs, qualifying);
                values = tpm.pcrRead(pcrs);
                if (consistent(quote, values)) {
                    break;
                }
            }
            return List.of(measurement(context, quote, values, qualifying));
        } catch (IOException | TpmException | RuntimeException e) {
            // The connection's state is unknown (a broken pipe, a restarted simulator): start over.
            closeQuietly();
            throw e;
        }
    }

    private boolean consistent(Quote quote, PcrValues values) throws IOException {
        TpmsAttest a = quote.parseAttest();
        byte[] concatenated = values.concatenate(pcrs).orElse(new byte[0]);
        return MessageDigest.isEqual(HashAlg.SHA256.hash(concatenated), a.pcrDigest());
    }

    private Measurement measurement(CollectionContext context, Quote quote, PcrValues values, byte[] qualifying) {
        Map<String, Value> pcrMap = new TreeMap<>();
        for (Map.Entry<HashAlg, ? extends Map<Integer, byte[]>> bank : values.asMap().entrySet()) {
            for (Map.Entry<Integer, byte[]> p : bank.getValue().entrySet()) {
                pcrMap.put(PcrNames.key(bank.getKey(), p.getKey()), new Value.Bytes(p.getValue()));
            }
        }
        return Measurement.builder(COMPONENT, Layer.TPM).collector(ID).time(context.time())
                .value(ATTEST, new Value.Bytes(quote.attest()))
                .value(SIGNATURE, new Value.Bytes(quote.signature()))
                .value(AK_PUBLIC, new Value.Bytes(ak.publicArea().encodeTpm2b()))
                .value(AK_NAME, new Value.Bytes(ak.name()))
                .value(QUALIFYING_DATA, new Value.Bytes(qualifying))
                .value(PCRS, Value.MapValue.of(pcrMap))
                .build();
    }

    /**
     * The AK's public area, once the first cycle created it.
     *
     * @return the AK's public area, or empty before the first cycle
     */
    public synchronized java.util.Optional<TpmtPublic> attestationKey() {
        return ak == null ? java.util.Optional.empty() : java.util.Optional.of(ak.publicArea());
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // already failing; the caller sees the first error
        }
    }

    /** Flushes the AK and closes the connection; the next cycle opens a new one. */
    @Override
    public synchronized void close() throws IOException {
        Tpm t = tpm;
        LoadedKey k = ak;
        tpm = null;
        ak = null;
        if (t == null) {
            return;
        }
        try {
            if (k != null) {
                t.flushContext(k.handle());
            }
        } catch (TpmException | IOException e) {
            // A TPM that went away has no object left to flush.
        } finally {
            t.close();
        }
    }

    @Override
    public String toString() {
        return "TpmQuoteCollector[" + where + ", " + pcrs + "]";
    }
}
