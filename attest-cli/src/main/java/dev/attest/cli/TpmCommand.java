package dev.attest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.Hierarchy;
import dev.attest.tpm.LoadedKey;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Quote;
import dev.attest.tpm.QuoteVerification;
import dev.attest.tpm.QuoteVerifier;
import dev.attest.tpm.Tpm;
import dev.attest.tpm.TpmException;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmTransport;
import dev.attest.tpm.TpmsAttest;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.TpmtSignature;
import dev.attest.tpm.eventlog.Event;
import dev.attest.tpm.eventlog.EventDigest;
import dev.attest.tpm.eventlog.EventLog;
import dev.attest.tpm.eventlog.EventType;
import dev.attest.tpm.ima.ImaLog;
import dev.attest.tpm.ima.ImaPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest tpm}: TPM helpers (attest-tpm). */
@Command(name = "tpm", mixinStandardHelpOptions = true, description = {
        "TPM 2.0 helpers.",
        "Read PCRs and quote (a TPM device or simulator), verify a quote made by any TPM stack, "
                + "parse and replay boot event logs and IMA lists."},
        subcommands = {TpmCommand.Pcrs.class, TpmCommand.QuoteCmd.class, TpmCommand.EventlogCmd.class,
                TpmCommand.Ima.class, TpmCommand.VerifyQuote.class})
final class TpmCommand {
    private static final HexFormat HEX = HexFormat.of();

    private TpmCommand() {
    }

    /** Which TPM: {@code --tcp HOST:PORT} (swtpm) or {@code --device PATH} (default /dev/tpmrm0). */
    static final class Target {
        @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "A TPM simulator's command port (swtpm).")
        String tcp;

        @Option(names = "--device", paramLabel = "PATH", description = "A TPM device (default /dev/tpmrm0).")
        Path device;

        Tpm open() throws InputException {
            try {
                if (tcp != null) {
                    int colon = tcp.lastIndexOf(':');
                    int port;
                    try {
                        port = colon < 1 ? -1 : Integer.parseInt(tcp.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        port = -1;
                    }
                    if (port < 1 || port > 65535) {
                        throw new InputException("--tcp: expected HOST:PORT, got \"" + tcp + "\"");
                    }
                    return Tpm.over(TpmTransport.tcp(new InetSocketAddress(tcp.substring(0, colon), port),
                            Duration.ofSeconds(30)));
                }
                Path d = device == null ? Path.of("/dev/tpmrm0") : device;
                return Tpm.over(TpmTransport.device(d));
            } catch (IOException e) {
                throw new InputException("no TPM reachable at " + (tcp != null ? "tcp:" + tcp
                        : device == null ? "/dev/tpmrm0" : device) + ": "
                        + (e instanceof java.nio.file.NoSuchFileException ? "no such device" : Attest.oneLine(e)), e);
            }
        }
    }

    static String sel(PcrSelection s) {
        List<String> parts = new ArrayList<>();
        for (PcrSelection.Bank b : s.banks()) {
            parts.add(b.hash().name().toLowerCase(Locale.ROOT) + ":"
                    + String.join(",", b.pcrs().stream().map(String::valueOf).toList()));
        }
        return String.join("+", parts);
    }

    static void printPcrs(PrintWriter out, PcrValues values) {
        for (Map.Entry<HashAlg, SortedMap<Integer, byte[]>> bank : values.asMap().entrySet()) {
            out.println(bank.getKey().name().toLowerCase(Locale.ROOT) + ":");
            bank.getValue().forEach((i, v) -> out.printf("  %2d: %s%n", i, HEX.formatHex(v)));
        }
    }

    static void printJson(PrintWriter out, Object value) throws IOException {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
    }

    static InputException tpmFailure(String what, Exception e) {
        return new InputException(what + " failed: " + Attest.oneLine(e), e);
    }

    /** {@code attest tpm pcrs}. */
    @Command(name = "pcrs", mixinStandardHelpOptions = true, description = {
            "Reads PCR values (TPM2_PCR_Read).",
            "Default: PCRs 0-23 of every active bank.",
            "Exit 0, 3 if the TPM is unreachable or refuses."})
    static final class Pcrs implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @ArgGroup(exclusive = true)
        Target target = new Target();

        @Option(names = "--pcrs", paramLabel = "SEL", description = "PCRs to read, e.g. sha256:0-7,10+sha1:0.")
        String pcrs;

        @Option(names = "--json", description = "Print {\"sha256\": {\"0\": \"<hex>\", ...}, ...}.")
        boolean json;

        @Option(names = "--verbose", description = "Explain errors in more detail.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            PcrSelection want = pcrs == null ? null : TpmFiles.selection(pcrs);
            PcrValues values;
            try (Tpm tpm = target.open()) {
                if (want == null) {
                    List<PcrSelection.Bank> banks = new ArrayList<>();
                    for (PcrSelection.Bank b : tpm.pcrBanks().banks()) {
                        if (!b.pcrs().isEmpty()) {
                            banks.add(new PcrSelection.Bank(b.hash(), b.pcrs()));
                        }
                    }
                    want = new PcrSelection(banks);
                }
                values = tpm.pcrRead(want);
            } catch (IOException | TpmException e) {
                throw tpmFailure("TPM2_PCR_Read", e);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                printJson(out, TpmFiles.json(values));
            } else {
                printPcrs(out, values);
            }
            return 0;
        }
    }

    /** {@code attest tpm quote}. */
    @Command(name = "quote", mixinStandardHelpOptions = true, description = {
            "Quotes PCRs (TPM2_Quote) and writes the quote files.",
            "The attestation key is an ECC P-256 restricted signing primary of the endorsement "
                    + "hierarchy. Writes to --out-dir: attest.bin (TPMS_ATTEST), "
                    + "signature.bin (TPMT_SIGNATURE), ak.pub (the AK's TPM2B_PUBLIC) and pcrs.json.",
            "Verify them with 'attest tpm verify-quote' (or tpm2_checkquote). Exit 0, 3 on failure."})
    static final class QuoteCmd implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @ArgGroup(exclusive = true)
        Target target = new Target();

        @Option(names = "--nonce", required = true, paramLabel = "HEX", description = "The verifier's nonce (8 to 64 bytes).")
        String nonce;

        @Option(names = "--pcrs", paramLabel = "SEL", defaultValue = "sha256:0-7,10",
                description = "PCRs to quote (default ${DEFAULT-VALUE}).")
        String pcrs;

        @Option(names = "--out-dir", required = true, paramLabel = "DIR", description = "Where to write the files.")
        Path outDir;

        @Option(names = "--verbose", description = "Explain errors in more detail.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            byte[] n = Hex.nonce(nonce);
            PcrSelection sel = TpmFiles.selection(pcrs);
            Quote quote;
            PcrValues values;
            TpmtPublic ak;
            try (Tpm tpm = target.open()) {
                LoadedKey k = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.akEccP256Template());
                try {
                    quote = tpm.quote(k.handle(), sel, n);
                    values = tpm.pcrRead(sel);
                    ak = k.publicArea();
                } finally {
                    tpm.flushContext(k.handle());
                }
            } catch (IOException | TpmException e) {
                throw tpmFailure("TPM2_Quote", e);
            }
            try {
                Files.createDirectories(outDir);
                Files.write(outDir.resolve("attest.bin"), quote.attest());
                Files.write(outDir.resolve("signature.bin"), quote.signature());
                Files.write(outDir.resolve("ak.pub"), ak.encodeTpm2b());
                Files.writeString(outDir.resolve("pcrs.json"),
                        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(TpmFiles.json(values)) + "\n");
            } catch (IOException e) {
                throw new InputException(outDir + ": cannot write (" + e.getClass().getSimpleName() + ")", e);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("quoted " + sel(sel) + " with AK " + HEX.formatHex(ak.name()));
            out.println("wrote " + outDir.resolve("attest.bin") + ", signature.bin, ak.pub, pcrs.json");
            return 0;
        }
    }

    /** {@code attest tpm eventlog}. */
    @Command(name = "eventlog", mixinStandardHelpOptions = true, description = {
            "Prints a boot event log's events and replayed PCRs.",
            "Parses a binary TCG PC Client boot event log (crypto-agile or SHA-1), prints its events "
                    + "and the PCR values it replays to, per bank. --json prints only the replayed PCRs:",
            "{\"sha256\": {\"0\": \"<hex>\", ...}, ...}. Exit 0, 3 for an unreadable or malformed log."})
    static final class EventlogCmd implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The log, e.g. /sys/kernel/security/tpm0/binary_bios_measurements.")
        Path file;

        @Option(names = "--json", description = "Print the replayed PCRs as JSON.")
        boolean json;

        @Option(names = "--verbose", description = "Explain errors in more detail.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            EventLog log = parseLog(file);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                printJson(out, TpmFiles.json(log.replay()));
                return 0;
            }
            out.println("format: " + log.format().name().toLowerCase(Locale.ROOT) + ", " + log.events().size()
                    + " events, banks " + log.banks().stream().map(h -> h.name().toLowerCase(Locale.ROOT)).toList());
            for (Event e : log.events()) {
                String type = EventType.of(e.type()).map(Enum::name).orElse(String.format("0x%08X", e.type()));
                out.printf("%4d  pcr %s  %s%n", e.index(), e.pcr() == EventLog.NO_PCR ? "-" : Integer.toString(e.pcr()), type);
                for (EventDigest d : e.digests()) {
                    String alg = HashAlg.fromAlgId(d.algId()).map(h -> h.name().toLowerCase(Locale.ROOT))
                            .orElse(String.format("0x%04X", d.algId()));
                    out.println("        " + alg + ": " + HEX.formatHex(d.digest()));
                }
            }
            out.println("pcrs:");
            for (Map.Entry<HashAlg, SortedMap<Integer, byte[]>> bank : log.replay().asMap().entrySet()) {
                out.println("  " + bank.getKey().name().toLowerCase(Locale.ROOT) + ":");
                bank.getValue().forEach((i, v) -> out.printf("    %2d: %s%n", i, HEX.formatHex(v)));
            }
            return 0;
        }
    }

    static EventLog parseLog(Path file) throws InputException {
        try {
            return EventLog.parse(InputFiles.bytes(file, TpmFiles.MAX_LOG));
        } catch (TpmFormatException e) {
            throw new InputException(file + ": not a TCG event log: " + e.reason() + " at byte " + e.offset()
                    + " (" + Attest.oneLine(e) + ")", e);
        }
    }

    /** {@code attest tpm ima}. */
    @Command(name = "ima", mixinStandardHelpOptions = true, description = {
            "Replays and appraises a Linux IMA measurement list.",
            "Parses an IMA ASCII measurement list (ima, ima-ng, ima-sig, ima-buf), checks every "
                    + "template hash and prints the PCR 10 values it replays to. With --policy (a Keylime "
                    + "runtime policy JSON) appraises every entry: exit 0 when all match or are excluded, "
                    + "2 when any is not in the policy, mismatches it or is a violation; 3 for unusable input."})
    static final class Ima implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The list, e.g. /sys/kernel/security/ima/ascii_runtime_measurements.")
        Path file;

        @Option(names = "--policy", paramLabel = "FILE", description = "A Keylime runtime policy (JSON).")
        Path policy;

        @Option(names = "--verbose", description = "Explain errors in more detail.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            ImaLog log;
            try {
                log = ImaLog.parse(InputFiles.bytes(file, TpmFiles.MAX_LOG));
            } catch (TpmFormatException e) {
                throw new InputException(file + ": not an IMA list: " + e.reason() + " at line " + e.offset()
                        + " (" + Attest.oneLine(e) + ")", e);
            }
            ImaPolicy pol = null;
            if (policy != null) {
                try {
                    pol = ImaPolicy.parseKeylime(InputFiles.bytes(policy, ImaPolicy.MAX_SIZE));
                } catch (TpmFormatException e) {
                    throw new InputException(policy + ": not a Keylime runtime policy: " + e.reason() + " ("
                            + Attest.oneLine(e) + ")", e);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(log.entries().size() + " entries, template hash " + log.templateHashAlg().name().toLowerCase(Locale.ROOT));
            out.println("pcr 10:");
            out.println("  sha1: " + HEX.formatHex(log.replay().get(HashAlg.SHA1, 10).orElse(new byte[20])));
            out.println("  sha256: " + HEX.formatHex(log.replay(HashAlg.SHA256).get(HashAlg.SHA256, 10).orElse(new byte[32])));
            if (pol == null) {
                return 0;
            }
            Map<ImaPolicy.Verdict, Integer> counts = new EnumMap<>(ImaPolicy.Verdict.class);
            boolean bad = false;
            for (ImaPolicy.Finding f : pol.appraise(log)) {
                counts.merge(f.verdict(), 1, Integer::sum);
                if (f.verdict() != ImaPolicy.Verdict.MATCH && f.verdict() != ImaPolicy.Verdict.EXCLUDED) {
                    bad = true;
                    out.println(f.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-') + " line " + f.entry().line()
                            + ": " + f.entry().path());
                }
            }
            out.println("policy: " + counts.entrySet().stream()
                    .map(e -> e.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-') + " " + e.getValue()).toList());
            return bad ? Attest.EXIT_REJECTED : 0;
        }
    }

    /** {@code attest tpm verify-quote}. */
    @Command(name = "verify-quote", mixinStandardHelpOptions = true, description = {
            "Verifies a TPM 2.0 quote made by any TPM stack.",
            "--quote is the TPMS_ATTEST (tpm2_quote -m) with --signature the TPMT_SIGNATURE "
                    + "(tpm2_quote -s), or a Keylime agent quote string, or a go-attestation Quote (JSON); "
                    + "--ak the attestation key as TPM2B_PUBLIC (tpm2_createak -u), TPMT_PUBLIC (go-attestation) "
                    + "or PEM (auto-detected); --pcrs the PCR values as tpm2-tools' file (tpm2_quote -o) or JSON "
                    + "{\"sha256\": {\"0\": \"<hex>\"}} (a Keylime quote carries its own). Signatures: RSASSA, "
                    + "RSA-PSS, ECDSA.",
            "With --eventlog the boot event log must replay to the quoted PCRs in every bank the "
                    + "quote selects (without PCR values its replay is the PCR values). Without --nonce the "
                    + "qualifying data is not checked and the output says freshness was not checked. "
                    + "Quotes signed with SHA-1 are refused unless --allow-sha1.",
            "Exit 0 only when every check passes, 2 when a check fails, 3 for unusable input."})
    static final class VerifyQuote implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--ak", required = true, paramLabel = "FILE", description = "The attestation key.")
        Path ak;

        @Option(names = "--quote", required = true, paramLabel = "FILE", description = "The TPMS_ATTEST (tpm2_quote -m), "
                + "a Keylime agent quote string r<attest>:<signature>:<pcrs> (base64, each part optionally zlib), "
                + "or a go-attestation Quote as JSON {\"Version\":2,\"Quote\":..,\"Signature\":..}.")
        Path quote;

        @Option(names = "--signature", paramLabel = "FILE", description = "The TPMT_SIGNATURE (tpm2_quote -s); only with a TPMS_ATTEST.")
        Path signature;

        @Option(names = "--nonce", paramLabel = "HEX", description = "The expected qualifying data, 0 to 64 bytes ('' for none), "
                + "compared exactly. Without --nonce the qualifying data is not checked, whatever its length, "
                + "and the output says that freshness was not checked.")
        String nonce;

        @Option(names = "--pcrs", paramLabel = "FILE", description = "The quoted PCR values.")
        Path pcrs;

        @Option(names = "--eventlog", paramLabel = "FILE", description = "A boot event log that must replay to the quoted PCRs.")
        Path eventlog;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Option(names = "--allow-sha1", description = "Accept quotes signed with a SHA-1 scheme.")
        boolean allowSha1;

        @Option(names = "--verbose", description = "Explain errors in more detail.")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            TpmFiles.QuoteFiles files = TpmFiles.quote(quote, signature);
            byte[] attestBytes = files.attest();
            byte[] sigBytes = files.signature();
            TpmsAttest attest;
            TpmtSignature sig;
            try {
                attest = TpmsAttest.parse(attestBytes);
            } catch (TpmFormatException e) {
                throw new InputException(quote + ": not a TPMS_ATTEST: " + e.reason() + " at byte " + e.offset(), e);
            }
            try {
                sig = TpmtSignature.parse(sigBytes);
            } catch (TpmFormatException e) {
                throw new InputException((signature != null ? signature : quote) + ": not a TPMT_SIGNATURE: " + e.reason()
                        + " at byte " + e.offset(), e);
            }
            TpmFiles.Ak key = TpmFiles.ak(ak, sig);
            if (pcrs == null && eventlog == null && files.pcrBlob().isEmpty()) {
                throw new InputException("give --pcrs or --eventlog: without PCR values the quote's PCR digest cannot be checked");
            }
            Optional<byte[]> expected = nonce == null ? Optional.empty() : Optional.of(hexNonce(nonce));
            EventLog log = eventlog == null ? null : parseLog(eventlog);
            PcrValues values = pcrs != null ? TpmFiles.pcrs(pcrs, attest.pcrSelect())
                    : files.pcrBlob().isPresent() ? TpmFiles.pcrBlob(quote, files.pcrBlob().get(), attest.pcrSelect())
                    : log.replay();
            boolean quotedValues = pcrs != null || files.pcrBlob().isPresent();
            QuoteVerifier verifier = QuoteVerifier.builder().allowSha1(allowSha1).build();
            Quote q = new Quote(attestBytes, sigBytes);
            // A nonce of 8 to 64 bytes is a challenge; any other --nonce (0 to 7 bytes) is compared
            // exactly as a historical quote's qualifying data, and without --nonce nothing is.
            QuoteVerification v = expected.isPresent() && expected.get().length >= 8
                    ? verifier.verify(key.key(), q, expected.get(), values)
                    : verifier.verifyOffline(key.key(), q, expected, values);
            List<Map<String, String>> failures = new ArrayList<>();
            for (QuoteVerification.Failure f : v.failures()) {
                String detail = f.detail();
                if (f.reason() == QuoteVerification.Reason.SHA1_NOT_ALLOWED) {
                    detail += " (pass --allow-sha1 to accept SHA-1 quotes)";
                }
                failures.add(failure(f.reason().name().toLowerCase(Locale.ROOT), detail));
            }
            List<String> compared = new ArrayList<>();
            if (log != null && quotedValues) {
                // Every bank the quote selects is compared with the log's replay in that bank: a
                // bank the log does not record is a failure, never skipped.
                Map<HashAlg, SortedMap<Integer, byte[]>> replay = log.replay().asMap();
                for (PcrSelection.Bank b : attest.pcrSelect().banks()) {
                    String bank = b.hash().name().toLowerCase(Locale.ROOT);
                    SortedMap<Integer, byte[]> quoted = values.asMap().get(b.hash());
                    SortedMap<Integer, byte[]> replayed = replay.get(b.hash());
                    if (replayed == null) {
                        failures.add(failure("eventlog_bank_missing", bank + ": the quote selects PCRs "
                                + b.pcrs() + " of this bank; the event log has no " + bank + " digests (its banks: "
                                + log.banks().stream().map(h -> h.name().toLowerCase(Locale.ROOT)).toList() + ")"));
                        continue;
                    }
                    List<Integer> here = new ArrayList<>();
                    for (int i : b.pcrs()) {
                        if (!replayed.containsKey(i) || quoted == null || !quoted.containsKey(i)) {
                            continue; // a PCR the firmware log does not extend (e.g. IMA's PCR 10)
                        }
                        here.add(i);
                        if (!MessageDigest.isEqual(replayed.get(i), quoted.get(i))) {
                            failures.add(failure("eventlog_mismatch", bank + " PCR " + i
                                    + ": quoted " + HEX.formatHex(quoted.get(i)) + ", log replays to "
                                    + HEX.formatHex(replayed.get(i))));
                        }
                    }
                    compared.add(bank + ":" + here.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
                }
                if (compared.stream().allMatch(c -> c.endsWith(":"))) {
                    // --eventlog asked for the boot chain to be checked: a quote of none of its PCRs checks nothing
                    failures.add(failure("eventlog_not_covered", "the quote selects none of the PCRs the event log extends"));
                }
            }
            boolean ok = failures.isEmpty() && v.verified();
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("verified", ok);
            r.put("quote", files.form().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            r.put("ak", Map.of("form", key.form().name(), "name", HEX.formatHex(key.key().name())));
            r.put("signature", sig.scheme().name().toLowerCase(Locale.ROOT) + "-" + sig.hash().name().toLowerCase(Locale.ROOT));
            r.put("pcrSelection", sel(attest.pcrSelect()));
            r.put("pcrDigest", HEX.formatHex(attest.pcrDigest()));
            r.put("nonce", switch (v.freshness()) {
                case CHALLENGE -> "checked";
                case QUALIFYING_DATA_MATCHED -> "checked (" + expected.orElseThrow().length
                        + " bytes, too short for a challenge: freshness not checked)";
                case NOT_CHECKED -> "not checked (no --nonce; qualifying data " + attest.extraData().length + " bytes: "
                        + HEX.formatHex(attest.extraData()) + "): freshness not checked";
            });
            r.put("fresh", v.freshness() == QuoteVerification.Freshness.CHALLENGE);
            Map<String, Object> clock = new LinkedHashMap<>();
            clock.put("clock", attest.clockInfo().clock());
            clock.put("resetCount", Integer.toUnsignedLong(attest.clockInfo().resetCount()));
            clock.put("restartCount", Integer.toUnsignedLong(attest.clockInfo().restartCount()));
            clock.put("safe", attest.clockInfo().safe());
            r.put("clockInfo", clock);
            r.put("firmwareVersion", String.format("%016x", attest.firmwareVersion()));
            if (log != null) {
                r.put("eventlog", !quotedValues ? "replay used as the PCR values"
                        : "compared with the quoted PCRs " + String.join("+", compared));
            }
            r.put("failures", failures);
            if (json) {
                printJson(out, r);
            } else {
                out.println(ok ? "quote verified" : "quote NOT verified");
                for (String k : List.of("quote", "ak", "signature", "pcrSelection", "pcrDigest", "nonce", "clockInfo",
                        "firmwareVersion", "eventlog")) {
                    if (r.containsKey(k)) {
                        out.println("  " + k + ": " + r.get(k));
                    }
                }
                for (Map<String, String> f : failures) {
                    out.println("  FAILED " + f.get("check") + ": " + f.get("detail"));
                }
            }
            return ok ? 0 : Attest.EXIT_REJECTED;
        }

        private static Map<String, String> failure(String check, String detail) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("check", check);
            m.put("detail", detail);
            return m;
        }

        private static byte[] hexNonce(String hex) throws InputException {
            byte[] n;
            try {
                n = HEX.parseHex(hex.startsWith("0x") ? hex.substring(2) : hex);
            } catch (IllegalArgumentException e) {
                throw new InputException("--nonce: not hex");
            }
            if (n.length > 64) {
                throw new InputException("--nonce: " + n.length + " bytes; a quote's qualifying data holds at most 64");
            }
            return n;
        }
    }
}
