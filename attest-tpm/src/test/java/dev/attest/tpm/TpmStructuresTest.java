package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.tpm.TpmFormatException.Reason;
import java.util.HexFormat;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Strict parsing of TPM structures and response code decoding, with exact reasons and offsets. */
class TpmStructuresTest {
    static final HexFormat HEX = HexFormat.of();

    static TpmFormatException fails(Class<?> unused, org.junit.jupiter.api.function.Executable e) {
        return assertThrows(TpmFormatException.class, e);
    }

    @Test
    void templatesRoundTripAndEncodeAsTheSpecLaysThemOut() throws Exception {
        TpmtPublic ak = TpmtPublic.akEccP256Template();
        // type ECC, nameAlg SHA256, attributes, empty policy, sym NULL, ECDSA SHA256, P-256, KDF NULL, empty x/y
        assertEquals("0023000b00050072000000100018000b00030010" + "00000000", HEX.formatHex(ak.encode()));
        assertEquals(ak, TpmtPublic.parse(ak.encode()));
        TpmtPublic ek = TpmtPublic.ekRsa2048Template();
        assertEquals(ek, TpmtPublic.parseTpm2b(ek.encodeTpm2b()));
        assertEquals(TpmtPublic.ekEccP256Template(), TpmtPublic.parse(TpmtPublic.ekEccP256Template().encode()));
    }

    @Test
    void publicAreaRejectsTruncationTrailingBytesAndUnknownAlgorithms() {
        byte[] ak = TpmtPublic.akEccP256Template().encode();
        TpmFormatException t = fails(TpmtPublic.class, () -> TpmtPublic.parse(java.util.Arrays.copyOf(ak, ak.length - 1)));
        assertEquals(Reason.TRUNCATED, t.reason());
        assertEquals(ak.length - 2, t.offset());
        TpmFormatException tr = fails(TpmtPublic.class, () -> TpmtPublic.parse(java.util.Arrays.copyOf(ak, ak.length + 1)));
        assertEquals(Reason.TRAILING_BYTES, tr.reason());
        assertEquals(ak.length, tr.offset());
        byte[] sm3 = ak.clone();
        sm3[3] = 0x12; // nameAlg TPM_ALG_SM3_256
        TpmFormatException u = fails(TpmtPublic.class, () -> TpmtPublic.parse(sm3));
        assertEquals(Reason.UNKNOWN_ALGORITHM, u.reason());
        assertEquals(2, u.offset());
        byte[] keyedHash = ak.clone();
        keyedHash[1] = 0x08;
        assertEquals(Reason.UNSUPPORTED_TYPE, fails(TpmtPublic.class, () -> TpmtPublic.parse(keyedHash)).reason());
        // TPM2B_PUBLIC whose size claims more than present, or zero
        assertEquals(Reason.TRUNCATED, fails(TpmtPublic.class, () -> TpmtPublic.parseTpm2b(HEX.parseHex("00ff0023"))).reason());
        assertEquals(Reason.SIZE_LIMIT, fails(TpmtPublic.class, () -> TpmtPublic.parseTpm2b(HEX.parseHex("0000"))).reason());
        // an authPolicy longer than any digest
        byte[] bigPolicy = HEX.parseHex("0023000b000500720041");
        assertEquals(Reason.SIZE_LIMIT, fails(TpmtPublic.class, () -> TpmtPublic.parse(bigPolicy)).reason());
    }

    @Test
    void nameIsNameAlgAndHashOfThePublicArea() {
        TpmtPublic ak = TpmtPublic.akEccP256Template();
        byte[] name = ak.name();
        assertEquals("000b", HEX.formatHex(name, 0, 2));
        assertArrayEquals(HashAlg.SHA256.hash(ak.encode()), java.util.Arrays.copyOfRange(name, 2, 34));
    }

    @Test
    void attestRejectsBadSafeFlagOversizedFieldsAndTrailingBytes() throws Exception {
        SoftwareQuotes q = SoftwareQuotes.ecc();
        byte[] a = q.goodAttest().encode();
        // safe flag sits after magic(4) type(2) signer(2+34) extra(2+n) clock(8) reset(4) restart(4)
        int safeAt = 4 + 2 + 2 + 34 + 2 + q.nonce.length + 16;
        byte[] badSafe = a.clone();
        badSafe[safeAt] = 2;
        TpmFormatException e = fails(TpmsAttest.class, () -> TpmsAttest.parse(badSafe));
        assertEquals(Reason.INVALID_VALUE, e.reason());
        assertEquals(safeAt, e.offset());
        byte[] longExtra = a.clone();
        longExtra[4 + 2 + 2 + 34] = 1; // extraData size 0x01xx > 64
        assertEquals(Reason.SIZE_LIMIT, fails(TpmsAttest.class, () -> TpmsAttest.parse(longExtra)).reason());
        assertEquals(Reason.TRAILING_BYTES,
                fails(TpmsAttest.class, () -> TpmsAttest.parse(java.util.Arrays.copyOf(a, a.length + 1))).reason());
        assertEquals(Reason.SIZE_LIMIT, fails(TpmsAttest.class, () -> TpmsAttest.parse(new byte[2000])).reason());
        assertEquals(Reason.TRUNCATED, fails(TpmsAttest.class, () -> TpmsAttest.parse(new byte[5])).reason());
    }

    @Test
    void pcrSelectionRejectsDuplicateBanksAndHugeCounts() {
        // count 2, SHA256 {0}, SHA256 {1}
        assertEquals(Reason.INVALID_VALUE, fails(PcrSelection.class,
                () -> PcrSelection.read(dev.attest.tpm.internal.TpmReader.of(HEX.parseHex("00000002000b03010000000b03020000")))).reason());
        assertEquals(Reason.SIZE_LIMIT, fails(PcrSelection.class,
                () -> PcrSelection.read(dev.attest.tpm.internal.TpmReader.of(HEX.parseHex("ffffffff")))).reason());
        assertEquals(Reason.SIZE_LIMIT, fails(PcrSelection.class,
                () -> PcrSelection.read(dev.attest.tpm.internal.TpmReader.of(HEX.parseHex("00000001000b09")))).reason());
        assertEquals("00000001000b03830000", HEX.formatHex(PcrSelection.of(HashAlg.SHA256, 0, 1, 7).encode()));
    }

    @Test
    void signatureRejectsUnknownSchemesHashesAndEmptyValues() {
        assertEquals(Reason.UNSUPPORTED_TYPE, fails(TpmtSignature.class, () -> TpmtSignature.parse(HEX.parseHex("0005000b"))).reason());
        assertEquals(Reason.UNKNOWN_ALGORITHM, fails(TpmtSignature.class, () -> TpmtSignature.parse(HEX.parseHex("001800120000"))).reason());
        assertEquals(Reason.INVALID_VALUE, fails(TpmtSignature.class, () -> TpmtSignature.parse(HEX.parseHex("0018000b00000000"))).reason());
        assertEquals(Reason.SIZE_LIMIT, fails(TpmtSignature.class, () -> TpmtSignature.parse(HEX.parseHex("0014000b0201"))).reason());
    }

    @Test
    void responseCodesDecodeFormatOneParameterSessionAndHandleNumbers() {
        TpmException p = new TpmException(0x158, 0x1C4);
        assertEquals("TPM_RC_VALUE", p.name());
        assertEquals(TpmException.Subject.PARAMETER, p.subject());
        assertEquals(OptionalInt.of(1), p.number());
        TpmException s = new TpmException(0x131, 0x98E);
        assertEquals("TPM_RC_AUTH_FAIL", s.name());
        assertEquals(TpmException.Subject.SESSION, s.subject());
        assertEquals(OptionalInt.of(1), s.number());
        TpmException h = new TpmException(0x158, 0x28B);
        assertEquals(TpmException.Subject.HANDLE, h.subject());
        assertEquals(OptionalInt.of(2), h.number());
        TpmException f1 = new TpmException(0x158, 0x0A2);
        assertEquals("TPM_RC_BAD_AUTH", f1.name());
        assertEquals(TpmException.Subject.NONE, f1.subject());
        TpmException w = new TpmException(0x131, 0x902);
        assertEquals("TPM_RC_OBJECT_MEMORY", w.name());
        assertEquals(true, w.isWarning());
        assertEquals("TPM_RC_REFERENCE_S2", new TpmException(0x131, 0x91A).name());
        assertEquals("TPM1.2_RC_0x1E", new TpmException(0x131, 0x1E).name());
        assertEquals("TPM command 0x158 failed: rc=0x1C4 TPM_RC_VALUE (parameter 1)", p.getMessage());
    }

    @Test
    void clockTransitionsCompareUnsignedCounts() {
        TpmsAttest.ClockInfo a = new TpmsAttest.ClockInfo(1000, 5, 2, true);
        assertEquals(TpmsAttest.ClockInfo.Transition.SAME_BOOT, new TpmsAttest.ClockInfo(1000, 5, 2, true).since(a));
        assertEquals(TpmsAttest.ClockInfo.Transition.ROLLED_BACK, new TpmsAttest.ClockInfo(999, 5, 2, true).since(a));
        assertEquals(TpmsAttest.ClockInfo.Transition.RESTARTED, new TpmsAttest.ClockInfo(10, 5, 3, true).since(a));
        assertEquals(TpmsAttest.ClockInfo.Transition.ROLLED_BACK, new TpmsAttest.ClockInfo(5000, 5, 1, true).since(a));
        assertEquals(TpmsAttest.ClockInfo.Transition.REBOOTED, new TpmsAttest.ClockInfo(1, 6, 0, true).since(a));
        assertEquals(TpmsAttest.ClockInfo.Transition.ROLLED_BACK, new TpmsAttest.ClockInfo(9999, 4, 9, true).since(a));
        assertEquals(TpmsAttest.ClockInfo.Transition.REBOOTED, new TpmsAttest.ClockInfo(1, 0x80000000, 0, true)
                .since(new TpmsAttest.ClockInfo(1, 0x7FFFFFFF, 0, true)));
    }

    /**
     * An ECDSA signature's DER form is strict DER at every width of r and s a TPMT_SIGNATURE can
     * carry (up to 128 bytes, so lengths in short and long form), and gives r and s back.
     */
    @Test
    void ecdsaSignatureIsStrictDerAtEveryWidth() throws Exception {
        for (int len : new int[] {1, 32, 63, 64, 66, 100, 127, 128}) {
            byte[] r = new byte[len];
            byte[] s = new byte[len];
            java.util.Arrays.fill(r, (byte) 0xff);
            java.util.Arrays.fill(s, (byte) 0x11);
            byte[] der = new TpmtSignature(TpmtSignature.Scheme.ECDSA, HashAlg.SHA256, r, s, new byte[0]).toJcaSignature();
            org.bouncycastle.asn1.ASN1Sequence seq = (org.bouncycastle.asn1.ASN1Sequence)
                    new org.bouncycastle.asn1.ASN1InputStream(der).readObject();
            assertArrayEquals(seq.getEncoded("DER"), der, "width " + len);
            assertEquals(new java.math.BigInteger(1, r), ((org.bouncycastle.asn1.ASN1Integer) seq.getObjectAt(0)).getValue());
            assertEquals(new java.math.BigInteger(1, s), ((org.bouncycastle.asn1.ASN1Integer) seq.getObjectAt(1)).getValue());
        }
    }
}
