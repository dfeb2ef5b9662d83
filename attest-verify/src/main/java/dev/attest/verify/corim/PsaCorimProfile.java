package dev.attest.verify.corim;

import dev.attest.evidence.KeyId;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.corim.CorimException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The PSA endorsement profile of CoRIM ({@value #PROFILE}, draft-fdb-rats-psa-endorsements §3,
 * as Veraison's {@code profiles/psa} checks it), and the lookups the PSA scheme needs: the
 * verification key of an instance id, the software components of an implementation id.
 *
 * <p>{@link #validate} holds a CoRIM to the profile: it names the profile; every reference-value
 * and attest-key triple's class id is the implementation id (tagged bytes, tag 560, or the
 * earlier {@code tagged-impl-id-type}, tag 600, of 32 bytes); reference values are per
 * implementation (no instance), each measurement a software component ({@code mkey}
 * {@code "psa.software-component"}, at least one digest, exactly one signer id in
 * {@code cryptokeys} as tagged bytes of 32, 48 or 64); an attest-key triple names its instance
 * (a UEID of type RAND, 0x01 and 32 bytes) and carries exactly one PKIX base64 public key.
 */
public final class PsaCorimProfile {
    /** The PSA endorsement profile's URI. */
    public static final String PROFILE = "tag:arm.com,2025:psa#1.0.0";
    /** The measurement key of a PSA software component. */
    public static final String SOFTWARE_COMPONENT = "psa.software-component";

    private final List<Corim> corims;

    private PsaCorimProfile(List<Corim> corims) {
        this.corims = corims;
    }

    /**
     * The endorsements of {@code corims}, each first {@link #validate validated}.
     *
     * @param corims the CoRIMs
     * @return the profile's view of the endorsements
     * @throws CorimException the first profile violation
     */
    public static PsaCorimProfile of(List<Corim> corims) throws CorimException {
        for (Corim c : corims) {
            validate(c);
        }
        return new PsaCorimProfile(List.copyOf(corims));
    }

    /**
     * A PSA software component as a reference value: what a token's software component must
     * match.
     *
     * @param measurementType the component's name (the measurement's {@code name}), if given
     * @param digests the allowed measurement values (at least one)
     * @param signerId the signer id (32, 48 or 64 bytes)
     * @param version the version, if given
     */
    public record SoftwareComponent(Optional<String> measurementType, List<HashEntry> digests, Octets signerId,
            Optional<String> version) {
        /**
         * Validates the parts.
         *
         * @param measurementType the component's name (the measurement's {@code name}), if given
         * @param digests the allowed measurement values (at least one)
         * @param signerId the signer id (32, 48 or 64 bytes)
         * @param version the version, if given
         */
        public SoftwareComponent {
            Objects.requireNonNull(measurementType, "measurementType");
            digests = List.copyOf(digests);
            Objects.requireNonNull(signerId, "signerId");
            Objects.requireNonNull(version, "version");
        }
    }

    /**
     * The software components endorsed for the implementation id {@code implementationId}, in
     * the order of the CoRIMs and their triples; empty if there are none.
     *
     * @param implementationId the implementation id
     * @return the software components; empty if none
     */
    public List<SoftwareComponent> softwareComponents(Octets implementationId) {
        List<SoftwareComponent> out = new ArrayList<>();
        for (Corim c : corims) {
            for (Comid m : c.comids()) {
                for (ReferenceValueTriple t : m.triples().referenceValues()) {
                    if (!t.environment().classId().map(id -> id.value().equals(implementationId)).orElse(false)) {
                        continue;
                    }
                    for (MeasurementMap mm : t.measurements()) {
                        MeasurementValues v = mm.values();
                        out.add(new SoftwareComponent(v.name(), v.digests(), v.cryptoKeys().get(0).bytes(),
                                v.version().map(MeasurementValues.Version::version)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The verification key of the instance {@code instanceId} (the 33-byte UEID), with the
     * instance id as its key id, if exactly one attest-key triple names it.
     *
     * @param instanceId the instance id
     * @return the key, or empty if no attest-key triple names the instance
     * @throws CorimException UNSUPPORTED if the key is not usable, BAD_VALUE if two triples name the instance
     */
    public Optional<VerificationKey> verificationKey(Octets instanceId) throws CorimException {
        VerificationKey found = null;
        for (int ci = 0; ci < corims.size(); ci++) {
            List<Comid> comids = corims.get(ci).comids();
            for (int mi = 0; mi < comids.size(); mi++) {
                List<AttestKeyTriple> ts = comids.get(mi).triples().attestKeys();
                for (int ti = 0; ti < ts.size(); ti++) {
                    AttestKeyTriple t = ts.get(ti);
                    if (!t.environment().instance().map(i -> i.value().equals(instanceId)).orElse(false)) {
                        continue;
                    }
                    String path = "corim " + ci + "/1/" + mi + "/4/3/" + ti + "/1/0";
                    if (found != null) {
                        throw new CorimException(Reason.BAD_VALUE, path, "a second key for instance " + instanceId);
                    }
                    VerificationKey k = CorimKeys.verificationKey(t.keys().get(0), path);
                    found = VerificationKey.of(k.publicKey(), k.algorithm(), Optional.of(KeyId.of(instanceId.bytes())));
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Holds {@code corim} to the PSA profile (see the class comment).
     *
     * @param corim the CoRIM
     * @throws CorimException PROFILE_MISMATCH, PROFILE_CLASS_ID, PROFILE_INSTANCE_ID,
     *     PROFILE_REFERENCE_ENVIRONMENT, PROFILE_MEASUREMENT_KEY, PROFILE_MEASUREMENT_VALUE,
     *     PROFILE_SIGNER_ID or PROFILE_VERIFICATION_KEY, with the path of the violation
     */
    public static void validate(Corim corim) throws CorimException {
        if (!corim.profile().equals(Optional.of(Corim.Profile.uri(PROFILE)))) {
            throw new CorimException(Reason.PROFILE_MISMATCH, "/3", "the CoRIM's profile is "
                    + corim.profile().map(p -> p.uri().isEmpty() ? "an OID" : p.uri()).orElse("absent") + ", not " + PROFILE);
        }
        for (int mi = 0; mi < corim.comids().size(); mi++) {
            Triples tr = corim.comids().get(mi).triples();
            String at = "/1/" + mi + "/4";
            for (int i = 0; i < tr.referenceValues().size(); i++) {
                ReferenceValueTriple t = tr.referenceValues().get(i);
                String p = at + "/0/" + i;
                implementationId(t.environment(), p + "/0");
                if (t.environment().instance().isPresent() || t.environment().group().isPresent()) {
                    throw new CorimException(Reason.PROFILE_REFERENCE_ENVIRONMENT, p + "/0/1",
                            "PSA reference values are per implementation: no instance or group");
                }
                for (int j = 0; j < t.measurements().size(); j++) {
                    softwareComponent(t.measurements().get(j), p + "/1/" + j);
                }
            }
            for (int i = 0; i < tr.attestKeys().size(); i++) {
                AttestKeyTriple t = tr.attestKeys().get(i);
                String p = at + "/3/" + i;
                implementationId(t.environment(), p + "/0");
                Environment.InstanceId inst = t.environment().instance().orElseThrow(() -> new CorimException(
                        Reason.PROFILE_INSTANCE_ID, p + "/0/1", "an attestation key names its instance id"));
                if (inst.kind() != Environment.InstanceId.Kind.UEID || inst.value().length() != 33
                        || inst.value().bytes()[0] != 0x01) {
                    throw new CorimException(Reason.PROFILE_INSTANCE_ID, p + "/0/1",
                            "the instance id is a UEID of type RAND (0x01 and 32 bytes), not " + inst.kind());
                }
                if (t.keys().size() != 1 || t.keys().get(0).kind() != CryptoKey.Kind.PKIX_BASE64_KEY) {
                    throw new CorimException(Reason.PROFILE_VERIFICATION_KEY, p + "/1",
                            "exactly one PKIX base64 public key (tag 554), found " + t.keys().size() + " key(s), the first "
                            + t.keys().get(0).kind());
                }
            }
        }
    }

    private static void implementationId(Environment env, String path) throws CorimException {
        Environment.ClassId id = env.classId().orElseThrow(() -> new CorimException(Reason.PROFILE_CLASS_ID,
                path + "/0/0", "the class id (implementation id) is required"));
        if (id.kind() != Environment.ClassId.Kind.BYTES && id.kind() != Environment.ClassId.Kind.IMPL_ID
                || id.value().length() != 32) {
            throw new CorimException(Reason.PROFILE_CLASS_ID, path + "/0/0",
                    "the implementation id is tagged bytes of 32, not " + id.kind() + " of " + id.value().length());
        }
    }

    private static void softwareComponent(MeasurementMap m, String path) throws CorimException {
        if (!m.key().equals(Optional.of(Mkey.text(SOFTWARE_COMPONENT)))) {
            throw new CorimException(Reason.PROFILE_MEASUREMENT_KEY, path + "/0", "the measurement key is the text \""
                    + SOFTWARE_COMPONENT + "\", not " + m.key().map(k -> k.kind() + " " + k.text()).orElse("absent"));
        }
        List<CryptoKey> ks = m.values().cryptoKeys();
        if (ks.size() != 1 || ks.get(0).kind() != CryptoKey.Kind.BYTES || !List.of(32, 48, 64).contains(
                ks.get(0).bytes().length())) {
            throw new CorimException(Reason.PROFILE_SIGNER_ID, path + "/1/13",
                    "exactly one signer id, tagged bytes of 32, 48 or 64");
        }
        if (m.values().digests().isEmpty()) {
            throw new CorimException(Reason.PROFILE_MEASUREMENT_VALUE, path + "/1/2",
                    "a software component has its measurement value (a digest)");
        }
    }
}
