package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux character-device transport ({@code /dev/tpmrm0}) on what this machine has: its kernel
 * is built without TPM support (no {@code CONFIG_TCG_TPM}, no vTPM proxy, no CUSE), so no
 * kernel TPM device can exist here, and the command path is exercised on a real character
 * device that answers nothing ({@code /dev/null}). The TPM commands themselves are tested
 * over swtpm's TCP transport ({@code TpmClientIT}), which carries the same bytes.
 */
class DeviceTransportTest {
    @TempDir
    Path dir;

    @Test
    void onlyACharacterDeviceIsOpenedAndNothingIsCreated() throws Exception {
        Path missing = dir.resolve("tpmrm0");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TpmTransport.device(missing));
        assertTrue(e.getMessage().contains("no such TPM device"), e.getMessage());
        assertTrue(Files.notExists(missing), "opening a missing device must not create a file");

        Path regular = Files.write(dir.resolve("not-a-device"), new byte[] {1, 2, 3});
        IOException r = assertThrows(IOException.class, () -> TpmTransport.device(regular));
        assertTrue(r.getMessage().contains("is not a TPM character device"), r.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(regular));
        IOException d = assertThrows(IOException.class, () -> TpmTransport.device(dir));
        assertTrue(d.getMessage().contains("is not a TPM character device"), d.getMessage());
    }

    @Test
    void aDeviceThatAnswersNothingIsATypedTruncation() throws Exception {
        try (Tpm tpm = Tpm.over(TpmTransport.device(Path.of("/dev/null")))) {
            TpmFormatException e = assertThrows(TpmFormatException.class, () -> tpm.getRandom(8));
            assertEquals(TpmFormatException.Reason.TRUNCATED, e.reason());
            assertTrue(e.getMessage().contains("short response from device"), e.getMessage());
        }
    }
}
