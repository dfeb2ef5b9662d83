package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.testkit.Vectors;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.corim.Corim;
import dev.attest.verify.corim.CorimDecoder;
import dev.attest.verify.corim.CorimEndorsements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attest refs capture --format corim} and {@code attest corim inspect}, run in-process. */
class CorimCommandTest {
    @TempDir
    Path dir;

    @Test
    void capturedReferenceValuesAsACorimReadBackAsTheSameReferenceValues() throws Exception {
        Path keys = dir.resolve("keys");
        assertEquals(0, Cli.run("keygen", "--kid", "golden", "--out", keys.toString()).code());
        byte[] token = Tokens.fixed(KeyFiles.signingKey(keys.resolve("device.key.pem"), Optional.empty()));
        Path t = Files.write(dir.resolve("t"), token);
        String pub = keys.resolve("device.pub.pem").toString();
        Cli.Run json = Cli.run("refs", "capture", t.toString(), "--key", pub);
        assertEquals(0, json.code(), json.err());
        Path corim = dir.resolve("refs.corim");
        Cli.Run w = Cli.run("refs", "capture", t.toString(), "--key", pub, "--format", "corim", "--out", corim.toString());
        assertEquals("wrote " + corim + ": 2 components, unsigned CoRIM\n", w.out(), w.err());
        Corim c = CorimDecoder.builder().allowUnsigned().build().decode(Files.readAllBytes(corim));
        ReferenceValues back = CorimEndorsements.referenceValues(List.of(c));
        assertEquals(ReferenceValues.fromJson(json.out()).components(), back.components());
        assertEquals(json.out().strip(), back.toJson().strip());

        Cli.Run inspect = Cli.run("corim", "inspect", corim.toString());
        assertEquals(0, inspect.code(), inspect.err());
        JsonNode j = new ObjectMapper().readTree(inspect.out());
        assertEquals(CorimEndorsements.PROFILE, j.at("/profile/value").asText());
        assertEquals(2, j.at("/tags/0/triples/reference-triples/0/measurements").size());
        assertEquals("text", j.at("/tags/0/triples/reference-triples/0/measurements/0/mkey/type").asText());
    }

    @Test
    void aSignedCaptureVerifiesOnlyWithItsSignersKey() throws Exception {
        Path keys = dir.resolve("keys");
        Path supplier = dir.resolve("supplier");
        assertEquals(0, Cli.run("keygen", "--out", keys.toString()).code());
        assertEquals(0, Cli.run("keygen", "--kid", "supplier", "--out", supplier.toString()).code());
        Path t = Files.write(dir.resolve("t"), Tokens.fixed(KeyFiles.signingKey(keys.resolve("device.key.pem"), Optional.empty())));
        Path corim = dir.resolve("signed.corim");
        Cli.Run w = Cli.run("refs", "capture", t.toString(), "--key", keys.resolve("device.pub.pem").toString(), "--format",
                "corim", "--out", corim.toString(), "--sign-key", supplier.resolve("device.key.pem").toString(),
                "--signer-name", "ACME supplier");
        assertEquals(0, w.code(), w.err());
        Cli.Run ok = Cli.run("corim", "inspect", corim.toString(), "--signer", supplier.resolve("device.pub.pem").toString());
        assertEquals(0, ok.code(), ok.err());
        JsonNode j = new ObjectMapper().readTree(ok.out());
        assertEquals("ACME supplier", j.at("/signature/signer-name").asText());
        assertEquals("ES256", j.at("/signature/alg").asText());
        assertTrue(Cli.run("corim", "inspect", corim.toString()).oneLineError(2)
                .startsWith("attest: " + corim + ": BAD_SIGNATURE at /3: a signed CoRIM, and no signer key"));
        assertTrue(Cli.run("corim", "inspect", corim.toString(), "--signer", keys.resolve("device.pub.pem").toString())
                .oneLineError(2).startsWith("attest: " + corim + ": BAD_SIGNATURE at /3: the signature does not verify"));
        assertTrue(Cli.run("refs", "capture", t.toString(), "--key", keys.resolve("device.pub.pem").toString(), "--format",
                "corim").oneLineError(3).startsWith("attest: --format corim writes CBOR: give --out FILE"));
    }

    @Test
    void veraisonCorimsInspectOrAreRefusedWithTheirReason() throws Exception {
        Path good = Vectors.file("veraison-corim", "corim/testcases/unsigned-good-corim.cbor");
        Cli.Run r = Cli.run("corim", "inspect", good.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("test corim id", j.at("/id").asText());
        assertEquals("bytes", j.at("/tags/0/triples/reference-triples/0/environment/class/class-id/type").asText());
        assertEquals("acme.example".length() > 0, j.at("/tags/0/entities/0/reg-id").asText().startsWith("https://acme"));
        Path bad = Vectors.file("veraison-services-corim", "scheme/psa-iot/test/corim/corim-psa-bad-refval-mval.cbor");
        assertTrue(Cli.run("corim", "inspect", bad.toString()).oneLineError(3)
                .startsWith("attest: " + bad + ": INTEGER_OUT_OF_RANGE at /1/0: "));
        Path signed = Vectors.file("veraison-corim", "corim/testcases/signed-good-corim.cbor");
        assertTrue(Cli.run("corim", "inspect", signed.toString()).oneLineError(2).contains("BAD_SIGNATURE"));
        Path junk = Files.write(dir.resolve("junk"), new byte[] {(byte) 0xd9, 0x01, (byte) 0xf5});
        assertTrue(Cli.run("corim", "inspect", junk.toString()).oneLineError(3)
                .startsWith("attest: " + junk + ": MALFORMED_CBOR at /: "));
    }
}
