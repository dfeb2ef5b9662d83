package dev.attest.verify;

/**
 * The service's record of challenges it issued (SPI), for verifiers that do not know in advance
 * which challenge a piece of evidence answers: the {@link Verifier} asks it to redeem the nonce
 * the (signature-verified) evidence carries, for the device that signed it.
 */
@FunctionalInterface
public interface NonceRedeemer {
    /**
     * Marks {@code nonce}, issued to {@code device}, as answered.
     *
     * @param device the device the nonce was issued to
     * @param nonce the nonce the evidence carries
     * @return true exactly once per issued, unexpired nonce of that device; false otherwise
     */
    boolean redeem(String device, byte[] nonce);
}
