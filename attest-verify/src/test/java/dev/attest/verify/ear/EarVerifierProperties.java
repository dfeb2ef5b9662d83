package dev.attest.verify.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** A mangled EAR JWT is never accepted unless it is the original, and never fails with anything but EarException. */
class EarVerifierProperties {
    private static final EarSigningKey KEY;
    private static final EarVerifier VERIFIER;
    private static final Ear EAR;
    private static final String JWT;

    static {
        try {
            KEY = EarSigningKey.fromJwk(EarVerifierTest.RFC8037_JWK);
            VERIFIER = EarVerifier.builder().key(KEY.verificationKey()).build();
            EAR = Ear.builder(new VerifierId("d", "b"), Instant.ofEpochSecond(1_700_000_000L)).nonce("0123456789")
                    .submod("s", EarAppraisal.of(TrustTier.AFFIRMING,
                            TrustVector.EMPTY.with(TrustClaim.HARDWARE, TrustClaim.GENUINE_HARDWARE), "p"))
                    .build();
            JWT = EarSigner.create(KEY).sign(EAR);
        } catch (EarException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Property
    void mutatedJwtsAreRejectedWithEarException(@ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll char c, @ForAll @IntRange(min = 1, max = 8) int len) {
        int at = where % JWT.length();
        String m;
        switch (kind) {
            case 0: m = JWT.substring(0, at) + JWT.substring(Math.min(JWT.length(), at + len)); break;
            case 1: m = JWT.substring(0, at) + c + JWT.substring(at); break;
            case 2: m = JWT.substring(0, at) + c + JWT.substring(at + 1); break;
            default: m = JWT.substring(0, at); break;
        }
        try {
            Ear ear = VERIFIER.verify(m);
            // Only the untouched token can verify (e.g. a character replaced by itself).
            assertEquals(JWT, m);
            assertEquals(EAR, ear);
        } catch (EarException e) {
            assertEquals(EarException.class, e.getClass());
        }
    }
}
