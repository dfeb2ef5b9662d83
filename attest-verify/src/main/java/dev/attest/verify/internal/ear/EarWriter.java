package dev.attest.verify.internal.ear;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.attest.verify.ear.Ear;
import dev.attest.verify.ear.EarAppraisal;
import dev.attest.verify.ear.EarJson;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustVector;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes an EAR as compact JSON in one fixed member order: eat_profile, iat, exp,
 * ear.verifier-id (developer, build), eat_nonce, ear.raw-evidence, submods (by name), then
 * extensions by name; in an appraisal: ear.status, ear.trustworthiness-vector (AR4SI claim
 * order), ear.appraisal-policy-id, the Veraison extensions, then other extensions by name.
 */
public final class EarWriter {
    private EarWriter() {
    }

    /** The deterministic JSON text of {@code ear}. */
    public static String write(Ear ear) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = StrictJson.generator(out)) {
            g.writeStartObject();
            g.writeStringField("eat_profile", Ear.PROFILE);
            g.writeNumberField("iat", ear.issuedAt().getEpochSecond());
            if (ear.expiry().isPresent()) {
                g.writeNumberField("exp", ear.expiry().get().getEpochSecond());
            }
            g.writeObjectFieldStart("ear.verifier-id");
            g.writeStringField("developer", ear.verifierId().developer());
            g.writeStringField("build", ear.verifierId().build());
            g.writeEndObject();
            if (ear.nonce().isPresent()) {
                g.writeStringField("eat_nonce", ear.nonce().get());
            }
            if (ear.rawEvidence().isPresent()) {
                g.writeStringField("ear.raw-evidence", ear.rawEvidence().get());
            }
            g.writeObjectFieldStart("submods");
            for (Map.Entry<String, EarAppraisal> e : ear.submods().entrySet()) {
                g.writeFieldName(e.getKey());
                appraisal(g, e.getValue());
            }
            g.writeEndObject();
            extensions(g, ear.extensions());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void appraisal(JsonGenerator g, EarAppraisal a) throws IOException {
        g.writeStartObject();
        g.writeStringField("ear.status", a.status().jsonName());
        if (a.trustVector().isPresent()) {
            TrustVector tv = a.trustVector().get();
            g.writeObjectFieldStart("ear.trustworthiness-vector");
            for (Map.Entry<TrustClaim, Integer> e : tv.values().entrySet()) {
                g.writeNumberField(e.getKey().jsonName(), e.getValue());
            }
            g.writeEndObject();
        }
        if (a.policyId().isPresent()) {
            g.writeStringField("ear.appraisal-policy-id", a.policyId().get());
        }
        if (a.annotatedEvidence().isPresent()) {
            g.writeFieldName("ear.veraison.annotated-evidence");
            g.writeRawValue(a.annotatedEvidence().get().text());
        }
        if (a.policyClaims().isPresent()) {
            g.writeFieldName("ear.veraison.policy-claims");
            g.writeRawValue(a.policyClaims().get().text());
        }
        if (a.keyAttestation().isPresent()) {
            g.writeObjectFieldStart("ear.veraison.key-attestation");
            g.writeStringField("akpub", a.keyAttestation().get().akpub());
            g.writeEndObject();
        }
        extensions(g, a.extensions());
        g.writeEndObject();
    }

    // EarJson text is canonical JSON produced by our own generator, so it is safe to embed raw.
    private static void extensions(JsonGenerator g, Map<String, EarJson> ext) throws IOException {
        for (Map.Entry<String, EarJson> e : ext.entrySet()) {
            g.writeFieldName(e.getKey());
            g.writeRawValue(e.getValue().text());
        }
    }
}
