package dev.attest.verify.psa;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.core.internal.cbor.CborReader;
import dev.attest.evidence.CoseSign1Message;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.Checks;
import dev.attest.verify.EvidenceScheme;
import dev.attest.verify.Finding;
import dev.attest.verify.SchemeAppraisal;
import dev.attest.verify.SchemeClaims;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustVector;
import dev.attest.verify.psa.PsaException.Reason;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The PSA attestation token scheme (RFC 9783): profile 1 ({@code PSA_IOT_PROFILE_1}) and profile
 * 2 ({@code http://arm.com/psa/2.0.0}, {@code tag:psacertified.org,2023:psa#tfm}) tokens, signed
 * as COSE_Sign1 with ES256, ES384 or ES512, or MACed as COSE_Mac0 (HMAC 256/256, 384/384,
 * 512/512) when a symmetric key is configured for the instance (refused with
 * {@link Reason#MAC0_WITHOUT_KEY} otherwise). The instance id selects the key, the implementation
 * id the reference values ({@link PsaEndorsements}); every software component is matched on
 * measurement value and, where the reference states them, type, signer id and version; every
 * reference component must be present. The nonce goes to the verifier's common freshness check.
 *
 * <p>Findings: {@link Checks#EVIDENCE} (the token refused: its {@link PsaException.Reason} and
 * path), {@link Checks#IDENTITY_UNKNOWN} (no key for the instance), {@link Checks#REFERENCE_NONE},
 * {@link Checks#REFERENCE_DIGEST} (a component's measurement value matches no reference),
 * {@link Checks#REFERENCE_VERSION}, {@link #SIGNER} ({@value #SIGNER}), {@link Checks#REFERENCE_MISSING},
 * {@link #LIFECYCLE} ({@value #LIFECYCLE}: a state other than secured or non-PSA-RoT debug) and
 * {@link #CLIENT_ID} ({@value #CLIENT_ID}: a client id outside the configured set).
 *
 * <p>The trust vector is Veraison's for PSA (scheme/psa-iot): a token that fails verification,
 * identity or freshness sets every claim to 99 (crypto validation failed); otherwise hardware is
 * 2 (genuine), instance identity, runtime-opaque and storage-opaque are 2 in a protecting
 * lifecycle state and 96 otherwise, executables 2 when the software matches, 33 when a
 * reference finding is a warning (Veraison's outcome for unmatched software) and 96 when it is
 * contraindicated (this SDK's default). Immutable and thread-safe.
 */
public final class PsaScheme implements EvidenceScheme {
    /** The id of this scheme. */
    public static final String ID = "psa";
    /** A software component's signer id differs from its reference. */
    public static final String SIGNER = "reference.signer";
    /** The security lifecycle is not secured or non-PSA-RoT debug. */
    public static final String LIFECYCLE = "psa.security-lifecycle";
    /** The client id is not one of the configured ones. */
    public static final String CLIENT_ID = "psa.client-id";
    /** The media types taken by {@link dev.attest.verify.Verifier#appraise(byte[], String, AppraisalContext)}. */
    public static final Set<String> MEDIA_TYPES = Set.of("application/psa-attestation-token",
            "application/eat+cwt; eat_profile=\"tag:psacertified.org,2023:psa#tfm\"",
            "application/eat-cwt; profile=\"http://arm.com/psa/2.0.0\"");
    /** The largest token accepted. */
    public static final int MAX_TOKEN_BYTES = 16 * 1024;

    private static final int TAG_MAC0 = 17;
    private static final int TAG_SIGN1 = 18;
    private static final int MAX_DEPTH = 8;
    private static final byte[] MAC0_CONTEXT = CborEncoder.encode(new Cbor.Text("MAC0"));

    private final PsaEndorsements endorsements;
    private final Optional<Set<Long>> clientIds;

    private PsaScheme(PsaEndorsements endorsements, Optional<Set<Long>> clientIds) {
        this.endorsements = Objects.requireNonNull(endorsements, "endorsements");
        this.clientIds = clientIds;
    }

    /**
     * The scheme with these keys and reference values; any client id is accepted.
     *
     * @param endorsements the keys and reference values
     * @return the scheme
     */
    public static PsaScheme of(PsaEndorsements endorsements) {
        return new PsaScheme(endorsements, Optional.empty());
    }

    /**
     * This scheme, accepting tokens only from these client ids (RFC 9783 §4.2.1).
     *
     * @param allowed the accepted client ids
     * @return a new scheme; this one is unchanged
     */
    public PsaScheme withClientIds(Set<Long> allowed) {
        return new PsaScheme(endorsements, Optional.of(Set.copyOf(allowed)));
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> mediaTypes() {
        return MEDIA_TYPES;
    }

    /**
     * Whether {@code evidence} is a COSE_Sign1 or COSE_Mac0 whose payload is a map with a PSA
     * claim key (profile 1) or a PSA {@code eat_profile}. Reads only heads, never throws.
     */
    @Override
    public boolean recognizes(byte[] evidence) {
        if (evidence.length < 4 || evidence.length > MAX_TOKEN_BYTES) {
            return false;
        }
        try {
            CborReader r = CborReader.validated(evidence, 0, evidence.length);
            int first = evidence[0] & 0xff;
            if (first == 0xc0 + TAG_MAC0 || first == 0xc0 + TAG_SIGN1) {
                r.seek(1);
            }
            if (r.arrayHeader() != 4) {
                return false;
            }
            r.skip();
            r.skip();
            int len = (int) r.head(2);
            int from = r.position();
            if (len < 0 || len > evidence.length - from) {
                return false;
            }
            CborReader p = CborReader.validated(evidence, from, from + len);
            int n = p.mapHeader();
            for (int i = 0; i < n && i < 32; i++) {
                if (p.peekMajorType() > 1) {
                    p.skip();
                    p.skip();
                    continue;
                }
                long k = p.integer();
                if (k <= PsaClaims.P1_PROFILE && k >= PsaClaims.P1_VSI
                        || k >= PsaClaims.P2_CLIENT_ID && k <= PsaClaims.P2_VSI) {
                    return true;
                }
                if (k == PsaClaims.P2_PROFILE) {
                    return p.peekMajorType() == 3 && PsaProfile.of(p.text()).filter(PsaProfile::eatKeys).isPresent();
                }
                p.skip();
            }
            return false;
        } catch (CborException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Decodes {@code token} and verifies it with its instance's key.
     *
     * @param token the token bytes
     * @return the verified claims
     * @throws PsaException with the reason it is refused
     */
    public PsaClaims verify(byte[] token) throws PsaException {
        Objects.requireNonNull(token, "token");
        if (token.length > MAX_TOKEN_BYTES) {
            throw new PsaException(Reason.TOO_LARGE, "/", token.length + " bytes, limit " + MAX_TOKEN_BYTES);
        }
        if (token.length > 0 && (token[0] & 0xff) == 0xc0 + TAG_MAC0) {
            return verifyMac0(token);
        }
        CoseSign1Message cose;
        try {
            cose = CoseSign1Message.parse(token, MAX_TOKEN_BYTES, MAX_DEPTH);
        } catch (EvidenceException e) {
            throw new PsaException(switch (e.reason()) {
                case TOO_LARGE -> Reason.TOO_LARGE;
                case TRAILING_BYTES -> Reason.TRAILING_BYTES;
                case MALFORMED_CBOR, TOO_DEEP, DUPLICATE_KEY -> Reason.MALFORMED;
                case ALG_MISSING, ALG_NOT_ALLOWED, ALG_UNPROTECTED -> Reason.ALG_NOT_ALLOWED;
                default -> Reason.NOT_COSE;
            }, "/", e.getMessage());
        }
        SignatureAlgorithm alg = cose.algorithm();
        if (alg != SignatureAlgorithm.ES256 && alg != SignatureAlgorithm.ES384 && alg != SignatureAlgorithm.ES512) {
            throw new PsaException(Reason.ALG_NOT_ALLOWED, "/", alg + " is not a PSA signature algorithm");
        }
        // The instance id that selects the key is inside the payload, so the claims are read
        // (strictly) before the signature is checked; nothing of them is trusted until it is.
        PsaClaims claims = PsaClaims.decode(cose.payload());
        VerificationKey key = endorsements.key(claims.instanceId(), claims.implementationId())
                .orElseThrow(() -> unknown(claims));
        if (!cose.verifiedBy(key)) {
            throw new PsaException(Reason.BAD_SIGNATURE, "/", "the signature does not verify with the key of instance "
                    + claims.instanceIdHex());
        }
        return claims;
    }

    private static PsaException unknown(PsaClaims claims) {
        return new PsaException(Reason.UNKNOWN_INSTANCE, claims.profile().eatKeys() ? "/256" : "/-75009",
                "no key for instance " + claims.instanceIdHex() + " of implementation "
                        + HexFormat.of().formatHex(claims.implementationId()));
    }

    /** COSE_Mac0 (RFC 9052 §6.2): [protected, unprotected, payload, tag], MAC_structure "MAC0". */
    private PsaClaims verifyMac0(byte[] token) throws PsaException {
        Cbor item;
        try {
            item = CborDecoder.lenient(MAX_TOKEN_BYTES, MAX_DEPTH, MAX_TOKEN_BYTES).decode(token);
        } catch (CborException e) {
            throw PsaClaims.cbor(e, "/");
        }
        if (!(item instanceof Cbor.Tag t) || !(t.content() instanceof Cbor.Array a) || a.size() != 4
                || !(a.get(0) instanceof Cbor.Bytes pb) || !(a.get(1) instanceof Cbor.Map uh)
                || !(a.get(2) instanceof Cbor.Bytes payload) || !(a.get(3) instanceof Cbor.Bytes tag)) {
            throw new PsaException(Reason.NOT_COSE, "/", "a COSE_Mac0 is a tagged array of four items");
        }
        Cbor.Map ph;
        try {
            Cbor p = pb.length() == 0 ? Cbor.map().build()
                    : CborDecoder.lenient(MAX_TOKEN_BYTES, MAX_DEPTH, MAX_TOKEN_BYTES).decode(pb.value());
            if (!(p instanceof Cbor.Map m)) {
                throw new PsaException(Reason.NOT_COSE, "/0", "the protected header must encode a map");
            }
            ph = m;
        } catch (CborException e) {
            throw PsaClaims.cbor(e, "/0");
        }
        if (ph.get(2).isPresent() || uh.get(2).isPresent()) {
            throw new PsaException(Reason.NOT_COSE, "/0", "critical headers are not understood");
        }
        if (uh.get(1).isPresent()) {
            throw new PsaException(Reason.ALG_NOT_ALLOWED, "/1", "alg must be in the protected header");
        }
        String jca = ph.get(1).filter(x -> x instanceof Cbor.Int).map(x -> switch ((int) Math.max(-1,
                Math.min(100, ((Cbor.Int) x).value()))) {
            case 5 -> "HmacSHA256";
            case 6 -> "HmacSHA384";
            case 7 -> "HmacSHA512";
            default -> "";
        }).orElse("");
        if (jca.isEmpty()) {
            throw new PsaException(Reason.ALG_NOT_ALLOWED, "/0", "a PSA COSE_Mac0 is HMAC 256/256, 384/384 or 512/512");
        }
        PsaClaims claims = PsaClaims.decode(payload.value());
        Optional<PsaEndorsements.Instance> instance = endorsements.instance(claims.instanceId(),
                claims.implementationId());
        if (instance.isEmpty() || instance.get().macKey().isEmpty()) {
            throw new PsaException(Reason.MAC0_WITHOUT_KEY, "/", "instance " + claims.instanceIdHex()
                    + " has no symmetric key configured");
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance(jca);
            mac.init(new SecretKeySpec(instance.get().macKey().get(), jca));
            // MAC_structure = ["MAC0", protected, external_aad (empty), payload] (RFC 9052 §6.3).
            mac.update(CborEncoder.head(4, 4));
            mac.update(MAC0_CONTEXT);
            mac.update(CborEncoder.head(2, pb.length()));
            mac.update(pb.value());
            mac.update(CborEncoder.head(2, 0));
            mac.update(CborEncoder.head(2, payload.length()));
            mac.update(payload.value());
            expected = mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC unavailable", e);
        }
        if (!MessageDigest.isEqual(expected, tag.value())) {
            throw new PsaException(Reason.BAD_SIGNATURE, "/3", "the MAC does not verify with the key of instance "
                    + claims.instanceIdHex());
        }
        return claims;
    }

    @Override
    public SchemeAppraisal appraise(byte[] evidence, AppraisalContext context) {
        PsaClaims c;
        try {
            c = verify(evidence);
        } catch (PsaException e) {
            boolean unknown = e.reason() == Reason.UNKNOWN_INSTANCE;
            return SchemeAppraisal.refused(List.of(new Finding(unknown ? Checks.IDENTITY_UNKNOWN : Checks.EVIDENCE,
                    TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, e.path(),
                    unknown ? "a key of a known instance" : "a valid PSA attestation token", e.getMessage())));
        }
        List<Finding> fs = new ArrayList<>();
        String k = c.profile().eatKeys() ? "/2395" : "/-75002";
        if (!c.lifecycle().protectsRoot()) {
            fs.add(new Finding(LIFECYCLE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, k,
                    "SECURED or NON_PSA_ROT_DEBUG", c.lifecycle() + " (0x" + Integer.toHexString(c.securityLifecycle()) + ")"));
        }
        if (clientIds.isPresent() && !clientIds.get().contains(c.clientId())) {
            fs.add(new Finding(CLIENT_ID, TrustClaim.CONFIGURATION, Severity.CONTRAINDICATED,
                    c.profile().eatKeys() ? "/2394" : "/-75001", "one of " + clientIds.get(), Long.toString(c.clientId())));
        }
        software(c, fs);
        List<SchemeClaims.Component> components = new ArrayList<>();
        for (PsaSoftwareComponent s : c.softwareComponents()) {
            components.add(new SchemeClaims.Component(s.type().orElse(""), s.version(), s.measurement(), s.signerId()));
        }
        SchemeClaims claims = new SchemeClaims(ID, c.instanceIdHex(),
                Optional.of(HexFormat.of().formatHex(c.implementationId())), components, List.of(c.nonce()),
                Optional.empty());
        return new SchemeAppraisal(Optional.of(claims), fs);
    }

    /** Matches every claimed component with a reference, and every reference with a claimed component. */
    private void software(PsaClaims c, List<Finding> fs) {
        List<PsaSoftwareComponent> refs = endorsements.references(c.implementationId());
        if (refs.isEmpty()) {
            fs.add(new Finding(Checks.REFERENCE_NONE, TrustClaim.EXECUTABLES, Severity.WARNING,
                    c.profile().eatKeys() ? "/2396" : "/-75003", "reference values for implementation "
                            + HexFormat.of().formatHex(c.implementationId()), "none configured"));
            return;
        }
        int[] groups = endorsements.groups(c.implementationId());
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        List<PsaSoftwareComponent> sw = c.softwareComponents();
        for (int i = 0; i < sw.size(); i++) {
            PsaSoftwareComponent s = sw.get(i);
            String name = s.name(i);
            int match = -1;
            for (int r = 0; r < refs.size() && match < 0; r++) {
                PsaSoftwareComponent ref = refs.get(r);
                if (ref.sameMeasurement(s.measurement()) && (ref.type().isEmpty() || ref.type().equals(s.type()))) {
                    match = r;
                }
            }
            if (match < 0) {
                List<String> expected = refs.stream().filter(r -> r.type().isEmpty() || r.type().equals(s.type()))
                        .limit(3).map(r -> HexFormat.of().formatHex(r.measurement())).toList();
                fs.add(new Finding(Checks.REFERENCE_DIGEST, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, name,
                        expected.isEmpty() ? "a reference for " + name : expected.toString(),
                        HexFormat.of().formatHex(s.measurement())));
                continue;
            }
            seen.add(groups[match]);
            PsaSoftwareComponent ref = refs.get(match);
            if (ref.version().isPresent() && !ref.version().equals(s.version())) {
                fs.add(new Finding(Checks.REFERENCE_VERSION, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, name,
                        ref.version().get(), s.version().orElse("no version")));
            }
            if (ref.signerId().isPresent() && !Arrays.equals(ref.signerId().get(), s.signerId().orElse(new byte[0]))) {
                fs.add(new Finding(SIGNER, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED, name,
                        HexFormat.of().formatHex(ref.signerId().get()),
                        s.signerId().map(HexFormat.of()::formatHex).orElse("no signer id")));
            }
        }
        java.util.Set<Integer> reported = new java.util.HashSet<>();
        for (int r = 0; r < refs.size(); r++) {
            if (!seen.contains(groups[r]) && reported.add(groups[r])) {
                PsaSoftwareComponent ref = refs.get(r);
                fs.add(new Finding(Checks.REFERENCE_MISSING, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                        ref.type().orElse("#" + r), "present: " + ref, "missing"));
            }
        }
    }

    /**
     * Veraison's PSA trust vector (scheme/psa-iot): see the class description. Findings lowered
     * to INFO by policy count as passed.
     */
    @Override
    public TrustVector trustVector(boolean verified, List<Finding> findings) {
        Map<TrustClaim, Integer> v = new EnumMap<>(TrustClaim.class);
        boolean failed = !verified;
        Severity lifecycle = Severity.INFO;
        Severity executables = Severity.INFO;
        Severity configuration = Severity.INFO;
        for (Finding f : findings) {
            if (f.severity() == Severity.INFO) {
                continue;
            }
            String check = f.check();
            if (check.equals(Checks.EVIDENCE) || check.startsWith("identity.") || check.startsWith("freshness.")) {
                failed = true;
            } else if (check.equals(LIFECYCLE)) {
                lifecycle = worse(lifecycle, f.severity());
            } else if (check.startsWith("reference.")) {
                executables = worse(executables, f.severity());
            } else if (check.equals(CLIENT_ID)) {
                configuration = worse(configuration, f.severity());
            }
        }
        if (failed) {
            for (TrustClaim c : TrustClaim.values()) {
                v.put(c, TrustClaim.CRYPTO_VALIDATION_FAILED);
            }
            return new TrustVector(v);
        }
        v.put(TrustClaim.HARDWARE, TrustClaim.GENUINE_HARDWARE);
        boolean protectedRoot = lifecycle == Severity.INFO;
        v.put(TrustClaim.INSTANCE_IDENTITY, protectedRoot ? TrustClaim.TRUSTWORTHY_INSTANCE : TrustClaim.UNTRUSTWORTHY_INSTANCE);
        v.put(TrustClaim.RUNTIME_OPAQUE, protectedRoot ? TrustClaim.ENCRYPTED_MEMORY : TrustClaim.VISIBLE_MEMORY);
        v.put(TrustClaim.STORAGE_OPAQUE, protectedRoot ? TrustClaim.HW_KEYS_ENCRYPTED_SECRETS : TrustClaim.UNENCRYPTED_SECRETS);
        v.put(TrustClaim.EXECUTABLES, switch (executables) {
            case INFO -> TrustClaim.APPROVED_RUNTIME;
            case WARNING -> TrustClaim.UNRECOGNIZED_RUNTIME;
            case CONTRAINDICATED -> TrustClaim.CONTRAINDICATED_RUNTIME;
        });
        if (configuration != Severity.INFO) {
            v.put(TrustClaim.CONFIGURATION, configuration == Severity.WARNING ? TrustClaim.UNSAFE_CONFIG
                    : TrustClaim.UNSUPPORTABLE_CONFIG);
        }
        return new TrustVector(v);
    }

    private static Severity worse(Severity a, Severity b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Names the endorsements' sizes, never keys. */
    @Override
    public String toString() {
        return "PsaScheme[" + endorsements + clientIds.map(c -> ", client ids " + c).orElse("") + "]";
    }
}
