package dev.attest.verify.psa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.TrustTier;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The PSA decoder under hostile input: random bytes and random edits of Trusted Firmware-M's
 * signed token are refused with a {@link PsaException} (never another exception), and every
 * single-bit flip of the signed token is refused by the scheme and never affirming through the
 * verifier.
 */
class PsaTokenProperties {
    static final byte[] TOKEN;
    static final PsaScheme SCHEME;

    static {
        try {
            TOKEN = PsaTestKit.read(PsaInteropTest.ORIGIN, "testvectors/tf-m/psa-2_0_0_sign1.bin");
            SCHEME = PsaScheme.of(PsaInteropTest.tfmEndorsements(TOKEN, -1));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Property(tries = 2000)
    void randomBytesAreRefusedWithAReason(@ForAll @Size(max = 600) byte[] input) {
        try {
            SCHEME.verify(input);
            throw new AssertionError("accepted random bytes");
        } catch (PsaException e) {
            assertTrue(e.path().startsWith("/"), e.getMessage());
        }
        try {
            PsaClaims.decode(input);
        } catch (PsaException e) {
            assertTrue(e.path().startsWith("/"), e.getMessage());
        }
        SCHEME.recognizes(input);
    }

    @Provide
    Arbitrary<byte[]> editedTokens() {
        return Arbitraries.integers().between(0, TOKEN.length - 1).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                    byte[] t = TOKEN.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        t[positions.get(i)] = values.get(i);
                    }
                    return t;
                }));
    }

    @Property(tries = 2000)
    void editedTokensAreRefusedOrUnchanged(@ForAll("editedTokens") byte[] token) {
        try {
            SCHEME.verify(token);
            assertEquals(java.util.HexFormat.of().formatHex(TOKEN), java.util.HexFormat.of().formatHex(token));
        } catch (PsaException e) {
            assertTrue(e.path().startsWith("/"), e.getMessage());
        }
    }

    static final byte[] CLAIMS;

    static {
        try {
            CLAIMS = PsaTestKit.diagFile(PsaInteropTest.ORIGIN, "testvectors/cbor/P2ClaimsAll.diag");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Edited claims sets (a byte set, dropped or inserted): a claims set or a typed refusal, nothing else. */
    @Property(tries = 5000)
    void editedClaimsSetsDecodeOrAreRefused(@ForAll("edits") int[] edit) {
        byte[] c = switch (edit[0]) {
            case 0 -> {
                byte[] t = CLAIMS.clone();
                t[edit[1] % t.length] = (byte) edit[2];
                yield t;
            }
            case 1 -> {
                int at = edit[1] % CLAIMS.length;
                byte[] t = new byte[CLAIMS.length - 1];
                System.arraycopy(CLAIMS, 0, t, 0, at);
                System.arraycopy(CLAIMS, at + 1, t, at, CLAIMS.length - at - 1);
                yield t;
            }
            default -> {
                int at = edit[1] % CLAIMS.length;
                byte[] t = new byte[CLAIMS.length + 1];
                System.arraycopy(CLAIMS, 0, t, 0, at);
                t[at] = (byte) edit[2];
                System.arraycopy(CLAIMS, at, t, at + 1, CLAIMS.length - at);
                yield t;
            }
        };
        try {
            PsaClaims claims = PsaClaims.decode(c);
            assertTrue(claims.nonce().length == 32 || claims.nonce().length == 48 || claims.nonce().length == 64);
        } catch (PsaException e) {
            assertTrue(e.path().startsWith("/"), e.getMessage());
        }
    }

    @Provide
    Arbitrary<int[]> edits() {
        return Arbitraries.integers().between(0, 2).flatMap(kind -> Arbitraries.integers().between(0, 10_000)
                .flatMap(at -> Arbitraries.integers().between(0, 255).map(v -> new int[] {kind, at, v})));
    }

    @Test
    void everySingleBitFlipIsRefused() {
        int accepted = 0;
        int affirming = 0;
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(SCHEME).build();
        for (int bit = 0; bit < TOKEN.length * 8; bit++) {
            byte[] t = TOKEN.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            try {
                SCHEME.verify(t);
                accepted++;
            } catch (PsaException e) {
                // refused, as it must be
            }
            AttestationResult r = v.appraise(t, AppraisalContext.challenge(PsaInteropTest.TFM_NONCE));
            if (r.status() != TrustTier.CONTRAINDICATED) {
                affirming++;
            }
        }
        assertEquals(0, accepted, "bit flips accepted by the scheme");
        assertEquals(0, affirming, "bit flips not contraindicated by the verifier");
    }
}
