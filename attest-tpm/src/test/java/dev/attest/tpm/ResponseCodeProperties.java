package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Response code decoding (TPM 2.0 Part 2 §6.6) is total and consistent for every 12-bit code. */
class ResponseCodeProperties {
    @Property
    void format1CodesSplitIntoBaseAndNumber(@ForAll @IntRange(min = 0, max = 0x3F) int error,
            @ForAll @IntRange(min = 1, max = 15) int n, @ForAll boolean parameter, @ForAll boolean session) {
        int rc;
        if (parameter) {
            rc = 0x080 | 0x040 | (n << 8) | error;
        } else {
            rc = 0x080 | ((n & 7) << 8) | (session ? 0x800 : 0) | error;
        }
        TpmException e = new TpmException(0x158, rc);
        assertTrue(e.isFormat1());
        assertEquals(0x080 | error, e.baseCode());
        if (parameter) {
            assertEquals(TpmException.Subject.PARAMETER, e.subject());
            assertEquals(n, e.number().orElseThrow());
        } else if ((n & 7) == 0) {
            assertEquals(TpmException.Subject.NONE, e.subject());
        } else {
            assertEquals(session ? TpmException.Subject.SESSION : TpmException.Subject.HANDLE, e.subject());
            assertEquals(n & 7, e.number().orElseThrow());
        }
        assertTrue(e.getMessage().startsWith("TPM command 0x158 failed: rc=0x"));
    }

    @Property
    void everyCodeHasANameAndNoFormat0NumberIsInvented(@ForAll @IntRange(min = 1, max = 0xFFF) int rc) {
        TpmException e = new TpmException(0x17E, rc);
        assertTrue(e.name().startsWith("TPM"), e.name());
        if (!e.isFormat1()) {
            assertEquals(TpmException.Subject.NONE, e.subject());
            assertTrue(e.number().isEmpty());
        }
    }
}
