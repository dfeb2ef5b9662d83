package dev.attest.cli;

import dev.attest.core.Cycle;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SigningKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest evidence}: one collection run, signed as a token. */
@Command(name = "evidence", mixinStandardHelpOptions = true, description = {
        "Runs the collectors once and signs the measurements as evidence: a CWT in a COSE_Sign1 "
                + "under this SDK's EAT profile, with the measurement log from genesis to this run's head.",
        "Writes the token to --out (binary CBOR), else prints it as base64 on stdout."})
final class EvidenceCommand implements Callable<Integer> {
    /** Measurements one run may hold. */
    static final int LOG_WINDOW = 4096;
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CollectorOptions collection;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "Signing key: PEM (as keygen writes), private COSE_Key, or PKCS#12 with --password-file.")
    Path key;

    @Option(names = "--password-file", paramLabel = "FILE", description = "Read --key as PKCS#12 with the password on this file's first line.")
    Path passwordFile;

    @Option(names = "--kid", paramLabel = "KID", description = "Key id (default: the key file's, else derived from the public key).")
    String kid;

    @Option(names = "--nonce", paramLabel = "HEX", description = "Verifier's challenge, 8..64 bytes in hex.")
    String nonce;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the binary token here.")
    Path out;

    @Option(names = "--verbose", description = "Explain errors in more detail.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Optional<KeyId> id = KeyFiles.kidOption(kid);
        SigningKey signer = KeyFiles.signingKey(key, id, Optional.ofNullable(passwordFile));
        byte[] n = nonce == null ? null : Hex.nonce(nonce);
        Cycle cycle = collection.collect();
        if (cycle.measurements().size() > LOG_WINDOW) {
            throw new InputException(cycle.measurements().size() + " measurements, at most " + LOG_WINDOW + " fit one token");
        }
        EatClaims.Builder b = EatClaims.builder().iat(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .profile(EatProfile.PROFILE).swname("attest-cli").swversion(Attest.VERSION);
        if (n != null) {
            b.nonce(n);
        }
        LogHead since;
        LogHead head;
        try (MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, bootId(), LOG_WINDOW)) {
            since = log.head();
            List<LogEntry> entries = log.append(cycle.measurements());
            head = log.head();
            b.measurementLog(since, entries, head);
        }
        byte[] token = EvidenceEncoder.of(signer).encode(b.build());
        var o = spec.commandLine().getOut();
        if (out != null) {
            try {
                Files.write(out, token);
            } catch (IOException e) {
                throw new InputException(out + ": cannot write (" + e.getClass().getSimpleName() + ")", e);
            }
            o.println("wrote " + out + ": " + token.length + " bytes, " + cycle.measurements().size()
                    + " measurements, log " + since.sequence() + ".." + head.sequence() + ", " + signer.algorithm()
                    + " kid=" + signer.keyId().orElseThrow());
        } else {
            o.println(Base64.getEncoder().encodeToString(token));
        }
        return 0;
    }

    /** This boot's id from the kernel, else a fresh UUID (a "boot" of this process only). */
    static String bootId() {
        try {
            String id = new String(Files.readAllBytes(BOOT_ID), StandardCharsets.US_ASCII).trim();
            if (!id.isEmpty() && id.length() <= 128 && id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                return id;
            }
        } catch (IOException | SecurityException e) {
            // Not Linux, or not readable: fall through to a random id.
        }
        return UUID.randomUUID().toString();
    }
}
