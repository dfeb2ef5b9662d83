package dev.attest.tpm.ima;

import dev.attest.core.internal.proc.ProcFormatException;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.internal.CoreFormat;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A parsed IMA ASCII measurement list, read line by line with the SDK's one parser of the list
 * (in attest-core, shared with the device's {@code ImaCollector}: file names may contain spaces,
 * template hashes may be SHA-1, SHA-256, SHA-384 or SHA-512, one algorithm per list). Every
 * non-violation entry's template hash is checked against the template data rebuilt from its fields, so the list can be replayed and trusted as
 * far as the quoted PCR 10 vouches for it.
 *
 * @param templateHashAlg the template hash algorithm of the list (SHA-1 for the classic list,
 *        SHA-256 for {@code ascii_runtime_measurements_sha256})
 * @param entries the entries in order
 */
public record ImaLog(HashAlg templateHashAlg, List<ImaEntry> entries) {
    /** Bound on the list size. */
    public static final int MAX_SIZE = 64 << 20;
    /** Bound on one line. */
    public static final int MAX_LINE = dev.attest.core.internal.ima.ImaEntry.MAX_LINE;

    /**
     * Copies.
     *
     * @param templateHashAlg the template hash algorithm of the list (SHA-1 for the classic list, SHA-256 for
     *     {@code ascii_runtime_measurements_sha256})
     * @param entries the entries in order
     */
    public ImaLog {
        Objects.requireNonNull(templateHashAlg, "templateHashAlg");
        entries = List.copyOf(entries);
    }

    /**
     * Parses an ASCII measurement list.
     *
     * @param list the list bytes (UTF-8; file names are printed as the kernel received them)
     * @return the parsed list
     * @throws TpmFormatException with the 1-based line number as offset: SIZE_LIMIT, SYNTAX,
     *         UNSUPPORTED_TYPE (template), UNKNOWN_ALGORITHM, DIGEST_SIZE_MISMATCH, TEMPLATE_HASH_MISMATCH,
     *         INVALID_VALUE (a PCR beyond 63)
     */
    public static ImaLog parse(byte[] list) throws TpmFormatException {
        if (list.length > MAX_SIZE) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, 0, "IMA list of " + list.length + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(list)).toString();
        } catch (CharacterCodingException e) {
            throw new TpmFormatException(Reason.SYNTAX, 0, "IMA list is not UTF-8");
        }
        List<ImaEntry> entries = new ArrayList<>();
        HashAlg alg = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            int no = i + 1;
            if (l.isEmpty()) {
                if (i == lines.length - 1) {
                    break;
                }
                throw new TpmFormatException(Reason.SYNTAX, no, "empty line");
            }
            if (l.length() > MAX_LINE) {
                throw new TpmFormatException(Reason.SIZE_LIMIT, no, "line of " + l.length() + " characters");
            }
            dev.attest.core.internal.ima.ImaEntry parsed;
            try {
                // attest-core's parser, the device's ImaCollector's too: both sides read a line alike.
                parsed = dev.attest.core.internal.ima.ImaEntry.parse(l, no);
            } catch (ProcFormatException e) {
                throw CoreFormat.exception(e);
            }
            ImaEntry e = new ImaEntry(no, parsed.pcr(), parsed.templateHash(), parsed.template(), parsed.digestAlgorithm(),
                    parsed.fileDigest(), parsed.path(), parsed.templateData());
            HashAlg a = ImaEntry.templateHashAlg(parsed.templateHash().length).orElseThrow();
            if (alg == null) {
                alg = a;
            } else if (alg != a) {
                throw new TpmFormatException(Reason.DIGEST_SIZE_MISMATCH, no, "template hash length changes");
            }
            entries.add(e);
        }
        return new ImaLog(alg == null ? HashAlg.SHA1 : alg, entries);
    }

    /**
     * Replays the list: for every entry, PCR := H(PCR || template hash) in the bank of the template
     * hash algorithm, with all ones instead of the all-zero template hash of a violation
     * (security/integrity/ima/ima_queue.c).
     *
     * @return the replayed value of every PCR the list extends (normally only PCR 10)
     */
    public PcrValues replay() {
        Map<Integer, byte[]> bank = new TreeMap<>();
        MessageDigest md = templateHashAlg.newDigest();
        byte[] ones = new byte[templateHashAlg.digestSize()];
        Arrays.fill(ones, (byte) 0xFF);
        for (ImaEntry e : entries) {
            byte[] v = bank.getOrDefault(e.pcr(), new byte[templateHashAlg.digestSize()]);
            md.update(v);
            md.update(e.violation() ? ones : e.templateHash());
            bank.put(e.pcr(), md.digest());
        }
        return PcrValues.of(Map.of(templateHashAlg, bank));
    }

    /**
     * Replays the list into another PCR bank as kernels since 5.6 do (ima_calc_field_array_hash
     * per allocated bank): each entry extends H_bank(template data), a violation extends all ones.
     *
     * @param bank the bank to replay, e.g. SHA-256 for a quote over the SHA-256 PCR 10
     * @return the replayed value of every PCR the list extends in that bank
     */
    public PcrValues replay(HashAlg bank) {
        Map<Integer, byte[]> values = new TreeMap<>();
        MessageDigest md = bank.newDigest();
        for (ImaEntry e : entries) {
            byte[] v = values.getOrDefault(e.pcr(), new byte[bank.digestSize()]);
            md.update(v);
            md.update(e.extendDigest(bank));
            values.put(e.pcr(), md.digest());
        }
        return PcrValues.of(Map.of(bank, values));
    }

    /**
     * Checks the {@code boot_aggregate} entry against PCR values (security/integrity/ima/ima_crypto.c,
     * ima_calc_boot_aggregate): the hash of PCRs 0-7 for a SHA-1 boot_aggregate, of PCRs 0-9 for
     * other algorithms, each PCR taken from the bank of the boot_aggregate's algorithm.
     *
     * @param pcrs quoted PCR values
     * @return whether the boot_aggregate matches; empty if the list has no boot_aggregate entry,
     *         its algorithm has no bank here, or a needed PCR is missing
     */
    public Optional<Boolean> bootAggregateMatches(PcrValues pcrs) {
        Optional<ImaEntry> boot = entries.stream().filter(e -> e.path().equals("boot_aggregate") && !e.violation()).findFirst();
        if (boot.isEmpty()) {
            return Optional.empty();
        }
        return bootAggregate(boot.get().digestAlgorithm(), pcrs)
                .map(expected -> MessageDigest.isEqual(expected, boot.get().fileDigest()));
    }

    /**
     * The {@code boot_aggregate} digest the kernel computes from these PCR values
     * (security/integrity/ima/ima_crypto.c, ima_calc_boot_aggregate): the {@code algorithm} hash
     * of PCRs 0-7 of its bank for SHA-1, of PCRs 0-9 for the other algorithms.
     *
     * @param algorithm the boot_aggregate entry's digest algorithm as IMA names it ({@code sha1},
     *     {@code sha256}, {@code sha384}, {@code sha512})
     * @param pcrs the PCR values, including the bank for {@code algorithm}
     * @return the digest; empty if the algorithm is none of these or a needed PCR is missing
     */
    public static Optional<byte[]> bootAggregate(String algorithm, PcrValues pcrs) {
        Optional<HashAlg> alg = bootAggregateBank(algorithm);
        if (alg.isEmpty()) {
            return Optional.empty();
        }
        MessageDigest md = alg.get().newDigest();
        for (int i = 0; i <= bootAggregateLastPcr(alg.get()); i++) {
            Optional<byte[]> v = pcrs.get(alg.get(), i);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            md.update(v.get());
        }
        return Optional.of(md.digest());
    }

    /**
     * The PCR bank a {@code boot_aggregate} of this IMA digest algorithm ({@code sha1},
     * {@code sha256}, {@code sha384}, {@code sha512}) is computed from; empty for any other.
     *
     * @param algorithm the IMA digest algorithm name
     * @return the bank, or empty for an algorithm without one
     */
    public static Optional<HashAlg> bootAggregateBank(String algorithm) {
        return switch (algorithm) {
            case "sha1" -> Optional.of(HashAlg.SHA1);
            case "sha256" -> Optional.of(HashAlg.SHA256);
            case "sha384" -> Optional.of(HashAlg.SHA384);
            case "sha512" -> Optional.of(HashAlg.SHA512);
            default -> Optional.empty();
        };
    }

    /**
     * The last PCR the boot_aggregate of {@code bank} covers: 7 for SHA-1, 9 for the others.
     *
     * @param bank the PCR bank
     * @return 7 or 9
     */
    public static int bootAggregateLastPcr(HashAlg bank) {
        return bank == HashAlg.SHA1 ? 7 : 9;
    }
}
