package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our TPM client against a real swtpm. */
class TpmClientIT {
    @TempDir
    static Path state;
    static Swtpm swtpm;

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start(state);
    }

    @AfterAll
    static void stop() throws Exception {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    @Test
    void secondStartupIsRejectedWithInitialize() throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            TpmException e = assertThrows(TpmException.class, () -> tpm.startup(Tpm.StartupType.CLEAR));
            assertEquals(0x100, e.responseCode());
            assertEquals("TPM_RC_INITIALIZE", e.name());
            assertFalse(e.isFormat1());
            assertEquals(TpmException.Subject.NONE, e.subject());
            assertEquals(0x144, e.commandCode());
        }
    }

    @Test
    void getRandomReturnsTheRequestedLengthAcrossChunks() throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            assertEquals(0, tpm.getRandom(0).length);
            byte[] a = tpm.getRandom(200);
            byte[] b = tpm.getRandom(200);
            assertEquals(200, a.length);
            assertNotEquals(HexFormat.of().formatHex(a), HexFormat.of().formatHex(b));
        }
    }

    @Test
    void pcrExtendChangesPcrReadAsTheSpecSays() throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            PcrSelection sel = PcrSelection.of(HashAlg.SHA256, 16);
            byte[] before = tpm.pcrRead(sel).get(HashAlg.SHA256, 16).orElseThrow();
            byte[] d = HashAlg.SHA256.hash("attest".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            tpm.pcrExtend(16, HashAlg.SHA256, d);
            byte[] after = tpm.pcrRead(sel).get(HashAlg.SHA256, 16).orElseThrow();
            byte[] cat = new byte[64];
            System.arraycopy(before, 0, cat, 0, 32);
            System.arraycopy(d, 0, cat, 32, 32);
            assertArrayEquals(HashAlg.SHA256.hash(cat), after);
        }
    }

    @Test
    void pcrReadOfMoreThanEightPcrsInTwoBanksLoops() throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            PcrSelection sel = new PcrSelection(java.util.List.of(
                    new PcrSelection.Bank(HashAlg.SHA1, new java.util.TreeSet<>(java.util.List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))),
                    new PcrSelection.Bank(HashAlg.SHA256, new java.util.TreeSet<>(java.util.List.of(0, 7, 17, 23)))));
            PcrValues v = tpm.pcrRead(sel);
            assertEquals(10, v.asMap().get(HashAlg.SHA1).size());
            assertEquals(4, v.asMap().get(HashAlg.SHA256).size());
            // PCR 17 is reset to all ones outside a D-RTM sequence (PC Client PTP, locality rules).
            byte[] ones = new byte[32];
            java.util.Arrays.fill(ones, (byte) 0xFF);
            assertArrayEquals(ones, v.get(HashAlg.SHA256, 17).orElseThrow());
            assertArrayEquals(new byte[32], v.get(HashAlg.SHA256, 23).orElseThrow());
        }
    }

    @Test
    void responseCodesNameTheFailingHandle() throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            TpmException e = assertThrows(TpmException.class, () -> tpm.readPublic(0x80FFFFFF));
            // no such transient object: the handle value itself is wrong (TPM_RC_VALUE + handle 1)
            assertEquals(0x184, e.responseCode());
            assertEquals("TPM_RC_VALUE", e.name());
            assertTrue(e.isFormat1());
            assertEquals(TpmException.Subject.HANDLE, e.subject());
            assertEquals(OptionalInt.of(1), e.number());
            assertEquals(0x084, e.baseCode());
            TpmException pe = assertThrows(TpmException.class, () -> tpm.pcrExtend(30, HashAlg.SHA256, new byte[32]));
            assertEquals(TpmException.Subject.HANDLE, pe.subject());
            assertEquals(OptionalInt.of(1), pe.number());
            TpmException qe = assertThrows(TpmException.class, () -> tpm.quote(0x80FFFFFF, PcrSelection.of(HashAlg.SHA256, 0), new byte[0]));
            assertEquals(0x184, qe.responseCode());
        }
    }

    @Test
    void createPrimaryAkQuotesAndFlushes() throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            LoadedKey ak = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.akEccP256Template());
            try {
                assertTrue(ak.publicArea().isRestrictedSigningKey());
                assertEquals(32, ak.publicArea().uniqueX().length);
                assertArrayEquals(ak.publicArea().name(), ak.name());
                assertEquals(ak.publicArea(), tpm.readPublic(ak.handle()).publicArea());
                // same seed, same template: same key
                LoadedKey again = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.akEccP256Template());
                tpm.flushContext(again.handle());
                assertArrayEquals(ak.name(), again.name());

                byte[] nonce = tpm.getRandom(32);
                PcrSelection sel = PcrSelection.of(HashAlg.SHA256, 0, 1, 2, 3, 16);
                Quote q = tpm.quote(ak.handle(), sel, nonce);
                TpmsAttest a = q.parseAttest();
                assertEquals(TpmsAttest.TPM_GENERATED_VALUE, a.magic());
                assertEquals(TpmsAttest.TPM_ST_ATTEST_QUOTE, a.type());
                assertArrayEquals(nonce, a.extraData());
                assertEquals(sel, a.pcrSelect());
                assertEquals(TpmtSignature.Scheme.ECDSA, q.parseSignature().scheme());
                assertEquals(HashAlg.SHA256, q.parseSignature().hash());
                assertArrayEquals(q.attest(), a.encode());
                assertArrayEquals(q.signature(), q.parseSignature().encode());
            } finally {
                tpm.flushContext(ak.handle());
            }
            TpmException e = assertThrows(TpmException.class, () -> tpm.readPublic(ak.handle()));
            // a handle of a flushed object: the warning TPM_RC_REFERENCE_H0
            assertEquals(0x910, e.responseCode());
            assertEquals("TPM_RC_REFERENCE_H0", e.name());
            assertTrue(e.isWarning());
        }
    }

    @Test
    void ekTemplatesMatchTpm2Createek() throws Exception {
        byte[] eccName;
        byte[] rsaName;
        try (Tpm tpm = swtpm.connect()) {
            LoadedKey ecc = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.ekEccP256Template());
            tpm.flushContext(ecc.handle());
            LoadedKey rsa = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.ekRsa2048Template());
            tpm.flushContext(rsa.handle());
            assertEquals(256, rsa.publicArea().uniqueX().length);
            eccName = ecc.name();
            rsaName = rsa.name();
        }
        Path dir = java.nio.file.Files.createTempDirectory(state, "ek");
        swtpm.toolOk(dir, "tpm2_createek", "-G", "ecc", "-c", "ecc.ctx", "-u", "ecc.pub");
        swtpm.toolOk(dir, "tpm2_flushcontext", "-t");
        swtpm.toolOk(dir, "tpm2_createek", "-G", "rsa", "-c", "rsa.ctx", "-u", "rsa.pub");
        swtpm.toolOk(dir, "tpm2_flushcontext", "-t");
        TpmtPublic eccTool = TpmtPublic.parseTpm2b(java.nio.file.Files.readAllBytes(dir.resolve("ecc.pub")));
        TpmtPublic rsaTool = TpmtPublic.parseTpm2b(java.nio.file.Files.readAllBytes(dir.resolve("rsa.pub")));
        assertArrayEquals(eccTool.name(), eccName);
        assertArrayEquals(rsaTool.name(), rsaName);
    }

    @Test
    void capabilitiesMatchTpm2GetcapAndTheQuote() throws Exception {
        TpmInfo info;
        PcrSelection banks;
        long[] quotedFirmware = new long[2];
        try (Tpm tpm = swtpm.connect()) {
            info = tpm.info();
            banks = tpm.pcrBanks();
            Hierarchy[] hs = {Hierarchy.ENDORSEMENT, Hierarchy.OWNER};
            for (int i = 0; i < 2; i++) {
                LoadedKey ak = tpm.createPrimary(hs[i], TpmtPublic.akEccP256Template());
                try {
                    quotedFirmware[i] = tpm.quote(ak.handle(), PcrSelection.of(HashAlg.SHA256, 0), new byte[0]).parseAttest()
                            .firmwareVersion();
                } finally {
                    tpm.flushContext(ak.handle());
                }
            }
        }
        assertEquals(quotedFirmware[0], info.firmwareVersion());
        // keys outside the endorsement and platform hierarchies get obfuscated firmwareVersion (Part 3 §18.1)
        assertTrue(quotedFirmware[1] != info.firmwareVersion());
        String getcap = swtpm.toolOk(Files.createTempDirectory(state, "cap"), "tpm2_getcap", "properties-fixed");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("TPM2_PT_MANUFACTURER:\\s+raw: 0x([0-9A-Fa-f]+)").matcher(getcap);
        assertTrue(m.find(), getcap);
        byte[] raw = java.math.BigInteger.valueOf(Long.parseLong(m.group(1), 16)).toByteArray();
        assertEquals(new String(raw, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", ""), info.manufacturer());
        java.util.regex.Matcher fw = java.util.regex.Pattern.compile("TPM2_PT_FIRMWARE_VERSION_1:\\s+raw: 0x([0-9A-Fa-f]+)").matcher(getcap);
        assertTrue(fw.find());
        assertEquals(Long.parseLong(fw.group(1), 16), info.firmwareVersion() >>> 32);
        assertTrue(info.nvBufferMax() >= 512, info.toString());
        String pcrs = swtpm.toolOk(Files.createTempDirectory(state, "cap"), "tpm2_getcap", "pcrs");
        for (PcrSelection.Bank b : banks.banks()) {
            assertTrue(pcrs.contains(b.hash().name().toLowerCase(java.util.Locale.ROOT) + ": ["), pcrs);
            assertEquals(24, b.pcrs().size());
        }
    }

    @Test
    void nvReadReturnsAnEkCertificateWrittenByTpm2Tools() throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            assertEquals(java.util.Optional.empty(), tpm.ekCertificate(TpmtPublic.KeyType.ECC));
        }
        byte[] cert = new byte[1500];
        new java.security.SecureRandom().nextBytes(cert);
        Path dir = Files.createTempDirectory(state, "nv");
        Files.write(dir.resolve("cert.der"), cert);
        swtpm.toolOk(dir, "tpm2_nvdefine", "0x01c0000a", "-C", "o", "-s", "1500", "-a", "ownerread|ownerwrite|no_da");
        swtpm.toolOk(dir, "tpm2_nvwrite", "0x01c0000a", "-C", "o", "-i", "cert.der");
        try (Tpm tpm = swtpm.connect()) {
            assertArrayEquals(cert, tpm.ekCertificate(TpmtPublic.KeyType.ECC).orElseThrow());
            assertEquals(java.util.Optional.empty(), tpm.ekCertificate(TpmtPublic.KeyType.RSA));
        }
        swtpm.toolOk(dir, "tpm2_nvundefine", "0x01c0000a", "-C", "o");
    }

    @Test
    void signingKeySignsDigestsAndAnAkRefuses() throws Exception {
        byte[] message = "evidence".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Tpm tpm = swtpm.connect()) {
            LoadedKey key = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.signingEccP256Template());
            LoadedKey ak = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.akEccP256Template());
            try {
                TpmtSignature sig = tpm.sign(key.handle(), HashAlg.SHA256.hash(message));
                assertEquals(TpmtSignature.Scheme.ECDSA, sig.scheme());
                for (java.security.Provider p : new java.security.Provider[] {
                        java.security.Signature.getInstance("SHA256withECDSA").getProvider(),
                        new org.bouncycastle.jce.provider.BouncyCastleProvider()}) {
                    java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSA", p);
                    v.initVerify(key.publicArea().toPublicKey());
                    v.update(message);
                    assertTrue(v.verify(sig.toJcaSignature()), p.getName());
                }
                // a restricted key signs only digests the TPM itself computed (hash-check ticket)
                TpmException e = assertThrows(TpmException.class, () -> tpm.sign(ak.handle(), HashAlg.SHA256.hash(message)));
                assertEquals("TPM_RC_TICKET", e.name());
                // the signing key is not an AK: its "quotes" are refused by the verifier
                assertFalse(key.publicArea().isRestrictedSigningKey());
            } finally {
                tpm.flushContext(key.handle());
                tpm.flushContext(ak.handle());
            }
        }
    }
}
