package dev.attest.verify.corim;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.evidence.Signer;
import dev.attest.verify.corim.internal.CorimWriter;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes CoRIMs in the deterministic CBOR encoding (RFC 8949 §4.2.1): unsigned ({@code #6.501})
 * or signed (COSE_Sign1, {@code #6.18}, with {@code alg}, content type
 * {@code application/rim+cbor}, {@code kid} if the signer has one, and the CoRIM meta in label
 * 8). What {@link CorimDecoder} reads back is the same model.
 */
public final class CorimEncoder {
    private CorimEncoder() {
    }

    /**
     * {@code corim} as a tagged unsigned CoRIM (its {@link Corim#signature()} is not written).
     *
     * @param corim the CoRIM
     * @return the encoded CoRIM
     */
    public static byte[] encode(Corim corim) {
        return CborEncoder.encode(CorimWriter.corim(Objects.requireNonNull(corim, "corim")));
    }

    /**
     * {@code comid} as a bare {@code concise-mid-tag} map.
     *
     * @param comid the CoMID
     * @return the encoded CoMID
     */
    public static byte[] encodeComid(Comid comid) {
        return CborEncoder.encode(CorimWriter.comid(Objects.requireNonNull(comid, "comid")));
    }

    /**
     * {@code corim} signed by {@code signer} as a COSE_Sign1 (RFC 9052 §4.2), with the CoRIM meta
     * naming {@code signerName} and {@code signerUri} and the signature validity {@code validity}.
     *
     * @param corim the CoRIM
     * @param signer the signer
     * @param signerName the signer's name for the CoRIM meta
     * @param signerUri the signer's URI, or empty
     * @param validity the signature's validity period, or empty
     * @return the encoded COSE_Sign1
     * @throws GeneralSecurityException if the signer refuses
     */
    public static byte[] sign(Corim corim, Signer signer, String signerName, Optional<String> signerUri,
            Optional<Corim.Validity> validity) throws GeneralSecurityException {
        Objects.requireNonNull(signerName, "signerName");
        Cbor.MapBuilder ph = Cbor.map().put(1, Cbor.of(signer.algorithm().coseId()))
                .put(3, Cbor.of(CorimDecoder.CONTENT_TYPE))
                .put(CorimDecoder.HEADER_CORIM_META, Cbor.of(CborEncoder.encode(CorimWriter.meta(signerName, signerUri,
                        validity))));
        signer.keyId().ifPresent(k -> ph.put(4, Cbor.of(k.value())));
        byte[] protectedBytes = CborEncoder.encode(ph.build());
        byte[] payload = encode(corim);
        byte[] toBeSigned = CorimWriter.toBeSigned(protectedBytes, payload);
        byte[] sig = signer.sign(toBeSigned);
        return CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(Cbor.of(protectedBytes), Cbor.map().build(),
                Cbor.of(payload), Cbor.of(sig))));
    }
}
