package dev.attest.evidence;

/**
 * Every claim key, header label and identifier of this SDK's EAT profile, in one place; each is
 * documented in {@code docs/eat-profile.md}. Registered keys are those of the IANA CWT Claims
 * registry (RFC 8392 §9.1, RFC 9711 §10.3.1); the SDK's private claims use keys below -65536,
 * the range RFC 8392 §9.1 reserves for private use.
 */
public final class EatProfile {
    /** The {@code eat_profile} value of evidence this SDK produces (RFC 9711 §6). */
    public static final String PROFILE = "tag:attest.dev,2026:eat/v1";

    /** CWT {@code iss} (RFC 8392 §3.1.1). */
    public static final int ISS = 1;
    /** CWT {@code sub}. */
    public static final int SUB = 2;
    /** CWT {@code aud}. */
    public static final int AUD = 3;
    /** CWT {@code exp}. */
    public static final int EXP = 4;
    /** CWT {@code nbf}. */
    public static final int NBF = 5;
    /** CWT {@code iat}. */
    public static final int IAT = 6;
    /** CWT {@code cti}. */
    public static final int CTI = 7;
    /** EAT {@code nonce} (RFC 9711 §4.1). */
    public static final int NONCE = 10;
    /** EAT {@code ueid} (RFC 9711 §4.2.1). */
    public static final int UEID = 256;
    /** EAT {@code sueids} (RFC 9711 §4.2.2). */
    public static final int SUEIDS = 257;
    /** EAT {@code oemid} (RFC 9711 §4.2.3). */
    public static final int OEMID = 258;
    /** EAT {@code hwmodel} (RFC 9711 §4.2.4). */
    public static final int HWMODEL = 259;
    /** EAT {@code hwversion} (RFC 9711 §4.2.5). */
    public static final int HWVERSION = 260;
    /** EAT {@code uptime} (RFC 9711 §4.2.11). */
    public static final int UPTIME = 261;
    /** EAT {@code oemboot} (RFC 9711 §4.2.8). */
    public static final int OEMBOOT = 262;
    /** EAT {@code dbgstat} (RFC 9711 §4.2.9). */
    public static final int DBGSTAT = 263;
    /** EAT {@code location} (RFC 9711 §4.2.10). */
    public static final int LOCATION = 264;
    /** EAT {@code eat_profile} (RFC 9711 §4.3.2). */
    public static final int EAT_PROFILE = 265;
    /** EAT {@code submods} (RFC 9711 §4.2.18). */
    public static final int SUBMODS = 266;
    /** EAT {@code bootcount} (RFC 9711 §4.2.12). */
    public static final int BOOTCOUNT = 267;
    /** EAT {@code bootseed} (RFC 9711 §4.2.13). */
    public static final int BOOTSEED = 268;
    /** EAT {@code swname} (RFC 9711 §4.2.6). */
    public static final int SWNAME = 270;
    /** EAT {@code swversion} (RFC 9711 §4.2.7). */
    public static final int SWVERSION = 271;
    /** EAT {@code measurements} (RFC 9711 §4.2.16). */
    public static final int MEASUREMENTS = 273;
    /** EAT {@code measres} (RFC 9711 §4.2.17). */
    public static final int MEASRES = 274;

    /**
     * Private claim: the measurement log extent this evidence covers, a map
     * {@code {1: digest-alg (named-information id), 2: boot-id, 3: since-seq, 4: since-head,
     * 5: head-seq, 6: head, 7: [submod-name, ...] (the layer of each log entry in chain order)}}.
     */
    public static final int ATTEST_LOG = -70001;

    /**
     * The CoAP content format number under which a measurement in the {@code measurements}
     * claim is this SDK's canonical measurement CBOR (docs/measurement-log.md). It is taken from
     * the experimental range (RFC 7252 §12.3) until a number is registered.
     */
    public static final int MEASUREMENT_CONTENT_FORMAT = 65001;

    /** COSE header {@code alg} (RFC 9052 §3.1). */
    public static final int HEADER_ALG = 1;
    /** COSE header {@code crit}. */
    public static final int HEADER_CRIT = 2;
    /** COSE header {@code content type}. */
    public static final int HEADER_CTY = 3;
    /** COSE header {@code kid}. */
    public static final int HEADER_KID = 4;
    /** COSE header {@code x5chain} (RFC 9360 §2). */
    public static final int HEADER_X5CHAIN = 33;
    /** CBOR tag of COSE_Sign1 (RFC 9052 §2). */
    public static final int TAG_COSE_SIGN1 = 18;
    /** CBOR tag of a CWT (RFC 8392 §6). */
    public static final int TAG_CWT = 61;

    private EatProfile() {
    }
}
