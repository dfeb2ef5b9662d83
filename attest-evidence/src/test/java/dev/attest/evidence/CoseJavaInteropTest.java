package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import COSE.AlgorithmID;
import COSE.Attribute;
import COSE.HeaderKeys;
import COSE.Message;
import COSE.MessageTag;
import COSE.OneKey;
import COSE.Sign1Message;
import com.upokecenter.cbor.CBORObject;
import java.security.Security;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * COSE-Java 1.1.0 as an independent oracle: tokens attest signs verify with COSE-Java, and
 * tokens COSE-Java signs over attest's claims verify (and decode) with attest. EdDSA is left
 * out: COSE-Java does it through net.i2p eddsa, which this build does not trust (see
 * docs/decisions/0002-cose-on-own-cbor.md).
 */
class CoseJavaInteropTest {
    /**
     * COSE-Java looks up "SHA256withRSA/PSS" in the global provider list, which only Bouncy
     * Castle serves. The oracle gets it for the duration of this class; attest itself never
     * registers a provider (its own calls pass an instance), so this does not help attest pass.
     */
    @BeforeAll
    static void registerProviderForTheOracle() {
        Security.addProvider(new BouncyCastleProvider());
    }

    @AfterAll
    static void unregister() {
        Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
    }

    private static AlgorithmID oracleAlg(SignatureAlgorithm alg) {
        return switch (alg) {
            case ES256 -> AlgorithmID.ECDSA_256;
            case ES384 -> AlgorithmID.ECDSA_384;
            case ES512 -> AlgorithmID.ECDSA_512;
            case PS256 -> AlgorithmID.RSA_PSS_256;
            default -> throw new IllegalArgumentException(alg.toString());
        };
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "ES384", "ES512", "PS256"})
    void attestTokensVerifyWithCoseJava(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.of(KeyId.of("interop")));
        EatClaims claims = Samples.claims(5);
        byte[] token = EvidenceEncoder.of(key).withoutCwtTag().encode(claims);
        Sign1Message m = (Sign1Message) Message.DecodeFromBytes(token, MessageTag.Sign1);
        OneKey pub = new OneKey(key.verificationKey().orElseThrow().publicKey(), null);
        assertTrue(m.validate(pub), "COSE-Java verifies attest's " + alg + " signature");
        assertArrayEquals(EvidenceEncoder.payload(claims), m.GetContent());
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "ES384", "ES512", "PS256"})
    void coseJavaTokensVerifyWithAttest(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.of(KeyId.of("interop")));
        EatClaims claims = Samples.claims(5);
        Sign1Message m = new Sign1Message();
        m.addAttribute(HeaderKeys.Algorithm, oracleAlg(alg).AsCBOR(), Attribute.PROTECTED);
        m.addAttribute(HeaderKeys.KID, CBORObject.FromObject("interop".getBytes()), Attribute.PROTECTED);
        m.SetContent(EvidenceEncoder.payload(claims));
        m.sign(new OneKey(key.verificationKey().orElseThrow().publicKey(), key.privateKey()));
        byte[] token = m.EncodeToBytes();
        VerifiedEvidence v = EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(key.verificationKey().orElseThrow())))
                .build().decode(token);
        assertArrayEquals(EvidenceEncoder.payload(claims), EvidenceEncoder.payload(v.claims()));
        assertEquals(alg, v.key().algorithm());
    }
}
