package dev.attest.core.internal.ima;

import dev.attest.core.internal.proc.ProcFormatException;
import dev.attest.core.internal.proc.ProcFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One entry of the Linux IMA ASCII runtime measurement list ({@code ascii_runtime_measurements}):
 * {@code PCR template-hash template-name template-fields...}. This is the SDK's one parser of the
 * list: the device's {@code ImaCollector} and the verifier's {@code dev.attest.tpm.ima.ImaLog}
 * both read lines through it, so the two sides cannot disagree on an entry. Supports the templates
 * {@code ima} (d|n), {@code ima-ng} (d-ng|n-ng), {@code ima-sig} (d-ng|n-ng|sig) and
 * {@code ima-buf} (d-ng|n-ng|buf), as defined in the kernel's IMA template documentation
 * (Documentation/security/IMA-templates.rst). The template hash is checked against the hash of
 * the reconstructed template data (SHA-1, or the list's bank algorithm by its length); an
 * all-zero template hash marks a violation entry, whose hash cannot be checked. Hex is
 * lower-case, as the kernel prints it; file digest algorithms are the kernel's names of the
 * hashes IMA may be configured with (crypto/hash_info.c), MD5 excepted.
 *
 * @param line 1-based line number
 * @param pcr the PCR extended
 * @param templateHash the listed template hash
 * @param template template name
 * @param digestAlgorithm the kernel's name of the file digest algorithm ({@code sha1} for {@code ima})
 * @param fileDigest the file (or buffer) digest
 * @param path the file name (event name for {@code ima-buf})
 * @param extra the signature ({@code ima-sig}) or buffer ({@code ima-buf}); empty otherwise
 * @param violation whether the template hash is all zeros (a ToMToU / open-writers violation)
 * @param templateData the template data the template hash covers, rebuilt from the fields
 */
public record ImaEntry(long line, int pcr, byte[] templateHash, String template, String digestAlgorithm,
        byte[] fileDigest, String path, byte[] extra, boolean violation, byte[] templateData) {
    /** Longest line accepted (an ima-buf entry may carry a key or certificate in hex). */
    public static final int MAX_LINE = 1 << 16;
    /** Longest name the legacy {@code ima} template holds (IMA_EVENT_NAME_LEN_MAX). */
    public static final int IMA_NAME_MAX = 255;

    /** The digest algorithm of the template hashes, from their length. */
    public String templateHashAlgorithm() {
        return hashAlgorithmForLength(templateHash.length).orElseThrow();
    }

    static Optional<String> hashAlgorithmForLength(int n) {
        switch (n) {
            case 20: return Optional.of("SHA-1");
            case 32: return Optional.of("SHA-256");
            case 48: return Optional.of("SHA-384");
            case 64: return Optional.of("SHA-512");
            default: return Optional.empty();
        }
    }

    /** Parses one line (without its newline). */
    public static ImaEntry parse(String line, long lineNo) throws ProcFormatException {
        if (line.length() > MAX_LINE) {
            throw new ProcFormatException(Reason.LINE_TOO_LONG, lineNo, "line longer than " + MAX_LINE);
        }
        String[] head = line.split(" ", 4);
        if (head.length < 4) {
            throw new ProcFormatException(Reason.MISSING_FIELD, lineNo, "expected PCR, template hash, template, fields");
        }
        int pcr;
        try {
            pcr = Integer.parseInt(head[0]);
        } catch (NumberFormatException e) {
            throw new ProcFormatException(Reason.BAD_NUMBER, lineNo, "PCR " + head[0]);
        }
        if (!head[0].equals(Integer.toString(pcr))) {
            throw new ProcFormatException(Reason.BAD_NUMBER, lineNo, "PCR " + head[0]);
        }
        if (pcr < 0 || pcr > 63) {
            throw new ProcFormatException(Reason.BAD_VALUE, lineNo, "PCR " + pcr);
        }
        byte[] th = hex(head[1], lineNo);
        if (hashAlgorithmForLength(th.length).isEmpty()) {
            throw new ProcFormatException(Reason.BAD_DIGEST, lineNo, "template hash of " + th.length + " bytes");
        }
        boolean violation = allZero(th);
        String template = head[2];
        String rest = head[3];
        switch (template) {
            case "ima": {
                int sp = rest.indexOf(' ');
                if (sp < 0) {
                    throw new ProcFormatException(Reason.MISSING_FIELD, lineNo, "ima: expected digest and name");
                }
                byte[] d = hex(rest.substring(0, sp), lineNo);
                if (d.length != 20) {
                    throw new ProcFormatException(Reason.BAD_DIGEST, lineNo, "ima: SHA-1 digest expected");
                }
                String name = checkName(rest.substring(sp + 1), lineNo);
                if (name.getBytes(StandardCharsets.UTF_8).length > IMA_NAME_MAX) {
                    throw new ProcFormatException(Reason.TOO_LARGE, lineNo, "ima: name longer than " + IMA_NAME_MAX);
                }
                byte[] data = templateData(template, "sha1", d, name, new byte[0]);
                check(th, data, violation, lineNo);
                return new ImaEntry(lineNo, pcr, th, template, "sha1", d, name, new byte[0], violation, data);
            }
            case "ima-ng": {
                int sp = rest.indexOf(' ');
                if (sp < 0) {
                    throw new ProcFormatException(Reason.MISSING_FIELD, lineNo, "ima-ng: expected digest and name");
                }
                String[] alg = new String[1];
                byte[] d = algDigest(rest.substring(0, sp), alg, lineNo);
                String name = checkName(rest.substring(sp + 1), lineNo);
                byte[] data = templateData(template, alg[0], d, name, new byte[0]);
                check(th, data, violation, lineNo);
                return new ImaEntry(lineNo, pcr, th, template, alg[0], d, name, new byte[0], violation, data);
            }
            case "ima-sig":
            case "ima-buf": {
                int sp = rest.indexOf(' ');
                if (sp < 0) {
                    throw new ProcFormatException(Reason.MISSING_FIELD, lineNo, template + ": expected digest and name");
                }
                String[] alg = new String[1];
                byte[] d = algDigest(rest.substring(0, sp), alg, lineNo);
                String fields = rest.substring(sp + 1);
                // The name may contain spaces; the last field is hex and may be empty (the kernel
                // then prints nothing after the separating space). Take the reading whose
                // template hash checks out.
                int last = fields.lastIndexOf(' ');
                ProcFormatException firstFailure = null;
                if (last > 0) {
                    String tail = fields.substring(last + 1);
                    if (isHex(tail)) {
                        String name = checkName(fields.substring(0, last), lineNo);
                        byte[] x = hex(tail, lineNo);
                        try {
                            byte[] data = templateData(template, alg[0], d, name, x);
                            check(th, data, violation, lineNo);
                            return new ImaEntry(lineNo, pcr, th, template, alg[0], d, name, x, violation, data);
                        } catch (ProcFormatException e) {
                            firstFailure = e;
                        }
                    }
                }
                String name = checkName(fields.endsWith(" ") ? fields.substring(0, fields.length() - 1) : fields, lineNo);
                byte[] data = templateData(template, alg[0], d, name, new byte[0]);
                try {
                    check(th, data, violation, lineNo);
                } catch (ProcFormatException e) {
                    throw firstFailure != null ? firstFailure : e;
                }
                return new ImaEntry(lineNo, pcr, th, template, alg[0], d, name, new byte[0], violation, data);
            }
            default:
                throw new ProcFormatException(Reason.UNSUPPORTED_TEMPLATE, lineNo, "template " + template);
        }
    }

    /**
     * The template data the kernel hashes into the template hash (security/integrity/ima/ima_template_lib.c;
     * Documentation/security/IMA-templates.rst): for {@code ima} the SHA-1 digest followed by the
     * name zero-padded to 256 bytes, without length fields; for {@code ima-ng} {@code d-ng|n-ng},
     * {@code ima-sig} {@code d-ng|n-ng|sig} and {@code ima-buf} {@code d-ng|n-ng|buf}, each field
     * preceded by its length as a little-endian UINT32, {@code d-ng} being {@code "<alg>:\0"}
     * followed by the digest and {@code n-ng} the name with its terminating NUL. The caller has
     * checked the fields (template known, digest of its algorithm's size, an {@code ima} name of
     * at most {@link #IMA_NAME_MAX} bytes).
     *
     * @param template {@code ima}, {@code ima-ng}, {@code ima-sig} or {@code ima-buf}
     * @param alg the kernel's name of the file digest algorithm
     * @param digest the file digest
     * @param name the file (or buffer) name
     * @param extra the {@code sig} or {@code buf} field; ignored for {@code ima} and {@code ima-ng}
     * @return the template data
     */
    public static byte[] templateData(String template, String alg, byte[] digest, String name, byte[] extra) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (template.equals("ima")) {
            byte[] data = Arrays.copyOf(digest, digest.length + IMA_NAME_MAX + 1);
            System.arraycopy(n, 0, data, digest.length, n.length);
            return data;
        }
        return ngData(alg, digest, n, template.equals("ima-ng") ? null : extra);
    }

    private static byte[] ngData(String alg, byte[] digest, byte[] n, byte[] extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] a = alg.getBytes(StandardCharsets.US_ASCII);
        le32(out, a.length + 2 + digest.length);
        out.writeBytes(a);
        out.write(':');
        out.write(0);
        out.writeBytes(digest);
        le32(out, n.length + 1);
        out.writeBytes(n);
        out.write(0);
        if (extra != null) {
            le32(out, extra.length);
            out.writeBytes(extra);
        }
        return out.toByteArray();
    }

    private static void le32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    private static void check(byte[] th, byte[] data, boolean violation, long lineNo) throws ProcFormatException {
        if (violation) {
            return;
        }
        try {
            MessageDigest md = MessageDigest.getInstance(hashAlgorithmForLength(th.length).orElseThrow());
            if (!MessageDigest.isEqual(md.digest(data), th)) {
                throw new ProcFormatException(Reason.TEMPLATE_HASH_MISMATCH, lineNo,
                        "template hash does not match the template data");
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + e.getMessage(), e);
        }
    }

    private static byte[] algDigest(String field, String[] alg, long lineNo) throws ProcFormatException {
        int colon = field.indexOf(':');
        if (colon <= 0) {
            throw new ProcFormatException(Reason.MISSING_FIELD, lineNo, "d-ng field without algorithm prefix");
        }
        alg[0] = field.substring(0, colon);
        Integer expected = digestLength(alg[0]);
        if (expected == null) {
            throw new ProcFormatException(Reason.UNKNOWN_ALGORITHM, lineNo, "digest algorithm " + alg[0]);
        }
        byte[] d = hex(field.substring(colon + 1), lineNo);
        if (expected != d.length) {
            throw new ProcFormatException(Reason.BAD_DIGEST, lineNo, "digest algorithm " + alg[0] + " with "
                    + d.length + " bytes");
        }
        return d;
    }

    /**
     * @param alg a kernel hash algorithm name (crypto/hash_info.c)
     * @return the digest length of the algorithms IMA may use (MD5 not accepted); null if unknown
     */
    public static Integer digestLength(String alg) {
        switch (alg) {
            case "sha1": return 20;
            case "sha224": return 28;
            case "sha256": case "sm3": case "sha3-256": case "streebog256": return 32;
            case "sha384": case "sha3-384": return 48;
            case "sha512": case "sha3-512": case "streebog512": return 64;
            default: return null;
        }
    }

    private static String checkName(String name, long lineNo) throws ProcFormatException {
        if (name.isEmpty()) {
            throw new ProcFormatException(Reason.MISSING_FIELD, lineNo, "empty file name");
        }
        return name;
    }

    private static boolean isHex(String s) {
        if (s.isEmpty() || s.length() % 2 != 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static byte[] hex(String s, long lineNo) throws ProcFormatException {
        if (!isHex(s)) {
            throw new ProcFormatException(Reason.BAD_HEX, lineNo, "not an even-length lower-case hex string");
        }
        return HexFormat.of().parseHex(s);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
