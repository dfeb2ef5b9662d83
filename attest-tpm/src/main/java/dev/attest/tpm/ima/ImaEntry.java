package dev.attest.tpm.ima;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

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
    /** Copies. */
    public ImaEntry {
        Objects.requireNonNull(templateName, "templateName");
        Objects.requireNonNull(digestAlgorithm, "digestAlgorithm");
        Objects.requireNonNull(path, "path");
        templateHash = templateHash.clone();
        fileDigest = fileDigest.clone();
        templateData = templateData.clone();
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
