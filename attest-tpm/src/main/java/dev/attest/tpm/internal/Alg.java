package dev.attest.tpm.internal;

/** TPM_ALG_ID values (TPM 2.0 Part 2 §6.3) and command codes (§6.5.2) used by this module. */
public final class Alg {
    private Alg() {
    }

    public static final int RSA = 0x0001;
    public static final int AES = 0x0006;
    public static final int MGF1 = 0x0007;
    public static final int NULL = 0x0010;
    public static final int SM4 = 0x0013;
    public static final int RSASSA = 0x0014;
    public static final int RSAES = 0x0015;
    public static final int RSAPSS = 0x0016;
    public static final int OAEP = 0x0017;
    public static final int ECDSA = 0x0018;
    public static final int ECDH = 0x0019;
    public static final int ECDAA = 0x001A;
    public static final int SM2 = 0x001B;
    public static final int ECSCHNORR = 0x001C;
    public static final int ECMQV = 0x001D;
    public static final int KDF1_SP800_56A = 0x0020;
    public static final int KDF2 = 0x0021;
    public static final int KDF1_SP800_108 = 0x0022;
    public static final int ECC = 0x0023;
    public static final int CAMELLIA = 0x0026;
    public static final int CFB = 0x0043;

    /** @return true for asymmetric schemes whose details are exactly one hash algorithm (TPMS_SCHEME_HASH) */
    public static boolean schemeHasHash(int scheme) {
        return switch (scheme) {
            case RSASSA, RSAPSS, OAEP, ECDSA, ECDH, SM2, ECSCHNORR, ECMQV -> true;
            default -> false;
        };
    }

    public static final int CC_CREATE_PRIMARY = 0x0131;
    public static final int CC_ACTIVATE_CREDENTIAL = 0x0147;
    public static final int CC_POLICY_SECRET = 0x0151;
    public static final int CC_START_AUTH_SESSION = 0x0176;
    public static final int CC_STARTUP = 0x0144;
    public static final int CC_NV_READ = 0x014E;
    public static final int CC_NV_READ_PUBLIC = 0x0169;
    public static final int CC_GET_CAPABILITY = 0x017A;
    public static final int CC_CREATE = 0x0153;
    public static final int CC_LOAD = 0x0157;
    public static final int CC_QUOTE = 0x0158;
    public static final int CC_SIGN = 0x015D;
    public static final int CC_FLUSH_CONTEXT = 0x0165;
    public static final int CC_READ_PUBLIC = 0x0173;
    public static final int CC_GET_RANDOM = 0x017B;
    public static final int CC_PCR_READ = 0x017E;
    public static final int CC_PCR_EXTEND = 0x0182;

    public static final int ST_NO_SESSIONS = 0x8001;
    public static final int ST_SESSIONS = 0x8002;
    public static final int RS_PW = 0x40000009;
}
