package dev.attest.tpm.ima;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A parsed IMA ASCII measurement list. Every non-violation entry's template hash is checked
 * against the template data rebuilt from its fields, so the list can be replayed and trusted as
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
    public static final int MAX_LINE = 64 * 1024;

    /** Copies. */
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
     *         UNSUPPORTED_TYPE (template), UNKNOWN_ALGORITHM, DIGEST_SIZE_MISMATCH, TEMPLATE_HASH_MISMATCH
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
            ImaEntry e = parseLine(l, no);
            HashAlg a = e.templateHash().length == 20 ? HashAlg.SHA1 : HashAlg.SHA256;
            if (alg == null) {
                alg = a;
            } else if (alg != a) {
                throw new TpmFormatException(Reason.DIGEST_SIZE_MISMATCH, no, "template hash length changes");
            }
            if (!e.violation() && !e.templateHashMatches()) {
                throw new TpmFormatException(Reason.TEMPLATE_HASH_MISMATCH, no, "template hash does not match the template data");
            }
            entries.add(e);
        }
        return new ImaLog(alg == null ? HashAlg.SHA1 : alg, entries);
    }

    private static ImaEntry parseLine(String l, int no) throws TpmFormatException {
        String[] f = l.split(" ", 5);
        if (f.length < 5) {
            throw new TpmFormatException(Reason.SYNTAX, no, "expected PCR, template hash, template name and fields");
        }
        int pcr;
        try {
            pcr = Integer.parseInt(f[0]);
        } catch (NumberFormatException e) {
            throw new TpmFormatException(Reason.SYNTAX, no, "PCR is not a number");
        }
        if (pcr < 0 || pcr > 63) {
            throw new TpmFormatException(Reason.INVALID_VALUE, no, "PCR " + pcr);
        }
        byte[] th = hex(f[1], no, "template hash");
        if (th.length != 20 && th.length != 32) {
            throw new TpmFormatException(Reason.DIGEST_SIZE_MISMATCH, no, "template hash of " + th.length + " bytes");
        }
        String template = f[2];
        String rest = f[3] + " " + f[4];
        String[] p = rest.split(" ", -1);
        return switch (template) {
            case "ima" -> {
                String[] dn = rest.split(" ", 2);
                yield ImaEntry.of(no, pcr, th, template, "sha1", hex(dn[0], no, "file digest"), dn[1], new byte[0]);
            }
            case "ima-ng", "ima-sig", "ima-buf" -> {
                int fields = template.equals("ima-ng") ? 2 : 3;
                if (template.equals("ima-sig") && p.length == 2) {
                    p = new String[] {p[0], p[1], ""};
                }
                if (p.length != fields) {
                    throw new TpmFormatException(Reason.SYNTAX, no, template + " expects " + fields
                            + " fields (file names with spaces are not supported)");
                }
                int colon = p[0].indexOf(':');
                if (colon <= 0) {
                    throw new TpmFormatException(Reason.SYNTAX, no, "d-ng field without algorithm prefix");
                }
                byte[] d = hex(p[0].substring(colon + 1), no, "file digest");
                byte[] extra = fields == 3 ? hex(p[2], no, template.equals("ima-sig") ? "sig" : "buf") : new byte[0];
                yield ImaEntry.of(no, pcr, th, template, p[0].substring(0, colon), d, p[1], extra);
            }
            default -> throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, no, "template " + template);
        };
    }

    private static byte[] hex(String s, int no, String what) throws TpmFormatException {
        if (s.length() % 2 != 0) {
            throw new TpmFormatException(Reason.SYNTAX, no, what + " is not hex");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new TpmFormatException(Reason.SYNTAX, no, what + " is not lower-case hex");
            }
        }
        return HexFormat.of().parseHex(s);
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

    /** The last PCR the boot_aggregate of {@code bank} covers: 7 for SHA-1, 9 for the others. */
    public static int bootAggregateLastPcr(HashAlg bank) {
        return bank == HashAlg.SHA1 ? 7 : 9;
    }
}
