package dev.attest.examples.verifier;

import dev.attest.evidence.CoseSign1Message;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.Severity;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.EarSigner;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.VerifierId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's {@link Appraiser} on attest-verify: one {@link Verifier} over the enrolled
 * devices' pinned keys, rebuilt on enrolment, sharing one {@link DeviceStateStore}. Results go
 * out as signed EAR JWTs.
 *
 * <p>With {@code captureFirst} (lab and demo use only: trust on first use, asked for explicitly),
 * the first evidence of a device that raises nothing worse than the missing reference values
 * becomes that device's reference values.
 */
final class AttestAppraiser implements Appraiser {
    private static final Logger LOG = LoggerFactory.getLogger(AttestAppraiser.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, VerificationKey> keys = new ConcurrentHashMap<>();
    private final AtomicReference<Verifier> verifier = new AtomicReference<>();
    private final AtomicReference<ReferenceValues> references;
    private final Policy policy;
    private final DeviceStateStore store;
    private final Clock clock;
    private final EarSigner ear;
    private final VerifierId verifierId;
    private final NonceIssuer nonces;
    private final boolean captureFirst;
    private final java.nio.file.Path capturedFile;

    AttestAppraiser(ReferenceValues references, Policy policy, DeviceStateStore store, Clock clock, EarSigner ear,
            VerifierId verifierId, NonceIssuer nonces, boolean captureFirst, java.nio.file.Path capturedFile) {
        this.references = new AtomicReference<>(references);
        this.policy = policy;
        this.store = store;
        this.clock = clock;
        this.ear = ear;
        this.verifierId = verifierId;
        this.nonces = nonces;
        this.captureFirst = captureFirst;
        this.capturedFile = capturedFile;
        rebuild();
    }

    /** Checks a PEM public key and pins it for {@code device}; the key id is the device id. */
    void enrol(String device, String keyPem) throws EvidenceException {
        PublicKey pk = Pem.publicKey(keyPem);
        SignatureAlgorithm alg;
        if (pk instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            alg = bits == 256 ? SignatureAlgorithm.ES256 : bits == 384 ? SignatureAlgorithm.ES384 : SignatureAlgorithm.ES512;
        } else if (pk.getAlgorithm().startsWith("Ed")) {
            alg = SignatureAlgorithm.EDDSA;
        } else {
            alg = SignatureAlgorithm.PS256;
        }
        try {
            keys.put(device, VerificationKey.of(pk, alg, Optional.of(KeyId.of(device))));
        } catch (IllegalArgumentException e) {
            throw new EvidenceException(EvidenceException.Reason.BAD_KEY, e.getMessage());
        }
        rebuild();
    }

    private synchronized void rebuild() {
        verifier.set(Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.copyOf(keys)))
                .referenceValues(references.get()).policy(policy).stateStore(store).clock(clock).build());
    }

    @Override
    public Optional<String> signer(byte[] evidence) {
        Optional<KeyId> kid;
        try {
            kid = CoseSign1Message.parse(evidence, EvidenceDecoder.DEFAULT_MAX_BYTES, EvidenceDecoder.DEFAULT_MAX_DEPTH)
                    .keyId();
        } catch (EvidenceException e) {
            return Optional.empty();
        }
        // Enrolment pins each key under the device id as its kid.
        return kid.flatMap(k -> {
            String device = new String(k.value(), java.nio.charset.StandardCharsets.UTF_8);
            VerificationKey key = keys.get(device);
            return key != null && key.keyId().map(k::matches).orElse(false) ? Optional.of(device) : Optional.empty();
        });
    }

    @Override
    public Appraisal appraise(byte[] evidence, Optional<byte[]> expectedNonce, Optional<String> device)
            throws Exception {
        AppraisalContext unbound = expectedNonce.map(AppraisalContext::challenge)
                .orElse(AppraisalContext.redeeming((d, n) -> nonces.redeem(d, n).isPresent()));
        AppraisalContext ctx = device.map(unbound::forDevice).orElse(unbound);
        AttestationResult r = verifier.get().appraise(evidence, ctx);
        if (captureFirst && r.claims().isPresent() && r.device().isPresent()
                && r.findings().stream().allMatch(f -> f.severity() == Severity.INFO
                        || f.check().equals(dev.attest.verify.Checks.REFERENCE_NONE)
                        || f.check().equals(dev.attest.verify.Checks.REFERENCE_UNKNOWN))
                && r.findings().stream().anyMatch(f -> f.check().startsWith("reference."))) {
            ReferenceValues captured = ReferenceValues.capture(r.claims().get());
            ReferenceValues.Builder merged = ReferenceValues.builder();
            references.get().components().values().forEach(merged::put);
            captured.components().values().forEach(merged::put);
            references.set(merged.build());
            rebuild();
            // Kept across restarts, so a restarted verifier does not capture again.
            java.nio.file.Path tmp = capturedFile.resolveSibling(capturedFile.getFileName() + ".tmp");
            java.nio.file.Files.writeString(tmp, references.get().toJson());
            java.nio.file.Files.move(tmp, capturedFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            LOG.warn("captured {} reference values from the first evidence of {} (trust on first use, as asked)",
                    captured.components().size(), r.device().get());
        }
        ObjectNode vector = JSON.createObjectNode();
        for (TrustClaim c : TrustClaim.values()) {
            if (r.trustVector().values().containsKey(c)) {
                vector.put(c.jsonName(), r.trustVector().value(c));
            }
        }
        long sequence = r.claims().flatMap(c -> c.log()).map(l -> l.head().sequence()).orElse(-1L);
        return new Appraisal(r.device().orElse(""), r.status().jsonName(), vector.toString(), r.findingsJson(),
                sequence, ear.sign(r.toEar(verifierId)));
    }
}
