package dev.attest.cli;

import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.ConfigException;
import dev.attest.verify.Finding;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.corim.Corim;
import dev.attest.verify.corim.CorimDecoder;
import dev.attest.verify.corim.CorimException;
import dev.attest.verify.psa.PsaEndorsements;
import dev.attest.verify.psa.PsaException;
import dev.attest.verify.psa.PsaScheme;
import dev.attest.verify.ear.EarCodec;
import dev.attest.verify.ear.EarException;
import dev.attest.verify.ear.EarSigner;
import dev.attest.verify.ear.EarSigningKey;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.VerifierId;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest verify}: appraise a token and print the result. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = {
        "Appraises a token (RFC 9334 section 3.2): signature by a pinned device key, freshness, "
                + "measurement log, reference values, runtime checks, policy. Prints a summary, the EAR "
                + "(draft-ietf-rats-ear) as JSON, or the EAR as a signed JWT.",
        "A PSA attestation token (RFC 9783) is recognised by its content and appraised with the keys "
                + "and reference values of the CoRIMs given with --corim (PSA endorsement profile); it needs "
                + "no --trust.",
        "Exit 0 affirming, 1 warning, 2 contraindicated (including a bad signature), 3 unusable input."})
final class VerifyCommand implements Callable<Integer> {
    /** Who made the EARs this command writes (ear.verifier-id). */
    static final VerifierId VERIFIER_ID = new VerifierId("attest", "attest-cli " + Attest.VERSION);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @ParentCommand
    Attest root;

    @Parameters(index = "0", paramLabel = "TOKEN", description = "Token file, or - for stdin.")
    String token;

    @Option(names = "--trust", paramLabel = "DEVICE=KEY", split = ",",
            description = "Device id and its public key (PEM or COSE_Key). Repeatable or comma-separated.")
    List<String> trust = new ArrayList<>();

    @Option(names = "--corim", paramLabel = "FILE",
            description = "A CoRIM with PSA attestation keys and reference values (repeatable).")
    List<Path> corims = new ArrayList<>();

    @Option(names = "--corim-signer", paramLabel = "KEY",
            description = "Public key (PEM or COSE_Key) signed CoRIMs must be signed with; unsigned CoRIMs are read without.")
    Path corimSigner;

    @Option(names = "--refs", paramLabel = "FILE", description = "Reference values (JSON, as 'refs capture' writes).")
    Path refs;

    @Option(names = "--policy", paramLabel = "FILE", description = "Policy (JSON).")
    Path policy;

    @Option(names = "--accept-stale", paramLabel = "DURATION", description = "Accept evidence older than the max "
            + "age (10 min) up to DURATION old (ISO-8601, e.g. PT72H; at most P30D) from devices that queue it while "
            + "offline. freshness.stale-accepted is reported in every result it affects. Or \"accept-stale\" in "
            + "--policy.")
    String acceptStale;

    @Option(names = "--nonce", paramLabel = "HEX", description = "The challenge the token must carry (8..64 bytes).")
    String nonce;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default), ear-json or ear-jwt.")
    String format = "text";

    @Option(names = "--ear-key", paramLabel = "FILE", description = "Private JWK (P-256, P-384 or Ed25519) to sign the EAR JWT with.")
    Path earKey;

    @Option(names = "--verbose", description = "Explain errors in more detail.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (!List.of("text", "ear-json", "ear-jwt").contains(format)) {
            throw new InputException("--format: must be text, ear-json or ear-jwt");
        }
        Optional<EarSigner> earSigner = Optional.empty();
        if (format.equals("ear-jwt")) {
            if (earKey == null) {
                throw new InputException("--format ear-jwt needs --ear-key");
            }
            try {
                earSigner = Optional.of(EarSigner.create(EarSigningKey.readJwk(earKey)));
            } catch (EarException e) {
                throw new InputException(earKey + ": " + e.getMessage(), e);
            }
        }
        if (trust.isEmpty() && corims.isEmpty()) {
            throw new InputException("verify needs --trust (devices' keys) or --corim (PSA endorsements)");
        }
        Verifier.Builder vb = Verifier.builder().trustAnchors(anchors()).maxEvidenceBytes(TokenInput.MAX_TOKEN_BYTES);
        Optional<PsaScheme> psa = psaScheme();
        psa.ifPresent(vb::scheme);
        if (refs != null) {
            try {
                vb.referenceValues(ReferenceValues.fromJson(InputFiles.text(refs, InputFiles.MAX_CONFIG_BYTES)));
            } catch (ConfigException e) {
                throw new InputException(refs + ": " + e.getMessage(), e);
            }
        }
        if (policy != null) {
            try {
                vb.policy(Policy.fromJson(InputFiles.text(policy, InputFiles.MAX_CONFIG_BYTES)));
            } catch (ConfigException e) {
                throw new InputException(policy + ": " + e.getMessage(), e);
            }
        }
        if (acceptStale != null) {
            try {
                vb.acceptStale(java.time.Duration.parse(acceptStale));
            } catch (java.time.format.DateTimeParseException e) {
                throw new InputException("--accept-stale: must be an ISO-8601 duration such as PT72H, not '"
                        + acceptStale + "'", e);
            } catch (IllegalArgumentException e) {
                throw new InputException("--accept-stale: " + e.getMessage(), e);
            }
        }
        Verifier verifier;
        try {
            verifier = vb.build();
        } catch (IllegalStateException e) {
            // A bound that is not longer than the max age, or --accept-stale against the policy's.
            throw new InputException((acceptStale != null ? "--accept-stale: " : policy != null ? policy + ": " : "")
                    + e.getMessage(), e);
        }
        AppraisalContext context = nonce == null ? AppraisalContext.periodic() : AppraisalContext.challenge(Hex.nonce(nonce));
        byte[] bytes = TokenInput.read(token, root.in);
        if (psa.isPresent() && psa.get().recognizes(bytes)) {
            psaWellFormed(psa.get(), bytes);
        } else try {
            // A token that is not even well-formed is unusable input (3), not a verdict on a device (2).
            EvidenceDecoder.builder(r -> Optional.empty()).maxBytes(TokenInput.MAX_TOKEN_BYTES).build().decodeUnverified(bytes);
        } catch (EvidenceException e) {
            throw new InputException(TokenInput.name(token) + ": " + e.getMessage(), e);
        }
        AttestationResult result = verifier.appraise(bytes, context);
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case "ear-json" -> out.println(EarCodec.toJsonString(result.toEar(VERIFIER_ID)));
            case "ear-jwt" -> out.println(earSigner.orElseThrow().sign(result.toEar(VERIFIER_ID)));
            default -> summary(result, out);
        }
        return switch (result.status()) {
            case AFFIRMING -> 0;
            case WARNING -> 1;
            default -> Attest.EXIT_REJECTED;
        };
    }

    /** The PSA scheme with the endorsements of the --corim files, if any are given. */
    private Optional<PsaScheme> psaScheme() throws InputException {
        if (corims.isEmpty()) {
            return Optional.empty();
        }
        CorimDecoder.Builder db = CorimDecoder.builder().allowUnsigned();
        if (corimSigner != null) {
            db.signer(KeyFiles.publicKey(corimSigner, Optional.empty()));
        }
        CorimDecoder decoder = db.build();
        List<Corim> read = new ArrayList<>();
        for (Path p : corims) {
            try {
                read.add(decoder.decode(InputFiles.bytes(p, CorimDecoder.DEFAULT_MAX_BYTES)));
            } catch (CorimException e) {
                throw new InputException(p + ": " + e.getMessage(), e);
            }
        }
        try {
            return Optional.of(PsaScheme.of(PsaEndorsements.fromCorims(read)));
        } catch (CorimException e) {
            throw new InputException("--corim: " + e.getMessage(), e);
        }
    }

    /**
     * A PSA token that is not even well-formed is unusable input (3); one whose key is unknown or
     * whose signature fails is a verdict on a device (2), which the appraisal reports.
     */
    private void psaWellFormed(PsaScheme scheme, byte[] bytes) throws InputException {
        try {
            scheme.verify(bytes);
        } catch (PsaException e) {
            if (e.reason() != PsaException.Reason.BAD_SIGNATURE && e.reason() != PsaException.Reason.UNKNOWN_INSTANCE
                    && e.reason() != PsaException.Reason.MAC0_WITHOUT_KEY) {
                throw new InputException(TokenInput.name(token) + ": " + e.getMessage(), e);
            }
        }
    }

    private TrustAnchors anchors() throws InputException {
        Map<String, VerificationKey> keys = new LinkedHashMap<>();
        for (String t : trust) {
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw new InputException("--trust: expected DEVICE=KEYFILE, got '" + t + "'");
            }
            String device = t.substring(0, eq);
            if (keys.put(device, KeyFiles.publicKey(Path.of(t.substring(eq + 1)), Optional.empty())) != null) {
                throw new InputException("--trust: device " + device + " given twice");
            }
        }
        try {
            return TrustAnchors.pinned(keys);
        } catch (IllegalArgumentException e) {
            throw new InputException("--trust: " + e.getMessage(), e);
        }
    }

    static void summary(AttestationResult r, PrintWriter out) {
        out.println("status: " + r.status().jsonName());
        out.println("device: " + r.device().orElse("(unknown)"));
        out.println("policy: " + r.policyId());
        StringBuilder tv = new StringBuilder();
        for (TrustClaim c : TrustClaim.values()) {
            Integer v = r.trustVector().values().get(c);
            if (v != null) {
                tv.append(tv.length() == 0 ? "" : " ").append(c.jsonName()).append('=').append(v);
            }
        }
        out.println("trust vector: " + (tv.length() == 0 ? "(empty)" : tv));
        out.println("evidence sha-256: " + HexFormat.of().formatHex(r.evidenceSha256()));
        out.println("findings: " + r.findings().size());
        for (Finding f : r.findings()) {
            String detail;
            if (f.expected().isEmpty() && f.actual().isEmpty()) {
                detail = "";
            } else if (f.expected().isEmpty()) {
                detail = ": " + f.actual();
            } else {
                detail = ": expected " + f.expected() + ", found " + f.actual();
            }
            out.println("  " + f.severity() + " " + f.check() + " at " + f.path() + detail);
        }
    }
}
