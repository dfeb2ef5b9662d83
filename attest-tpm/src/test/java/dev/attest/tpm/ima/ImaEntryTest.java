package dev.attest.tpm.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ImaEntry.of: template data of each template from its fields, and every rejection with its reason. */
class ImaEntryTest {
    static final HexFormat HEX = HexFormat.of();

    @Test
    void rebuildsTheKernelsTemplateDataOfTheRealList() throws Exception {
        for (String l : Files.readAllLines(dev.attest.testkit.Vectors.file("keylime", "ima-log-sha256"))) {
            String[] f = l.split(" ");
            String[] d = f[3].split(":");
            ImaEntry e = ImaEntry.of(1, 10, HEX.parseHex(f[1]), f[2], d[0], HEX.parseHex(d[1]), f[4], new byte[0]);
            assertTrue(e.templateHashMatches(), l);
            assertArrayEquals(HEX.parseHex(f[1]), e.extendDigest(HashAlg.SHA1));
            assertArrayEquals(HashAlg.SHA256.hash(e.templateData()), e.extendDigest(HashAlg.SHA256));
        }
    }

    @Test
    void sigAndBufAreLengthPrefixedAndImaIsPadded() throws Exception {
        byte[] d = HashAlg.SHA256.hash(new byte[] {1});
        byte[] sig = {3, 2, 1};
        ImaEntry s = ImaEntry.of(1, 10, new byte[20], "ima-sig", "sha256", d, "/bin/x", sig);
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.writeBytes(new byte[] {40, 0, 0, 0});
        want.writeBytes("sha256:\0".getBytes(StandardCharsets.US_ASCII));
        want.writeBytes(d);
        want.writeBytes(new byte[] {7, 0, 0, 0});
        want.writeBytes("/bin/x\0".getBytes(StandardCharsets.US_ASCII));
        want.writeBytes(new byte[] {3, 0, 0, 0, 3, 2, 1});
        assertArrayEquals(want.toByteArray(), s.templateData());
        // ima-sig without a signature still has the (empty) sig field; ima-buf lays out like ima-sig.
        byte[] noSig = ImaEntry.of(1, 10, new byte[20], "ima-sig", "sha256", d, "/bin/x", new byte[0]).templateData();
        assertArrayEquals(new byte[4], Arrays.copyOfRange(noSig, noSig.length - 4, noSig.length));
        assertArrayEquals(s.templateData(), ImaEntry.of(1, 10, new byte[20], "ima-buf", "sha256", d, "/bin/x", sig)
                .templateData());
        byte[] sha1 = HashAlg.SHA1.hash(new byte[] {2});
        ImaEntry legacy = ImaEntry.of(1, 10, new byte[20], "ima", "sha1", sha1, "/bin/y", new byte[0]);
        byte[] data = Arrays.copyOf(sha1, 276);
        System.arraycopy("/bin/y".getBytes(StandardCharsets.US_ASCII), 0, data, 20, 6);
        assertArrayEquals(data, legacy.templateData());
        assertFalse(legacy.templateHashMatches(), "all-zero template hash: a violation hashes nothing");
        byte[] ones = new byte[48];
        Arrays.fill(ones, (byte) 0xFF);
        assertArrayEquals(ones, legacy.extendDigest(HashAlg.SHA384));
        // A SHA-256 template hash (ascii_runtime_measurements_sha256) is checked with SHA-256.
        ImaEntry ng = ImaEntry.of(1, 10, new byte[32], "ima-ng", "sha256", d, "/bin/z", new byte[0]);
        assertTrue(ImaEntry.of(1, 10, HashAlg.SHA256.hash(ng.templateData()), "ima-ng", "sha256", d, "/bin/z",
                new byte[0]).templateHashMatches());
    }

    @Test
    void everyRejectionHasItsReason() {
        byte[] d = new byte[32];
        record Case(Reason reason, String template, String alg, byte[] digest, String name, byte[] extra, int pcr,
                byte[] th) {
        }
        byte[] th = new byte[20];
        List<Case> cases = List.of(
                new Case(Reason.UNSUPPORTED_TYPE, "ima-foo", "sha256", d, "/a", new byte[0], 10, th),
                new Case(Reason.UNKNOWN_ALGORITHM, "ima-ng", "md5", new byte[16], "/a", new byte[0], 10, th),
                new Case(Reason.UNKNOWN_ALGORITHM, "ima", "sha256", d, "/a", new byte[0], 10, th),
                new Case(Reason.DIGEST_SIZE_MISMATCH, "ima-ng", "sha256", new byte[20], "/a", new byte[0], 10, th),
                new Case(Reason.DIGEST_SIZE_MISMATCH, "ima", "sha1", d, "/a", new byte[0], 10, th),
                new Case(Reason.DIGEST_SIZE_MISMATCH, "ima-ng", "sha256", d, "/a", new byte[0], 10, new byte[21]),
                new Case(Reason.INVALID_VALUE, "ima-ng", "sha256", d, "/a", new byte[] {1}, 10, th),
                new Case(Reason.INVALID_VALUE, "ima", "sha1", new byte[20], "/a", new byte[] {1}, 10, th),
                new Case(Reason.INVALID_VALUE, "ima-ng", "sha256", d, "", new byte[0], 10, th),
                new Case(Reason.INVALID_VALUE, "ima-ng", "sha256", d, "/a", new byte[0], 64, th),
                new Case(Reason.SIZE_LIMIT, "ima", "sha1", new byte[20], "/" + "a".repeat(255), new byte[0], 10, th),
                new Case(Reason.SIZE_LIMIT, "ima-sig", "sha256", d, "/a", new byte[ImaEntry.MAX_FIELD + 1], 10, th));
        for (Case c : cases) {
            TpmFormatException e = assertThrows(TpmFormatException.class, () -> ImaEntry.of(7, c.pcr(), c.th(), c.template(),
                    c.alg(), c.digest(), c.name(), c.extra()), c.toString());
            assertEquals(c.reason(), e.reason(), c.toString());
            assertEquals(7, e.offset());
        }
    }
}
