package dev.attest.tpm.ima;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of the Linux IMA ASCII measurement list
 * ({@code /sys/kernel/security/ima/ascii_runtime_measurements}): PCR, template hash, template
 * name and the template's fields. Supported templates: {@code ima} (d|n), {@code ima-ng}
 * (d-ng|n-ng), {@code ima-sig} (d-ng|n-ng|sig) and {@code ima-buf} (d-ng|n-ng|buf); the template
 * data is rebuilt from the fields as the kernel marshals it (security/integrity/ima/ima_template_lib.c).
 *
 * @param line the 1-based line number
 * @param pcr the PCR the entry was extended into (normally 10)
 * @param templateHash the template hash (SHA-1 in the classic list); all zero for a violation
 * @param templateName the template name
 * @param digestAlgorithm the file digest algorithm ("sha1" for the {@code ima} template)
 * @param fileDigest the file digest (all zero for a violation)
 * @param path the file name or buffer name
 * @param templateData the template data the template hash covers
 */
public record ImaEntry(int line, int pcr, byte[] templateHash, String templateName, String digestAlgorithm,
        byte[] fileDigest, String path, byte[] templateData) {
    /**
     * Copies.
     *
     * @param line the 1-based line number
     * @param pcr the PCR the entry was extended into (normally 10)
     * @param templateHash the template hash (SHA-1 in the classic list); all zero for a violation
     * @param templateName the template name
     * @param digestAlgorithm the file digest algorithm ("sha1" for the {@code ima} template)
     * @param fileDigest the file digest (all zero for a violation)
     * @param path the file name or buffer name
     * @param templateData the template data the template hash covers
     */
    public ImaEntry {
        Objects.requireNonNull(templateName, "templateName");
        Objects.requireNonNull(digestAlgorithm, "digestAlgorithm");
        Objects.requireNonNull(path, "path");
        templateHash = templateHash.clone();
        fileDigest = fileDigest.clone();
        templateData = templateData.clone();
    }

    /** IMA_EVENT_NAME_LEN_MAX: the {@code ima} template pads names to this plus one byte. */
    static final int IMA_NAME_FIELD = 256;
    /** Bound on the {@code sig} / {@code buf} field and on a name (a list line is at most {@link ImaLog#MAX_LINE}). */
    public static final int MAX_FIELD = ImaLog.MAX_LINE;

    /**
     * Builds an entry from its template fields, marshalling the template data as the kernel does
     * (security/integrity/ima/ima_template_lib.c; Documentation/security/IMA-templates.rst):
     * {@code ima} is the SHA-1 digest followed by the name zero-padded to 256 bytes, without
     * length fields; {@code ima-ng} is {@code d-ng|n-ng}, {@code ima-sig} {@code d-ng|n-ng|sig}
     * and {@code ima-buf} {@code d-ng|n-ng|buf}, each field preceded by its length as a
     * little-endian UINT32, {@code d-ng} being {@code "<alg>:\0"} followed by the digest and
     * {@code n-ng} the name with its terminating NUL. The template hash is taken as given and
     * not checked here ({@link #templateHashMatches()}).
     *
     * @param line the 1-based line number
     * @param pcr the PCR
     * @param templateHash the reported template hash (20, 32, 48 or 64 bytes)
     * @param templateName {@code ima}, {@code ima-ng}, {@code ima-sig} or {@code ima-buf}
     * @param digestAlgorithm the kernel's name of the file digest algorithm ({@code sha1} for {@code ima})
     * @param fileDigest the file digest, of that algorithm's length
     * @param path the file (or buffer) name, not empty
     * @param extra the {@code sig} ({@code ima-sig}) or {@code buf} ({@code ima-buf}) field, possibly
     *        empty; must be empty for the other templates
     * @return the entry
     * @throws TpmFormatException UNSUPPORTED_TYPE (template), UNKNOWN_ALGORITHM, DIGEST_SIZE_MISMATCH,
     *         SIZE_LIMIT (name or field too long), INVALID_VALUE (PCR, empty name, extra data for
     *         a template without such a field), each with {@code line} as offset
     */
    public static ImaEntry of(int line, int pcr, byte[] templateHash, String templateName, String digestAlgorithm,
            byte[] fileDigest, String path, byte[] extra) throws TpmFormatException {
        Objects.requireNonNull(templateName, "templateName");
        Objects.requireNonNull(digestAlgorithm, "digestAlgorithm");
        Objects.requireNonNull(path, "path");
        if (pcr < 0 || pcr > 63) {
            throw new TpmFormatException(Reason.INVALID_VALUE, line, "PCR " + pcr);
        }
        if (templateHashAlg(templateHash.length).isEmpty()) {
            throw new TpmFormatException(Reason.DIGEST_SIZE_MISMATCH, line, "template hash of " + templateHash.length + " bytes");
        }
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0) {
            throw new TpmFormatException(Reason.INVALID_VALUE, line, "empty name");
        }
        if (name.length > MAX_FIELD || extra.length > MAX_FIELD) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, line, "name or field longer than " + MAX_FIELD + " bytes");
        }
        switch (templateName) {
            case "ima" -> {
                if (!digestAlgorithm.equals("sha1")) {
                    throw new TpmFormatException(Reason.UNKNOWN_ALGORITHM, line, "ima template with " + digestAlgorithm);
                }
                if (fileDigest.length != 20) {
                    throw new TpmFormatException(Reason.DIGEST_SIZE_MISMATCH, line, "ima template digest of "
                            + fileDigest.length + " bytes");
                }
                if (name.length > IMA_NAME_FIELD - 1) {
                    throw new TpmFormatException(Reason.SIZE_LIMIT, line, "ima template name longer than 255 bytes");
                }
                if (extra.length != 0) {
                    throw new TpmFormatException(Reason.INVALID_VALUE, line, "ima template has no sig or buf field");
                }
            }
            case "ima-ng", "ima-sig", "ima-buf" -> {
                int expected = digestSize(digestAlgorithm).orElseThrow(() -> new TpmFormatException(
                        Reason.UNKNOWN_ALGORITHM, line, "digest algorithm " + digestAlgorithm));
                if (fileDigest.length != expected) {
                    throw new TpmFormatException(Reason.DIGEST_SIZE_MISMATCH, line, digestAlgorithm + " digest of "
                            + fileDigest.length + " bytes");
                }
                if (templateName.equals("ima-ng") && extra.length != 0) {
                    throw new TpmFormatException(Reason.INVALID_VALUE, line, "ima-ng has no sig or buf field");
                }
            }
            default -> throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, line, "template " + templateName);
        }
        // The template data as attest-core's IMA parser (the device's) rebuilds it from a list line.
        return new ImaEntry(line, pcr, templateHash, templateName, digestAlgorithm, fileDigest, path,
                dev.attest.core.internal.ima.ImaEntry.templateData(templateName, digestAlgorithm, fileDigest, path, extra));
    }

    /**
     * The digest size of a file digest algorithm by the kernel's name (crypto/hash_info.c) for
     * the algorithms IMA may be configured with; MD5 is not accepted.
     */
    static Optional<Integer> digestSize(String kernelName) {
        return Optional.ofNullable(dev.attest.core.internal.ima.ImaEntry.digestLength(kernelName));
    }

    /** The template hash algorithm for a template hash length. */
    static Optional<HashAlg> templateHashAlg(int length) {
        for (HashAlg h : HashAlg.values()) {
            if (h.digestSize() == length) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the template hash is the hash of the template data, in the algorithm its length
     * names (SHA-1 for the classic list, SHA-256 for {@code ascii_runtime_measurements_sha256});
     * false for a violation entry, whose template hash hashes nothing.
     *
     * @return whether the template hash checks out
     */
    public boolean templateHashMatches() {
        if (violation()) {
            return false;
        }
        Optional<HashAlg> h = templateHashAlg(templateHash.length);
        return h.isPresent() && MessageDigest.isEqual(h.get().hash(templateData), templateHash);
    }

    /**
     * What the kernel extends into PCR {@link #pcr()} of one bank for this entry (ima_queue.c
     * ima_pcr_extend with the per-bank digests of ima_calc_field_array_hash, kernels since 5.6):
     * the bank's hash of the template data, or all ones for a violation.
     *
     * @param bank the PCR bank
     * @return the digest extended
     */
    public byte[] extendDigest(HashAlg bank) {
        if (violation()) {
            byte[] ones = new byte[bank.digestSize()];
            Arrays.fill(ones, (byte) 0xFF);
            return ones;
        }
        return bank.hash(templateData);
    }

    /** @return a copy of {@code templateHash} */
    @Override
    public byte[] templateHash() {
        return templateHash.clone();
    }

    /** @return a copy of {@code fileDigest} */
    @Override
    public byte[] fileDigest() {
        return fileDigest.clone();
    }

    /** @return a copy of {@code templateData} */
    @Override
    public byte[] templateData() {
        return templateData.clone();
    }

    /** @return the file digest in lower-case hex */
    public String fileDigestHex() {
        return HexFormat.of().formatHex(fileDigest);
    }

    /**
     * A violation entry: IMA records an all-zero template hash when a file was measured while
     * open for writing (ToMToU) or opened for writing while measured; the PCR is extended with
     * all ones instead (ima_add_violation).
     *
     * @return true for a violation entry
     */
    public boolean violation() {
        for (byte b : templateHash) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImaEntry e && e.line == line && e.pcr == pcr && Arrays.equals(e.templateHash, templateHash)
                && e.templateName.equals(templateName) && e.digestAlgorithm.equals(digestAlgorithm)
                && Arrays.equals(e.fileDigest, fileDigest) && e.path.equals(path) && Arrays.equals(e.templateData, templateData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(line, pcr, path, Arrays.hashCode(templateHash));
    }

    @Override
    public String toString() {
        return "ImaEntry{line " + line + ", pcr " + pcr + ", " + templateName + ", " + digestAlgorithm + ":" + fileDigestHex()
                + " " + path + "}";
    }
}
