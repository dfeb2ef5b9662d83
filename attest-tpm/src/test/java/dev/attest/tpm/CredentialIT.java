package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.tpm.internal.TpmReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Software MakeCredential against the real TPM's ActivateCredential, and tpm2_makecredential's blobs. */
class CredentialIT {
    @TempDir
    static Path state;
    @TempDir
    Path dir;
    static Swtpm swtpm;
    static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start(state);
    }

    @AfterAll
    static void stop() {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    static TpmtPublic ekTemplate(String type) {
        return type.equals("rsa") ? TpmtPublic.ekRsa2048Template() : TpmtPublic.ekEccP256Template();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa", "ecc"})
    void ourCredentialActivatesOnlyForTheNamedKey(String type) throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            LoadedKey ek = tpm.createPrimary(Hierarchy.ENDORSEMENT, ekTemplate(type));
            LoadedKey ak = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.akEccP256Template());
            try {
                byte[] secret = new byte[32];
                RANDOM.nextBytes(secret);
                CredentialChallenge c = CredentialChallenge.make(ek.publicArea(), ak.name(), secret, RANDOM);
                assertArrayEquals(secret, tpm.activateCredential(ak.handle(), ek.handle(), c));
                // bound to another Name: the TPM's integrity check fails
                byte[] other = ak.name();
                other[other.length - 1] ^= 1;
                CredentialChallenge wrong = CredentialChallenge.make(ek.publicArea(), other, secret, RANDOM);
                TpmException e = assertThrows(TpmException.class, () -> tpm.activateCredential(ak.handle(), ek.handle(), wrong));
                assertEquals("TPM_RC_INTEGRITY", e.name());
                assertEquals(TpmException.Subject.PARAMETER, e.subject());
                assertEquals(OptionalInt.of(1), e.number());
            } finally {
                tpm.flushContext(ak.handle());
                tpm.flushContext(ek.handle());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa", "ecc"})
    void tpm2MakecredentialBlobActivatesThroughOurClient(String type) throws Exception {
        LoadedKey ekPub;
        LoadedKey akPub;
        try (Tpm tpm = swtpm.connect()) {
            ekPub = tpm.createPrimary(Hierarchy.ENDORSEMENT, ekTemplate(type));
            tpm.flushContext(ekPub.handle());
            akPub = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.akEccP256Template());
            tpm.flushContext(akPub.handle());
        }
        byte[] secret = new byte[20];
        RANDOM.nextBytes(secret);
        Files.write(dir.resolve("ek.pub"), ekPub.publicArea().encodeTpm2b());
        Files.write(dir.resolve("secret.bin"), secret);
        swtpm.toolOk(dir, "tpm2_makecredential", "-T", "none", "-u", "ek.pub", "-s", "secret.bin",
                "-n", HexFormat.of().formatHex(akPub.name()), "-o", "cred.out");
        // tpm2-tools file: UINT32 magic 0xBADCC0DE, UINT32 version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET
        TpmReader r = TpmReader.of(Files.readAllBytes(dir.resolve("cred.out")));
        assertEquals(0xBADCC0DE, r.u32("magic"));
        assertEquals(1, r.u32("version"));
        CredentialChallenge c = new CredentialChallenge(r.tpm2b(1024, "blob"), r.tpm2b(1024, "secret"));
        r.end("credential file");
        try (Tpm tpm = swtpm.connect()) {
            LoadedKey ek = tpm.createPrimary(Hierarchy.ENDORSEMENT, ekTemplate(type));
            LoadedKey ak = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.akEccP256Template());
            try {
                assertArrayEquals(secret, tpm.activateCredential(ak.handle(), ek.handle(), c));
            } finally {
                tpm.flushContext(ak.handle());
                tpm.flushContext(ek.handle());
            }
        }
    }
}
