package dev.attest.tpm;

import java.util.Map;
import java.util.OptionalInt;

/**
 * The TPM answered a command with a response code other than TPM_RC_SUCCESS. The code is
 * decoded per TPM 2.0 Part 2 §6.6 (TPM_RC): format-1 codes carry the number of the handle,
 * session or parameter they refer to; format-0 codes are errors or warnings.
 */
public final class TpmException extends Exception {
    private static final long serialVersionUID = 1L;

    private static final int RC_VER1 = 0x100;
    private static final int RC_FMT1 = 0x080;
    private static final int RC_WARN = 0x900;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0x100, "TPM_RC_INITIALIZE"), Map.entry(0x101, "TPM_RC_FAILURE"),
            Map.entry(0x103, "TPM_RC_SEQUENCE"), Map.entry(0x10B, "TPM_RC_PRIVATE"),
            Map.entry(0x119, "TPM_RC_HMAC"), Map.entry(0x120, "TPM_RC_DISABLED"),
            Map.entry(0x121, "TPM_RC_EXCLUSIVE"), Map.entry(0x124, "TPM_RC_AUTH_TYPE"),
            Map.entry(0x125, "TPM_RC_AUTH_MISSING"), Map.entry(0x126, "TPM_RC_POLICY"),
            Map.entry(0x127, "TPM_RC_PCR"), Map.entry(0x128, "TPM_RC_PCR_CHANGED"),
            Map.entry(0x12D, "TPM_RC_UPGRADE"), Map.entry(0x12E, "TPM_RC_TOO_MANY_CONTEXTS"),
            Map.entry(0x12F, "TPM_RC_AUTH_UNAVAILABLE"), Map.entry(0x130, "TPM_RC_REBOOT"),
            Map.entry(0x131, "TPM_RC_UNBALANCED"), Map.entry(0x142, "TPM_RC_COMMAND_SIZE"),
            Map.entry(0x143, "TPM_RC_COMMAND_CODE"), Map.entry(0x144, "TPM_RC_AUTHSIZE"),
            Map.entry(0x145, "TPM_RC_AUTH_CONTEXT"), Map.entry(0x146, "TPM_RC_NV_RANGE"),
            Map.entry(0x147, "TPM_RC_NV_SIZE"), Map.entry(0x148, "TPM_RC_NV_LOCKED"),
            Map.entry(0x149, "TPM_RC_NV_AUTHORIZATION"), Map.entry(0x14A, "TPM_RC_NV_UNINITIALIZED"),
            Map.entry(0x14B, "TPM_RC_NV_SPACE"), Map.entry(0x14C, "TPM_RC_NV_DEFINED"),
            Map.entry(0x150, "TPM_RC_BAD_CONTEXT"), Map.entry(0x151, "TPM_RC_CPHASH"),
            Map.entry(0x152, "TPM_RC_PARENT"), Map.entry(0x153, "TPM_RC_NEEDS_TEST"),
            Map.entry(0x154, "TPM_RC_NO_RESULT"), Map.entry(0x155, "TPM_RC_SENSITIVE"),
            Map.entry(0x081, "TPM_RC_ASYMMETRIC"), Map.entry(0x082, "TPM_RC_ATTRIBUTES"),
            Map.entry(0x083, "TPM_RC_HASH"), Map.entry(0x084, "TPM_RC_VALUE"),
            Map.entry(0x085, "TPM_RC_HIERARCHY"), Map.entry(0x087, "TPM_RC_KEY_SIZE"),
            Map.entry(0x088, "TPM_RC_MGF"), Map.entry(0x089, "TPM_RC_MODE"),
            Map.entry(0x08A, "TPM_RC_TYPE"), Map.entry(0x08B, "TPM_RC_HANDLE"),
            Map.entry(0x08C, "TPM_RC_KDF"), Map.entry(0x08D, "TPM_RC_RANGE"),
            Map.entry(0x08E, "TPM_RC_AUTH_FAIL"), Map.entry(0x08F, "TPM_RC_NONCE"),
            Map.entry(0x090, "TPM_RC_PP"), Map.entry(0x092, "TPM_RC_SCHEME"),
            Map.entry(0x095, "TPM_RC_SIZE"), Map.entry(0x096, "TPM_RC_SYMMETRIC"),
            Map.entry(0x097, "TPM_RC_TAG"), Map.entry(0x098, "TPM_RC_SELECTOR"),
            Map.entry(0x09A, "TPM_RC_INSUFFICIENT"), Map.entry(0x09B, "TPM_RC_SIGNATURE"),
            Map.entry(0x09C, "TPM_RC_KEY"), Map.entry(0x09D, "TPM_RC_POLICY_FAIL"),
            Map.entry(0x09F, "TPM_RC_INTEGRITY"), Map.entry(0x0A0, "TPM_RC_TICKET"),
            Map.entry(0x0A1, "TPM_RC_RESERVED_BITS"), Map.entry(0x0A2, "TPM_RC_BAD_AUTH"),
            Map.entry(0x0A3, "TPM_RC_EXPIRED"), Map.entry(0x0A4, "TPM_RC_POLICY_CC"),
            Map.entry(0x0A5, "TPM_RC_BINDING"), Map.entry(0x0A6, "TPM_RC_CURVE"),
            Map.entry(0x0A7, "TPM_RC_ECC_POINT"),
            Map.entry(0x901, "TPM_RC_CONTEXT_GAP"), Map.entry(0x902, "TPM_RC_OBJECT_MEMORY"),
            Map.entry(0x903, "TPM_RC_SESSION_MEMORY"), Map.entry(0x904, "TPM_RC_MEMORY"),
            Map.entry(0x905, "TPM_RC_SESSION_HANDLES"), Map.entry(0x906, "TPM_RC_OBJECT_HANDLES"),
            Map.entry(0x907, "TPM_RC_LOCALITY"), Map.entry(0x908, "TPM_RC_YIELDED"),
            Map.entry(0x909, "TPM_RC_CANCELED"), Map.entry(0x90A, "TPM_RC_TESTING"),
            Map.entry(0x920, "TPM_RC_NV_RATE"), Map.entry(0x921, "TPM_RC_LOCKOUT"),
            Map.entry(0x922, "TPM_RC_RETRY"), Map.entry(0x923, "TPM_RC_NV_UNAVAILABLE"));

    /** What a format-1 response code refers to (TPM 2.0 Part 2 §6.6.3, bits 6 and 11). */
    public enum Subject {
        /** Not a format-1 code, or a format-1 code with number 0 (refers to no particular item). */
        NONE,
        /** The n-th handle of the command. */
        HANDLE,
        /** The n-th authorization session. */
        SESSION,
        /** The n-th command parameter. */
        PARAMETER
    }

    /** The raw TPM_RC. */
    private final int responseCode;
    /** The TPM_CC of the command that failed. */
    private final int commandCode;

    /**
     * @param commandCode the TPM_CC of the command that failed
     * @param responseCode the raw TPM_RC
     */
    public TpmException(int commandCode, int responseCode) {
        super(describe(commandCode, responseCode));
        this.commandCode = commandCode;
        this.responseCode = responseCode;
    }

    private static String describe(int cc, int rc) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("TPM command 0x%03X failed: rc=0x%03X %s", cc, rc, name(rc)));
        OptionalInt n = number(rc);
        if (n.isPresent()) {
            sb.append(" (").append(subject(rc).name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                    .append(n.getAsInt()).append(')');
        }
        return sb.toString();
    }

    /** @return the raw TPM_RC */
    public int responseCode() {
        return responseCode;
    }

    /** @return the TPM_CC of the failed command */
    public int commandCode() {
        return commandCode;
    }

    /** @return true for format-1 codes (bit 7 set): parameter, handle or session errors */
    public boolean isFormat1() {
        return isFormat1(responseCode);
    }

    /** @return true for format-0 warnings (TPM_RC_WARN, e.g. TPM_RC_RETRY, TPM_RC_OBJECT_MEMORY) */
    public boolean isWarning() {
        return !isFormat1(responseCode) && (responseCode & 0xF00) == RC_WARN;
    }

    /**
     * @return the base code without handle/session/parameter number: for format-1 codes
     *         {@code TPM_RC_FMT1 + error number} (e.g. 0x084 TPM_RC_VALUE); for format-0 codes the code itself
     */
    public int baseCode() {
        return baseCode(responseCode);
    }

    /** @return the specification name of {@link #baseCode()}, e.g. "TPM_RC_VALUE", or "TPM_RC_0x..." if unknown */
    public String name() {
        return name(responseCode);
    }

    /** @return what a format-1 code refers to */
    public Subject subject() {
        return subject(responseCode);
    }

    /** @return the 1-based handle, session or parameter number of a format-1 code, if it names one */
    public OptionalInt number() {
        return number(responseCode);
    }

    private static boolean isFormat1(int rc) {
        return (rc & RC_FMT1) != 0;
    }

    private static int baseCode(int rc) {
        if (isFormat1(rc)) {
            return RC_FMT1 | (rc & 0x3F);
        }
        return rc & 0xFFF;
    }

    private static String name(int rc) {
        if (!isFormat1(rc) && (rc & RC_VER1) == 0 && rc != 0) {
            return String.format("TPM1.2_RC_0x%X", rc);
        }
        if (!isFormat1(rc) && (rc & 0x400) != 0) {
            return String.format("TPM_RC_VENDOR_0x%X", rc);
        }
        int b = baseCode(rc);
        String n = NAMES.get(b);
        if (n == null && (b & 0xFF0) == 0x910) {
            n = (b & 0x8) == 0 ? "TPM_RC_REFERENCE_H" + (b & 0x7) : "TPM_RC_REFERENCE_S" + (b & 0x7);
        }
        return n != null ? n : String.format("TPM_RC_0x%03X", b);
    }

    private static Subject subject(int rc) {
        if (!isFormat1(rc)) {
            return Subject.NONE;
        }
        if ((rc & 0x40) != 0) {
            return ((rc >>> 8) & 0xF) == 0 ? Subject.NONE : Subject.PARAMETER;
        }
        // bits 8-10 number the handle or session (1..7), bit 11 tells which; number 0 names neither
        if (((rc >>> 8) & 0x7) == 0) {
            return Subject.NONE;
        }
        return (rc & 0x800) != 0 ? Subject.SESSION : Subject.HANDLE;
    }

    private static OptionalInt number(int rc) {
        Subject s = subject(rc);
        if (s == Subject.NONE) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(s == Subject.PARAMETER ? (rc >>> 8) & 0xF : (rc >>> 8) & 0x7);
    }
}
