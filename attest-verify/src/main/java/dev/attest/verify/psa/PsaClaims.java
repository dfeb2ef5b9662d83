package dev.attest.verify.psa;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.verify.psa.PsaException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The claims set of a PSA attestation token (RFC 9783 §4, and profile 1), decoded strictly: one
 * CBOR map within the limits, no trailing bytes, no duplicate or unknown claims, every mandatory
 * claim present with its type and length. Immutable; arrays are copied.
 *
 * <p>Profile 1 ({@code PSA_IOT_PROFILE_1}, keys -75000…) is recognised by its keys, with or
 * without its profile claim; profile 2 ({@code http://arm.com/psa/2.0.0} or
 * {@code tag:psacertified.org,2023:psa#tfm}, key 265) must name itself.
 *
 * @param profile the profile
 * @param clientId the caller's partition id (negative: non-secure, RFC 9783 §4.2.1)
 * @param securityLifecycle the raw security lifecycle (RFC 9783 §4.2.2)
 * @param implementationId the implementation id, 32 bytes: selects the reference values
 * @param instanceId the instance id (a 33-byte UEID of type RAND, 0x01): selects the key
 * @param bootSeed the boot seed (32 bytes in profile 1, 8 to 32 in profile 2), if present
 * @param nonce the challenge, 32, 48 or 64 bytes
 * @param softwareComponents the software components; empty only when the token says it has no
 *     software measurements (profile 1)
 * @param certificationReference the hardware version (profile 1) or certification reference
 *     (profile 2): EAN-13, optionally followed by {@code -} and five digits
 * @param verificationService the verification service indicator, if present
 */
public record PsaClaims(PsaProfile profile, long clientId, int securityLifecycle, byte[] implementationId,
        byte[] instanceId, Optional<byte[]> bootSeed, byte[] nonce, List<PsaSoftwareComponent> softwareComponents,
        Optional<String> certificationReference, Optional<String> verificationService) {
    /** The largest claims set this decoder reads. */
    public static final int MAX_BYTES = 16 * 1024;
    private static final int MAX_DEPTH = 6;
    private static final int MAX_COMPONENTS = 64;
    private static final Pattern EAN13 = Pattern.compile("[0-9]{13}(-[0-9]{5})?");

    // Profile 1 (draft-tschofenig-rats-psa-token-07 §3) and profile 2 (RFC 9783 §4) claim keys.
    static final long P1_PROFILE = -75000, P1_CLIENT_ID = -75001, P1_LIFECYCLE = -75002, P1_IMPLEMENTATION_ID = -75003,
            P1_BOOT_SEED = -75004, P1_HW_VERSION = -75005, P1_SW_COMPONENTS = -75006, P1_NO_SW_MEASUREMENTS = -75007,
            P1_NONCE = -75008, P1_INSTANCE_ID = -75009, P1_VSI = -75010;
    static final long P2_PROFILE = 265, P2_NONCE = 10, P2_UEID = 256, P2_CLIENT_ID = 2394, P2_LIFECYCLE = 2395,
            P2_IMPLEMENTATION_ID = 2396, P2_BOOT_SEED = 2397, P2_CERTIFICATION_REFERENCE = 2398,
            P2_SW_COMPONENTS = 2399, P2_VSI = 2400;

    /**
     * Copies the arrays and checks what the decoder checks.
     *
     * @param profile the profile
     * @param clientId the caller's partition id (negative: non-secure, RFC 9783 §4.2.1)
     * @param securityLifecycle the raw security lifecycle (RFC 9783 §4.2.2)
     * @param implementationId the implementation id, 32 bytes: selects the reference values
     * @param instanceId the instance id (a 33-byte UEID of type RAND, 0x01): selects the key
     * @param bootSeed the boot seed (32 bytes in profile 1, 8 to 32 in profile 2), if present
     * @param nonce the challenge, 32, 48 or 64 bytes
     * @param softwareComponents the software components; empty only when the token says it has no software
     *     measurements (profile 1)
     * @param certificationReference the hardware version (profile 1) or certification reference (profile 2):
     *     EAN-13, optionally followed by {@code -} and five digits
     * @param verificationService the verification service indicator, if present
     */
    public PsaClaims {
        Objects.requireNonNull(profile, "profile");
        implementationId = implementationId.clone();
        instanceId = instanceId.clone();
        bootSeed = bootSeed.map(byte[]::clone);
        nonce = nonce.clone();
        softwareComponents = List.copyOf(softwareComponents);
        Objects.requireNonNull(certificationReference, "certificationReference");
        Objects.requireNonNull(verificationService, "verificationService");
    }

    /**
     * A copy of the implementation id.
     *
     * @return a fresh copy of the implementation id
     */
    @Override
    public byte[] implementationId() {
        return implementationId.clone();
    }

    /**
     * A copy of the instance id.
     *
     * @return a fresh copy of the instance id
     */
    @Override
    public byte[] instanceId() {
        return instanceId.clone();
    }

    /**
     * A copy of the boot seed, if present.
     *
     * @return a fresh copy of the boot seed, or empty
     */
    @Override
    public Optional<byte[]> bootSeed() {
        return bootSeed.map(byte[]::clone);
    }

    /**
     * A copy of the nonce.
     *
     * @return a fresh copy of the nonce
     */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /**
     * The security lifecycle state (the high byte of {@link #securityLifecycle()}).
     *
     * @return the lifecycle state
     */
    public SecurityLifecycle lifecycle() {
        return SecurityLifecycle.of(securityLifecycle).orElseThrow();
    }

    /**
     * The instance id as lower-case hex: the device id results carry.
     *
     * @return the instance id in hex
     */
    public String instanceIdHex() {
        return HexFormat.of().formatHex(instanceId);
    }

    /** The states of RFC 9783 §4.2.2: the high byte of the claim; the low byte is implementation defined. */
    public enum SecurityLifecycle {
        /** 0x0000-0x00ff. */
        UNKNOWN(0x00),
        /** 0x1000-0x10ff. */
        ASSEMBLY_AND_TEST(0x10),
        /** 0x2000-0x20ff. */
        PSA_ROT_PROVISIONING(0x20),
        /** 0x3000-0x30ff: the only state in which a device is fully trustworthy. */
        SECURED(0x30),
        /** 0x4000-0x40ff: debug of the non-PSA RoT only; the PSA RoT is still protected. */
        NON_PSA_ROT_DEBUG(0x40),
        /** 0x5000-0x50ff. */
        RECOVERABLE_PSA_ROT_DEBUG(0x50),
        /** 0x6000-0x60ff. */
        DECOMMISSIONED(0x60);

        private final int high;

        SecurityLifecycle(int high) {
            this.high = high;
        }

        /**
         * The state of a raw claim value, empty if it is none of the defined ranges.
         *
         * @param raw the claim value
         * @return the state, or empty if {@code raw} is in no defined range
         */
        public static Optional<SecurityLifecycle> of(long raw) {
            if (raw < 0 || raw > 0xffff) {
                return Optional.empty();
            }
            for (SecurityLifecycle s : values()) {
                if (s.high == raw >> 8) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }

        /**
         * Whether a device in this state keeps its PSA RoT protected (SECURED, NON_PSA_ROT_DEBUG).
         *
         * @return true for SECURED and NON_PSA_ROT_DEBUG
         */
        public boolean protectsRoot() {
            return this == SECURED || this == NON_PSA_ROT_DEBUG;
        }
    }

    /**
     * Decodes a claims set (the COSE payload of a token).
     *
     * @param claimsSet the encoded claims set
     * @return the claims
     * @throws PsaException with the reason and claim path it is refused for
     */
    public static PsaClaims decode(byte[] claimsSet) throws PsaException {
        Cbor item;
        try {
            item = CborDecoder.lenient(MAX_BYTES, MAX_DEPTH, MAX_BYTES).decode(claimsSet);
        } catch (CborException e) {
            throw cbor(e, "/");
        }
        if (!(item instanceof Cbor.Map m)) {
            throw new PsaException(Reason.NOT_A_CLAIMS_SET, "/", "a claims set is a map");
        }
        Map<Long, Cbor> claims = new HashMap<>();
        for (Cbor.Entry e : m.entries()) {
            if (!(e.key() instanceof Cbor.Int k)) {
                throw new PsaException(Reason.UNKNOWN_CLAIM, "/", "claim keys are integers, found " + kind(e.key()));
            }
            claims.put(k.value(), e.value());
        }
        PsaProfile profile = profile(claims);
        return profile.eatKeys() ? p2(profile, claims) : p1(claims);
    }

    private static PsaProfile profile(Map<Long, Cbor> claims) throws PsaException {
        if (claims.containsKey(P2_PROFILE)) {
            String id = text(claims, P2_PROFILE);
            PsaProfile p = PsaProfile.of(id).orElseThrow(() -> new PsaException(Reason.UNKNOWN_PROFILE, "/265",
                    "unknown profile " + quote(id)));
            if (!p.eatKeys()) {
                throw new PsaException(Reason.UNKNOWN_PROFILE, "/265", "profile 1 does not use eat_profile");
            }
            return p;
        }
        if (claims.containsKey(P1_PROFILE)) {
            String id = text(claims, P1_PROFILE);
            if (!PsaProfile.PSA_IOT_1.id().equals(id)) {
                throw new PsaException(Reason.UNKNOWN_PROFILE, "/-75000", "unknown profile " + quote(id));
            }
            return PsaProfile.PSA_IOT_1;
        }
        // Profile 1 may leave its profile claim out; profile 2 must name itself.
        for (long k : claims.keySet()) {
            if (k <= P1_PROFILE && k >= P1_VSI) {
                return PsaProfile.PSA_IOT_1;
            }
        }
        throw new PsaException(claims.isEmpty() ? Reason.MISSING_CLAIM : Reason.UNKNOWN_PROFILE, "/265",
                "no PSA profile: neither eat_profile (265) nor profile 1 claims");
    }

    private static PsaClaims p1(Map<Long, Cbor> c) throws PsaException {
        known(c, P1_PROFILE, P1_CLIENT_ID, P1_LIFECYCLE, P1_IMPLEMENTATION_ID, P1_BOOT_SEED, P1_HW_VERSION,
                P1_SW_COMPONENTS, P1_NO_SW_MEASUREMENTS, P1_NONCE, P1_INSTANCE_ID, P1_VSI);
        List<PsaSoftwareComponent> sw;
        boolean none = c.containsKey(P1_NO_SW_MEASUREMENTS);
        if (none) {
            if (!(c.get(P1_NO_SW_MEASUREMENTS) instanceof Cbor.Int i) || i.value() != 1) {
                throw new PsaException(Reason.BAD_CLAIM, "/-75007", "no-software-measurements must be 1");
            }
            if (c.containsKey(P1_SW_COMPONENTS)) {
                throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, "/-75006",
                        "software components and no-software-measurements together");
            }
            sw = List.of();
        } else {
            sw = components(c, P1_SW_COMPONENTS);
        }
        return new PsaClaims(PsaProfile.PSA_IOT_1, clientId(c, P1_CLIENT_ID), lifecycle(c, P1_LIFECYCLE),
                bytes(c, P1_IMPLEMENTATION_ID, 32, 32), instanceId(c, P1_INSTANCE_ID),
                Optional.of(bytes(c, P1_BOOT_SEED, 32, 32)), nonce(c, P1_NONCE), sw, ean(c, P1_HW_VERSION),
                vsi(c, P1_VSI));
    }

    private static PsaClaims p2(PsaProfile profile, Map<Long, Cbor> c) throws PsaException {
        known(c, P2_PROFILE, P2_NONCE, P2_UEID, P2_CLIENT_ID, P2_LIFECYCLE, P2_IMPLEMENTATION_ID, P2_BOOT_SEED,
                P2_CERTIFICATION_REFERENCE, P2_SW_COMPONENTS, P2_VSI);
        Optional<byte[]> seed = c.containsKey(P2_BOOT_SEED) ? Optional.of(bytes(c, P2_BOOT_SEED, 8, 32)) : Optional.empty();
        return new PsaClaims(profile, clientId(c, P2_CLIENT_ID), lifecycle(c, P2_LIFECYCLE),
                bytes(c, P2_IMPLEMENTATION_ID, 32, 32), instanceId(c, P2_UEID), seed, nonce(c, P2_NONCE),
                components(c, P2_SW_COMPONENTS), ean(c, P2_CERTIFICATION_REFERENCE), vsi(c, P2_VSI));
    }

    private static void known(Map<Long, Cbor> c, long... keys) throws PsaException {
        for (long k : c.keySet()) {
            boolean ok = false;
            for (long x : keys) {
                ok |= x == k;
            }
            if (!ok) {
                throw new PsaException(Reason.UNKNOWN_CLAIM, "/" + k, "claim " + k + " is not defined by this profile");
            }
        }
    }

    private static Cbor required(Map<Long, Cbor> c, long key) throws PsaException {
        Cbor v = c.get(key);
        if (v == null) {
            throw new PsaException(Reason.MISSING_CLAIM, "/" + key, "mandatory claim " + key + " is missing");
        }
        return v;
    }

    private static String text(Map<Long, Cbor> c, long key) throws PsaException {
        if (!(required(c, key) instanceof Cbor.Text t)) {
            throw new PsaException(Reason.BAD_CLAIM, "/" + key, "a text string is expected, found " + kind(c.get(key)));
        }
        return t.value();
    }

    private static byte[] bytes(Map<Long, Cbor> c, long key, int min, int max) throws PsaException {
        return bytes(required(c, key), "/" + key, min, max, Reason.BAD_CLAIM);
    }

    private static byte[] bytes(Cbor v, String path, int min, int max, Reason reason) throws PsaException {
        if (!(v instanceof Cbor.Bytes b)) {
            throw new PsaException(reason, path, "a byte string is expected, found " + kind(v));
        }
        if (b.length() < min || b.length() > max) {
            throw new PsaException(reason, path, b.length() + " bytes, expected " + (min == max ? min : min + ".." + max));
        }
        return b.value();
    }

    private static long clientId(Map<Long, Cbor> c, long key) throws PsaException {
        if (!(required(c, key) instanceof Cbor.Int i) || i.value() < Integer.MIN_VALUE || i.value() > Integer.MAX_VALUE) {
            throw new PsaException(Reason.BAD_CLAIM, "/" + key, "the client id is a 32-bit integer");
        }
        return i.value();
    }

    private static int lifecycle(Map<Long, Cbor> c, long key) throws PsaException {
        if (!(required(c, key) instanceof Cbor.Int i)) {
            throw new PsaException(Reason.BAD_SECURITY_LIFECYCLE, "/" + key, "an unsigned integer is expected");
        }
        if (SecurityLifecycle.of(i.value()).isEmpty()) {
            throw new PsaException(Reason.BAD_SECURITY_LIFECYCLE, "/" + key, "0x" + Long.toHexString(i.value())
                    + " is not a defined state");
        }
        return (int) i.value();
    }

    private static byte[] instanceId(Map<Long, Cbor> c, long key) throws PsaException {
        byte[] id = bytes(c, key, 33, 33);
        if (id[0] != 0x01) {
            throw new PsaException(Reason.BAD_CLAIM, "/" + key, "the instance id is a UEID of type RAND (0x01), found 0x"
                    + HexFormat.of().toHexDigits(id[0]));
        }
        return id;
    }

    private static byte[] nonce(Map<Long, Cbor> c, long key) throws PsaException {
        byte[] n = bytes(required(c, key), "/" + key, 32, 64, Reason.BAD_NONCE);
        if (n.length != 32 && n.length != 48 && n.length != 64) {
            throw new PsaException(Reason.BAD_NONCE, "/" + key, n.length + " bytes, expected 32, 48 or 64");
        }
        return n;
    }

    private static Optional<String> ean(Map<Long, Cbor> c, long key) throws PsaException {
        if (!c.containsKey(key)) {
            return Optional.empty();
        }
        String s = text(c, key);
        if (!EAN13.matcher(s).matches()) {
            throw new PsaException(Reason.BAD_CLAIM, "/" + key, "not EAN-13[-nnnnn]: " + quote(s));
        }
        return Optional.of(s);
    }

    private static Optional<String> vsi(Map<Long, Cbor> c, long key) throws PsaException {
        if (!c.containsKey(key)) {
            return Optional.empty();
        }
        String s = text(c, key);
        if (s.isEmpty()) {
            throw new PsaException(Reason.BAD_CLAIM, "/" + key, "the verification service indicator is empty");
        }
        return Optional.of(s);
    }

    private static List<PsaSoftwareComponent> components(Map<Long, Cbor> c, long key) throws PsaException {
        String at = "/" + key;
        Cbor v = c.get(key);
        if (v == null) {
            throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, at, "the software components are missing");
        }
        if (!(v instanceof Cbor.Array a) || a.size() == 0 || a.size() > MAX_COMPONENTS) {
            throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, at, "1.." + MAX_COMPONENTS
                    + " software components are expected");
        }
        List<PsaSoftwareComponent> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            String p = at + "/" + i;
            if (!(a.get(i) instanceof Cbor.Map m)) {
                throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, p, "a software component is a map");
            }
            Optional<String> type = Optional.empty();
            Optional<String> version = Optional.empty();
            Optional<String> desc = Optional.empty();
            byte[] value = null;
            byte[] signer = null;
            for (Cbor.Entry e : m.entries()) {
                long k = e.key() instanceof Cbor.Int ki ? ki.value() : Long.MIN_VALUE;
                String kp = p + "/" + k;
                switch ((int) Math.max(Math.min(k, 100), -1)) {
                    case 1 -> type = Optional.of(componentText(e.value(), kp));
                    case 2 -> value = hash(e.value(), kp);
                    case 4 -> version = Optional.of(componentText(e.value(), kp));
                    case 5 -> signer = hash(e.value(), kp);
                    case 6 -> desc = Optional.of(componentText(e.value(), kp));
                    default -> throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, p, "unknown component key "
                            + (e.key() instanceof Cbor.Int ? Long.toString(k) : kind(e.key())));
                }
            }
            if (value == null) {
                throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, p + "/2", "the measurement value is missing");
            }
            if (signer == null) {
                throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, p + "/5", "the signer id is missing");
            }
            out.add(new PsaSoftwareComponent(type, value, version, Optional.of(signer), desc));
        }
        return out;
    }

    private static String componentText(Cbor v, String path) throws PsaException {
        if (!(v instanceof Cbor.Text t) || t.value().isEmpty()) {
            throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, path, "a non-empty text string is expected");
        }
        return t.value();
    }

    private static byte[] hash(Cbor v, String path) throws PsaException {
        byte[] h = bytes(v, path, 32, 64, Reason.BAD_SOFTWARE_COMPONENTS);
        if (h.length != 32 && h.length != 48 && h.length != 64) {
            throw new PsaException(Reason.BAD_SOFTWARE_COMPONENTS, path, h.length + " bytes, expected 32, 48 or 64");
        }
        return h;
    }

    static PsaException cbor(CborException e, String path) {
        Reason r = switch (e.reason()) {
            case TOO_LARGE -> Reason.TOO_LARGE;
            case TRAILING_BYTES -> Reason.TRAILING_BYTES;
            default -> Reason.MALFORMED;
        };
        return new PsaException(r, path, e.getMessage());
    }

    private static String kind(Cbor v) {
        return v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 64 ? s.substring(0, 64) + "…" : s) + "\"";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PsaClaims c && profile == c.profile && clientId == c.clientId
                && securityLifecycle == c.securityLifecycle && Arrays.equals(implementationId, c.implementationId)
                && Arrays.equals(instanceId, c.instanceId) && Arrays.equals(nonce, c.nonce)
                && bootSeed.map(Arrays::toString).equals(c.bootSeed.map(Arrays::toString))
                && softwareComponents.equals(c.softwareComponents)
                && certificationReference.equals(c.certificationReference)
                && verificationService.equals(c.verificationService);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profile, clientId, securityLifecycle, Arrays.hashCode(instanceId), Arrays.hashCode(nonce));
    }

    /** The profile, instance and implementation ids and the component count; never the nonce or boot seed. */
    @Override
    public String toString() {
        return "PsaClaims[" + profile.id() + ", instance " + instanceIdHex() + ", implementation "
                + HexFormat.of().formatHex(implementationId) + ", " + softwareComponents.size() + " components]";
    }
}
