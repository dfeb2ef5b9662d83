package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.evidence.CoseSign1Message;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.testkit.Vectors;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest verify TOKEN --corim FILE}: a PSA token (Veraison's good integration-test claims,
 * with the signer id its PSA-scheme CoRIM endorses, signed with the instance's key) is recognised
 * by content and appraised with the key and reference values of Veraison's valid PSA CoRIM.
 */
class VerifyPsaCommandTest {
    static final String DATA = "veraison-services/integration-tests/data";
    static final byte[] SIGNER = Base64.getDecoder().decode("U3h5YwdTXfPsjYsVouLcVkFBnD0wYM/jIjjA+pc/eqM=");

    @TempDir
    Path dir;

    static Path corim() {
        return Vectors.file("veraison-services-corim/scheme/psa-iot/test/corim", "corim-psa-valid.cbor");
    }

    /** psa.good.json as a profile 2 claims set, with {@code signer} as every component's signer id. */
    static byte[] claims(byte[] signer) throws Exception {
        JsonNode j = new ObjectMapper().readTree(Vectors.file(DATA + "/claims", "psa.good.json").toFile());
        Base64.Decoder b64 = Base64.getDecoder();
        List<Cbor> sw = new ArrayList<>();
        for (JsonNode c : j.get("psa-software-components")) {
            sw.add(Cbor.map().put(1, Cbor.of(c.get("measurement-type").asText()))
                    .put(2, Cbor.of(b64.decode(c.get("measurement-value").asText())))
                    .put(4, Cbor.of(c.get("version").asText())).put(5, Cbor.of(signer)).build());
        }
        return CborEncoder.encode(Cbor.map().put(265, Cbor.of(j.get("eat-profile").asText()))
                .put(2394, Cbor.of(j.get("psa-client-id").asLong()))
                .put(2395, Cbor.of(j.get("psa-security-lifecycle").asLong()))
                .put(2396, Cbor.of(b64.decode(j.get("psa-implementation-id").asText())))
                .put(2397, Cbor.of(b64.decode(j.get("psa-boot-seed").asText())))
                .put(2399, new Cbor.Array(sw))
                .put(256, Cbor.of(b64.decode(j.get("psa-instance-id").asText())))
                .put(2400, Cbor.of(j.get("psa-verification-service-indicator").asText()))
                .put(10, Cbor.of(b64.decode(j.get("psa-nonce").asText()))).build());
    }

    /** The instance's P-256 key, from the JWK of Veraison's integration tests. */
    static SigningKey instanceKey() throws Exception {
        JsonNode j = new ObjectMapper().readTree(Vectors.file(DATA + "/keys", "ec.p256.jwk").toFile());
        Base64.Decoder b64 = Base64.getUrlDecoder();
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
        KeyFactory kf = KeyFactory.getInstance("EC");
        ECPoint w = new ECPoint(new BigInteger(1, b64.decode(j.get("x").asText())),
                new BigInteger(1, b64.decode(j.get("y").asText())));
        return SigningKey.of(new KeyPair(kf.generatePublic(new ECPublicKeySpec(w, spec)),
                kf.generatePrivate(new ECPrivateKeySpec(new BigInteger(1, b64.decode(j.get("d").asText())), spec))),
                SignatureAlgorithm.ES256, Optional.empty());
    }

    static String nonceHex() throws Exception {
        JsonNode j = new ObjectMapper().readTree(Vectors.file(DATA + "/claims", "psa.good.json").toFile());
        return HexFormat.of().formatHex(Base64.getDecoder().decode(j.get("psa-nonce").asText()));
    }

    Path token(String name, byte[] signer) throws Exception {
        return Files.write(dir.resolve(name), CoseSign1Message.sign(instanceKey(), claims(signer)));
    }

    @Test
    void aPsaTokenMatchingTheCorimIsAffirmingExit0() throws Exception {
        Cli.Run r = Cli.run("verify", token("psa.cbor", SIGNER).toString(), "--corim", corim().toString(),
                "--nonce", nonceHex());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("status: affirming\n"), r.out());
        Cli.Run ear = Cli.run("verify", token("psa.cbor", SIGNER).toString(), "--corim", corim().toString(),
                "--nonce", nonceHex(), "--format", "ear-json");
        assertEquals(0, ear.code());
        assertTrue(ear.out().contains("\"hardware\":2"), ear.out());
    }

    /**
     * Trusted Firmware-M's own signed token (psatoken's {@code psa-2_0_0_sign1.bin}) against a
     * CoRIM carrying its key ({@code public.pem}) and its components' reference values: affirming;
     * with NSPE's reference digest changed in the CoRIM, contraindicated naming NSPE.
     */
    @Test
    void theTfmTokenAgainstItsCorimIsAffirmingAndAChangedReferenceNamesTheComponent() throws Exception {
        Path token = Files.write(dir.resolve("tfm.cbor"), dev.attest.verify.psa.PsaTfmCorimTest.token());
        Path good = Files.write(dir.resolve("tfm.corim"), dev.attest.verify.psa.PsaTfmCorimTest.corim(-1));
        Path changed = Files.write(dir.resolve("tfm-changed.corim"), dev.attest.verify.psa.PsaTfmCorimTest.corim(1));
        String nonce = "00".repeat(64);
        Cli.Run ok = Cli.run("verify", token.toString(), "--corim", good.toString(), "--nonce", nonce);
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith("status: affirming\n"), ok.out());
        Cli.Run bad = Cli.run("verify", token.toString(), "--corim", changed.toString(), "--nonce", nonce);
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.out().startsWith("status: contraindicated\n"), bad.out());
        assertTrue(bad.out().contains("CONTRAINDICATED reference.digest at NSPE"), bad.out());
    }

    @Test
    void anotherSignerIdIsContraindicatedExit2() throws Exception {
        Cli.Run r = Cli.run("verify", token("psa.cbor", new byte[32]).toString(), "--corim", corim().toString(),
                "--nonce", nonceHex());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("CONTRAINDICATED reference.signer at BL"), r.out());
    }

    @Test
    void aWrongNonceOrABadSignatureIsExit2() throws Exception {
        Path t = token("psa.cbor", SIGNER);
        assertEquals(2, Cli.run("verify", t.toString(), "--corim", corim().toString(), "--nonce", "00".repeat(32)).code());
        byte[] bad = Files.readAllBytes(t);
        bad[bad.length - 1] ^= 1;
        Path b = Files.write(dir.resolve("bad.cbor"), bad);
        Cli.Run r = Cli.run("verify", b.toString(), "--corim", corim().toString(), "--nonce", nonceHex());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("BAD_SIGNATURE"), r.out());
    }

    @Test
    void aMalformedPsaTokenOrCorimIsUnusableExit3() throws Exception {
        byte[] t = Files.readAllBytes(token("psa.cbor", SIGNER));
        Path longer = Files.write(dir.resolve("longer.cbor"), java.util.Arrays.copyOf(t, t.length + 1));
        assertTrue(Cli.run("verify", longer.toString(), "--corim", corim().toString()).oneLineError(3).contains("TRAILING_BYTES"));
        Path junk = Files.write(dir.resolve("junk.corim"), new byte[] {1, 2, 3});
        Cli.run("verify", longer.toString(), "--corim", junk.toString()).oneLineError(3);
        assertTrue(Cli.run("verify", longer.toString()).oneLineError(3).contains("--corim"));
    }
}
