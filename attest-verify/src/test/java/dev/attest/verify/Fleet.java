package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.ear.TrustTier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A fleet of {@link TestDevice}s and, per device, a fixed stream of real evidence mixing healthy
 * periodic and challenged evidence with replays, reused nonces, tampered firmware, a gap in the
 * log and a reboot, each with the exact outcome it must get. Appraising the streams on one thread
 * or on eight (each device's stream in order on one thread, the devices of a thread interleaved)
 * against one shared store must give identical results.
 */
final class Fleet {
    /** What item {@code i} of a device's stream is. */
    enum Kind {
        FIRST(TrustTier.AFFIRMING), HEALTHY(TrustTier.AFFIRMING), CHALLENGE(TrustTier.AFFIRMING),
        REPLAY(TrustTier.CONTRAINDICATED, Checks.REPLAY),
        NONCE_REUSED(TrustTier.CONTRAINDICATED, Checks.NONCE_REPLAY),
        TAMPERED(TrustTier.CONTRAINDICATED, Checks.REFERENCE_DIGEST),
        GAP(TrustTier.CONTRAINDICATED, Checks.BROKEN),
        REBOOT(TrustTier.WARNING, Checks.REBOOT);

        final String expected;

        Kind(TrustTier status, String... checks) {
            expected = status.jsonName() + " " + List.of(checks);
        }

        static Kind of(int i) {
            if (i == 0) {
                return FIRST;
            }
            switch (i % 10) {
                case 1: return CHALLENGE;
                case 3: return REPLAY;        // of item i-1
                case 4: return NONCE_REUSED;  // item i-3's nonce on new evidence
                case 5: return TAMPERED;
                case 7: return GAP;           // one evidence never delivered
                case 8: return REBOOT;        // recovers from the gap
                default: return HEALTHY;
            }
        }
    }

    /** One appraisal to run. */
    record Item(Kind kind, byte[] token, AppraisalContext context) {
    }

    final Map<String, VerificationKey> keys;
    final List<String> devices;
    final Map<String, List<Item>> streams;
    final ReferenceValues references;
    final int size;

    private Fleet(Map<String, VerificationKey> keys, List<String> devices, Map<String, List<Item>> streams,
            ReferenceValues references) {
        this.keys = keys;
        this.devices = devices;
        this.streams = streams;
        this.references = references;
        this.size = streams.values().stream().mapToInt(List::size).sum();
    }

    /** {@code devices} devices with {@code perDevice} items each, generated on all cores. */
    static Fleet generate(int devices, int perDevice) throws Exception {
        TestDevice golden = new TestDevice("golden");
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(golden.publicKey()))
                .build().decode(golden.evidence()).claims());
        List<String> ids = IntStream.range(0, devices).mapToObj(d -> String.format("dev-%05d", d)).toList();
        Map<String, VerificationKey> keys = new ConcurrentHashMap<>();
        Map<String, List<Item>> streams = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (String id : ids) {
                fs.add(pool.submit(() -> {
                    TestDevice dev = new TestDevice(id);
                    keys.put(id, dev.publicKey());
                    streams.put(id, stream(dev, perDevice));
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Fleet(Map.copyOf(keys), ids, Map.copyOf(streams), refs);
    }

    private static List<Item> stream(TestDevice dev, int n) throws Exception {
        List<Item> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Kind k = Kind.of(i);
            switch (k) {
                case CHALLENGE: {
                    byte[] nonce = nonce(dev.id, i);
                    items.add(new Item(k, dev.evidence(dev.cycle(), nonce), AppraisalContext.challenge(nonce)));
                    break;
                }
                case REPLAY:
                    items.add(new Item(k, items.get(i - 1).token(), items.get(i - 1).context()));
                    break;
                case NONCE_REUSED: {
                    byte[] nonce = nonce(dev.id, i - 3);
                    items.add(new Item(k, dev.evidence(dev.cycle(), nonce), AppraisalContext.challenge(nonce)));
                    break;
                }
                case TAMPERED:
                    dev.firmware = "firmware v1 (patched)";
                    items.add(new Item(k, dev.evidence(), AppraisalContext.periodic()));
                    dev.firmware = "firmware v1";
                    break;
                case GAP:
                    dev.evidence();
                    items.add(new Item(k, dev.evidence(), AppraisalContext.periodic()));
                    break;
                case REBOOT:
                    dev.reboot("boot-" + i);
                    items.add(new Item(k, dev.evidence(), AppraisalContext.periodic()));
                    break;
                default:
                    items.add(new Item(k, dev.evidence(), AppraisalContext.periodic()));
            }
        }
        return items;
    }

    private static byte[] nonce(String device, int i) {
        return String.format("%s/%07d", device, i).getBytes(StandardCharsets.US_ASCII);
    }

    /** A verifier for this fleet on {@code store}, at the fixed time the evidence is fresh for. */
    Verifier verifier(DeviceStateStore store) {
        return Verifier.builder().trustAnchors(TrustAnchors.pinned(keys)).referenceValues(references)
                .stateStore(store).clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC)).build();
    }

    /** {@code status [non-INFO checks]}, the outcome compared between runs. */
    static String outcome(AttestationResult r) {
        return r.status().jsonName() + " " + r.findings().stream().filter(f -> f.severity() != Severity.INFO)
                .map(Finding::check).collect(Collectors.toList());
    }

    /** Every item on the calling thread, device after device. */
    Map<String, List<String>> appraiseOnOneThread(Verifier v) {
        Map<String, List<String>> out = new HashMap<>();
        for (String d : devices) {
            List<String> rs = new ArrayList<>();
            for (Item it : streams.get(d)) {
                rs.add(outcome(v.appraise(it.token(), it.context())));
            }
            out.put(d, rs);
        }
        return out;
    }

    /**
     * Every item on {@code threads} threads sharing {@code v}: device {@code d} belongs to thread
     * {@code d mod threads}, which takes one item of each of its devices in turn.
     */
    Map<String, List<String>> appraiseOnThreads(Verifier v, int threads) throws Exception {
        Map<String, List<String>> out = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<String> mine = new ArrayList<>();
                for (int d = t; d < devices.size(); d += threads) {
                    mine.add(devices.get(d));
                }
                fs.add(pool.submit(() -> {
                    Map<String, List<String>> local = new HashMap<>();
                    mine.forEach(d -> local.put(d, new ArrayList<>()));
                    int longest = mine.stream().mapToInt(d -> streams.get(d).size()).max().orElse(0);
                    for (int i = 0; i < longest; i++) {
                        for (String d : mine) {
                            List<Item> s = streams.get(d);
                            if (i < s.size()) {
                                local.get(d).add(outcome(v.appraise(s.get(i).token(), s.get(i).context())));
                            }
                        }
                    }
                    out.putAll(local);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    /** Asserts that every item got exactly the outcome its kind must get. */
    void assertExpected(Map<String, List<String>> results) {
        assertEquals(devices.size(), results.size());
        for (String d : devices) {
            List<Item> s = streams.get(d);
            List<String> expected = s.stream().map(it -> it.kind().expected).toList();
            assertEquals(expected, results.get(d), d);
        }
    }

    /** How many items of each kind (to show the mix is not vacuous). */
    Map<Kind, Long> mix() {
        Map<Kind, Long> m = new java.util.EnumMap<>(Kind.class);
        streams.values().forEach(s -> s.forEach(it -> m.merge(it.kind(), 1L, Long::sum)));
        return Collections.unmodifiableMap(m);
    }
}
