package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Every single-byte change and every truncation of a quote's TPMS_ATTEST or TPMT_SIGNATURE is
 * rejected: either by the typed parser exception or by a failed verifier check, never accepted.
 */
class QuoteMutationProperties {
    static final QuoteVerifier VERIFIER = QuoteVerifier.builder().build();
    static final SoftwareQuotes Q;
    static final Quote GOOD;

    static {
        try {
            Q = SoftwareQuotes.ecc();
            GOOD = Q.good();
        } catch (java.security.GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The AK prepared once: from its second quote on, its ECDSA comb checks the signature. */
    static final QuoteVerifier.PreparedKey PREPARED = VERIFIER.prepare(Q.ak);

    static void assertRejected(byte[] attest, byte[] sig) {
        QuoteVerification v = VERIFIER.verify(Q.ak, new Quote(attest, sig), Q.nonce, Q.pcrs);
        assertFalse(v.verified(), "accepted a mutated quote");
        assertFalse(v.failures().isEmpty());
        QuoteVerification p = VERIFIER.verify(PREPARED, new Quote(attest, sig), Q.nonce, Q.pcrs);
        org.junit.jupiter.api.Assertions.assertEquals(v.failures(), p.failures(), "a prepared key answers otherwise");
    }

    @Example
    void goodQuoteIsAccepted() {
        assertTrue(VERIFIER.verify(Q.ak, GOOD, Q.nonce, Q.pcrs).verified());
        for (int i = 0; i < 3; i++) {
            assertTrue(VERIFIER.verify(PREPARED, GOOD, Q.nonce, Q.pcrs).verified());
        }
    }

    /**
     * Every position, each of its 8 single-bit flips plus 0x00 and 0xFF; with a long fuzz campaign
     * ({@code -Dattest.fuzz.tries} above 1000) every one of the 255 other values.
     */
    @Example
    void everySingleByteChangeIsRejected() {
        boolean all = Integer.getInteger("jqwik.tries.default", 1000) > 1000;
        for (int part = 0; part < 2; part++) {
            byte[] base = part == 0 ? GOOD.attest() : GOOD.signature();
            for (int i = 0; i < base.length; i++) {
                for (int v = 0; v < 256; v++) {
                    int diff = (v ^ base[i]) & 0xFF;
                    boolean pick = all || Integer.bitCount(diff) == 1 || v == 0 || v == 0xFF;
                    if (diff == 0 || !pick) {
                        continue;
                    }
                    byte[] m = base.clone();
                    m[i] = (byte) v;
                    if (part == 0) {
                        assertRejected(m, GOOD.signature());
                    } else {
                        assertRejected(GOOD.attest(), m);
                    }
                }
            }
        }
    }

    @Example
    void everyTruncationIsRejectedWithTheTypedException() {
        for (int n = 0; n < GOOD.attest().length; n++) {
            byte[] a = Arrays.copyOf(GOOD.attest(), n);
            TpmFormatException e = org.junit.jupiter.api.Assertions.assertThrows(TpmFormatException.class, () -> TpmsAttest.parse(a));
            org.junit.jupiter.api.Assertions.assertEquals(TpmFormatException.Reason.TRUNCATED, e.reason());
            assertRejected(a, GOOD.signature());
        }
        for (int n = 0; n < GOOD.signature().length; n++) {
            byte[] s = Arrays.copyOf(GOOD.signature(), n);
            org.junit.jupiter.api.Assertions.assertThrows(TpmFormatException.class, () -> TpmtSignature.parse(s));
            assertRejected(GOOD.attest(), s);
        }
    }

    @Property
    void randomMultiByteChangesAreRejected(@ForAll @IntRange(min = 0, max = 1000) int pos,
            @ForAll @IntRange(min = 1, max = 255) int xor, @ForAll boolean inSignature, @ForAll @IntRange(min = 1, max = 4) int span) {
        byte[] base = inSignature ? GOOD.signature() : GOOD.attest();
        byte[] m = base.clone();
        for (int k = 0; k < span; k++) {
            m[(pos + k) % m.length] ^= (byte) xor;
        }
        if (inSignature) {
            assertRejected(GOOD.attest(), m);
        } else {
            assertRejected(m, GOOD.signature());
        }
    }
}
