package dev.attest.tpm.ima;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    /** IMA_EVENT_NAME_LEN_MAX: the {@code ima} template pads names to this plus one byte. */
    private static final int IMA_NAME_FIELD = 256;

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
            if (!e.violation() && !MessageDigest.isEqual(a.hash(e.templateData()), e.templateHash())) {
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
        return switch (template) {
            case "ima" -> {
                // "ima": d (SHA-1, no algorithm prefix) | n (name, padded to 256 bytes, no length fields)
                String[] p = rest.split(" ", 2);
                byte[] d = hex(p[0], no, "file digest");
                if (d.length != 20) {
                    throw new TpmFormatException(Reason.DIGEST_SIZE_MISMATCH, no, "ima template digest of " + d.length + " bytes");
                }
                byte[] name = p[1].getBytes(StandardCharsets.UTF_8);
                if (name.length > IMA_NAME_FIELD - 1) {
                    throw new TpmFormatException(Reason.SIZE_LIMIT, no, "ima template name longer than 255 bytes");
                }
                byte[] data = Arrays.copyOf(d, 20 + IMA_NAME_FIELD);
                System.arraycopy(name, 0, data, 20, name.length);
                yield new ImaEntry(no, pcr, th, template, "sha1", d, p[1], data);
            }
            case "ima-ng", "ima-sig", "ima-buf" -> {
                String[] p = rest.split(" ", -1);
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
                String alg = p[0].substring(0, colon);
                byte[] d = hex(p[0].substring(colon + 1), no, "file digest");
                int expected = switch (alg) {
                    case "sha1" -> 20;
                    case "sha256", "sm3" -> 32;
                    case "sha384" -> 48;
                    case "sha512" -> 64;
                    default -> throw new TpmFormatException(Reason.UNKNOWN_ALGORITHM, no, "digest algorithm " + alg);
                };
                if (d.length != expected) {
                    throw new TpmFormatException(Reason.DIGEST_SIZE_MISMATCH, no, alg + " digest of " + d.length + " bytes");
                }
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                // d-ng: "<alg>:\0" + digest; n-ng: name + "\0"; each preceded by its UINT32 length (little-endian)
                byte[] dng = new byte[alg.length() + 2 + d.length];
                System.arraycopy(alg.getBytes(StandardCharsets.US_ASCII), 0, dng, 0, alg.length());
                dng[alg.length()] = ':';
                System.arraycopy(d, 0, dng, alg.length() + 2, d.length);
                field(data, dng);
                byte[] name = p[1].getBytes(StandardCharsets.UTF_8);
                field(data, Arrays.copyOf(name, name.length + 1));
                if (fields == 3) {
                    field(data, hex(p[2], no, template.equals("ima-sig") ? "sig" : "buf"));
                }
                yield new ImaEntry(no, pcr, th, template, alg, d, p[1], data.toByteArray());
            }
            default -> throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, no, "template " + template);
        };
    }

    private static void field(ByteArrayOutputStream out, byte[] v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v.length).array());
        out.writeBytes(v);
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
        byte[] ones = new byte[bank.digestSize()];
        Arrays.fill(ones, (byte) 0xFF);
        for (ImaEntry e : entries) {
            byte[] v = values.getOrDefault(e.pcr(), new byte[bank.digestSize()]);
            md.update(v);
            md.update(e.violation() ? ones : bank.hash(e.templateData()));
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
        Optional<HashAlg> alg = switch (boot.get().digestAlgorithm()) {
            case "sha1" -> Optional.of(HashAlg.SHA1);
            case "sha256" -> Optional.of(HashAlg.SHA256);
            case "sha384" -> Optional.of(HashAlg.SHA384);
            case "sha512" -> Optional.of(HashAlg.SHA512);
            default -> Optional.empty();
        };
        if (alg.isEmpty()) {
            return Optional.empty();
        }
        MessageDigest md = alg.get().newDigest();
        int last = alg.get() == HashAlg.SHA1 ? 7 : 9;
        for (int i = 0; i <= last; i++) {
            Optional<byte[]> v = pcrs.get(alg.get(), i);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            md.update(v.get());
        }
        return Optional.of(MessageDigest.isEqual(md.digest(), boot.get().fileDigest()));
    }
}
