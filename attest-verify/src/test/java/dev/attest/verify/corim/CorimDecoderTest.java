package dev.attest.verify.corim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.corim.internal.CorimWriter;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Signed CoRIMs with one thing wrong in their COSE_Sign1, each properly signed, each refused for its reason. */
class CorimDecoderTest {
    private static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
    private static final byte[] PAYLOAD = CorimVectors.read(CorimVectors.CORIM, "corim/testcases/unsigned-good-corim.cbor");
    private static final Cbor META = CorimWriter.meta("signer", Optional.empty(), Optional.empty());

    private static Cbor.MapBuilder goodHeader() {
        return Cbor.map().put(1, Cbor.of(-7)).put(3, Cbor.of("application/rim+cbor")).put(8, Cbor.of(CborEncoder.encode(META)));
    }

    /** A COSE_Sign1 over {@code payload} with protected header {@code ph} and unprotected {@code uh}, signed by KEY. */
    private static byte[] sign1(Cbor.Map ph, Cbor.Map uh, byte[] payload) throws Exception {
        byte[] pb = CborEncoder.encode(ph);
        byte[] sig = KEY.sign(CorimWriter.toBeSigned(pb, payload));
        return CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(Cbor.of(pb), uh, Cbor.of(payload), Cbor.of(sig))));
    }

    private static CorimException refused(byte[] input) {
        return assertThrows(CorimException.class, () -> CorimDecoder.builder().signer(KEY.verificationKey().orElseThrow())
                .build().decode(input));
    }

    private static void refused(CorimException.Reason reason, String path, UnaryOperator<Cbor.MapBuilder> ph,
            Cbor.Map uh) throws Exception {
        CorimException e = refused(sign1(ph.apply(goodHeader()).build(), uh, PAYLOAD));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(path, e.path());
    }

    @Test
    void theGoodHeaderIsAccepted() throws Exception {
        Corim c = CorimDecoder.builder().signer(KEY.verificationKey().orElseThrow()).build()
                .decode(sign1(goodHeader().build(), Cbor.map().build(), PAYLOAD));
        assertEquals("signer", c.signature().orElseThrow().signerName());
    }

    @Test
    void eachHeaderFaultHasItsReason() throws Exception {
        Cbor.Map none = Cbor.map().build();
        refused(CorimException.Reason.BAD_HEADER, "/0/3", b -> Cbor.map().put(1, Cbor.of(-7))
                .put(8, Cbor.of(CborEncoder.encode(META))), none);
        refused(CorimException.Reason.BAD_HEADER, "/0/3", b -> Cbor.map().put(1, Cbor.of(-7)).put(3, Cbor.of("application/cbor"))
                .put(8, Cbor.of(CborEncoder.encode(META))), none);
        refused(CorimException.Reason.BAD_HEADER, "/0/8", b -> Cbor.map().put(1, Cbor.of(-7))
                .put(3, Cbor.of("application/rim+cbor")), none);
        refused(CorimException.Reason.BAD_HEADER, "/0/2", b -> b.put(2, Cbor.Array.of(Cbor.of(8))), none);
        refused(CorimException.Reason.BAD_HEADER, "/0/15", b -> b.put(15, Cbor.map().put(4, Cbor.of(4102444800L)).build()),
                none);
        refused(CorimException.Reason.BAD_HEADER, "/1/1", b -> b, Cbor.map().put(1, Cbor.of(-7)).build());
        refused(CorimException.Reason.BAD_HEADER, "/1/8", b -> Cbor.map().put(1, Cbor.of(-7))
                .put(3, Cbor.of("application/rim+cbor")), Cbor.map().put(8, Cbor.of(CborEncoder.encode(META))).build());
        refused(CorimException.Reason.ALG_NOT_ALLOWED, "/0/1", b -> Cbor.map().put(1, Cbor.of(-257))
                .put(3, Cbor.of("application/rim+cbor")).put(8, Cbor.of(CborEncoder.encode(META))), none);
        refused(CorimException.Reason.MISSING_FIELD, "/0/8/0", b -> Cbor.map().put(1, Cbor.of(-7))
                .put(3, Cbor.of("application/rim+cbor")).put(8, Cbor.of(CborEncoder.encode(Cbor.map().build()))), none);
        refused(CorimException.Reason.UNKNOWN_KEY, "/0/8/2", b -> Cbor.map().put(1, Cbor.of(-7))
                .put(3, Cbor.of("application/rim+cbor")).put(8, Cbor.of(CborEncoder.encode(Cbor.map()
                        .put(0, Cbor.map().put(0, Cbor.of("s")).build()).put(2, Cbor.of(1)).build()))), none);
    }

    @Test
    void thePayloadMustBeATaggedUnsignedCorim() throws Exception {
        CorimException detached = refused(CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(
                Cbor.of(CborEncoder.encode(goodHeader().build())), Cbor.map().build(), Cbor.Simple.NULL, Cbor.of(new byte[64])))));
        assertEquals(CorimException.Reason.NOT_A_CORIM, detached.reason());
        assertEquals("/2", detached.path());
        byte[] untagged = CborEncoder.encode(((Cbor.Tag) dev.attest.core.internal.cbor.CborDecoder.lenient(1 << 16, 32, 1 << 16)
                .decode(PAYLOAD)).content());
        CorimException e = refused(sign1(goodHeader().build(), Cbor.map().build(), untagged));
        assertEquals(CorimException.Reason.NOT_A_CORIM, e.reason());
        assertEquals("/2", e.path());
        CorimException three = refused(CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(Cbor.of(new byte[0]),
                Cbor.map().build(), Cbor.of(PAYLOAD)))));
        assertEquals(CorimException.Reason.NOT_A_CORIM, three.reason());
    }
}
