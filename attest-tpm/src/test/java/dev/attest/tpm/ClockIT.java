package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.tpm.TpmsAttest.ClockInfo;
import dev.attest.tpm.TpmsAttest.ClockInfo.Transition;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reboot detection from quotes of a real swtpm that is re-initialized through its control channel. */
class ClockIT {
    @TempDir
    Path state;

    static ClockInfo quoteClock(Swtpm swtpm) throws Exception {
        try (Tpm tpm = swtpm.connect()) {
            // an endorsement-hierarchy AK: its quotes carry the real counts (owner keys see obfuscated ones)
            LoadedKey ak = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.akEccP256Template());
            try {
                return tpm.quote(ak.handle(), PcrSelection.of(HashAlg.SHA256, 0), new byte[8]).parseAttest().clockInfo();
            } finally {
                tpm.flushContext(ak.handle());
            }
        }
    }

    @Test
    void resetCountRevealsAReboot() throws Exception {
        try (Swtpm swtpm = Swtpm.start(state)) {
            ClockInfo first = quoteClock(swtpm);
            ClockInfo second = quoteClock(swtpm);
            assertEquals(Transition.SAME_BOOT, second.since(first));
            // CMD_INIT on the control channel: a TPM Reset; the TPM then needs TPM2_Startup(CLEAR)
            swtpm.toolOk(state, "swtpm_ioctl", "--tcp", "127.0.0.1:" + (swtpm.port() + 1), "-i");
            try (Tpm tpm = swtpm.connect()) {
                tpm.startup(Tpm.StartupType.CLEAR);
            }
            ClockInfo third = quoteClock(swtpm);
            assertEquals(first.resetCount() + 1, third.resetCount());
            assertEquals(0, third.restartCount());
            assertEquals(Transition.REBOOTED, third.since(second));
            assertEquals(Transition.ROLLED_BACK, second.since(third));
        }
    }
}
