package dev.attest.evidence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EcdsaComb} gives the answer of Bouncy Castle's {@code ECDSASigner} for the same key,
 * digest and {@code (r, s)}: valid signatures, every kind of tampering, and the cases a
 * multiplication schedule can get wrong (a zero scalar, a sum at infinity, an x above the order).
 */
class EcdsaCombTest {
    private static final String[] CURVES = {"P-256", "P-384", "P-521"};

    private static ECDomainParameters domain(String curve) {
        return new ECDomainParameters(CustomNamedCurves.getByName(curve));
    }

    private static ECPublicKeyParameters publicKey(ECDomainParameters d, BigInteger x) {
        return new ECPublicKeyParameters(d.getG().multiply(x).normalize(), d);
    }

    private static boolean signer(ECPublicKeyParameters key, byte[] digest, BigInteger r, BigInteger s) {
        ECDSASigner v = new ECDSASigner();
        v.init(false, key);
        return v.verifySignature(digest, r, s);
    }

    private static EcdsaComb comb(ECPublicKeyParameters key) {
        return EcdsaComb.of(key, EcdsaComb.curveOf(key));
    }

    /**
     * A random key signs a random digest (of the curve's hash length, or of another length, which
     * ECDSA truncates or takes whole); the signature, untouched or tampered one of seven ways, gets
     * the same answer from the comb as from the signer, and the untouched one verifies. (No edge
     * cases: a seed of 0 or -1 is no more special than any other, and they would take most tries.)
     */
    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    void answersAsBouncyCastlesSigner(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int curve,
            @ForAll @IntRange(min = 0, max = 7) int tamper) {
        Random random = new Random(seed);
        ECDomainParameters d = domain(CURVES[curve]);
        BigInteger n = d.getN();
        BigInteger x = new BigInteger(n.bitLength(), random).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        ECPublicKeyParameters key = publicKey(d, x);
        int[] lengths = {32, 48, 64, 20, 80};
        byte[] digest = new byte[random.nextInt(4) == 0 ? lengths[random.nextInt(lengths.length)] : (n.bitLength() + 7) / 8];
        random.nextBytes(digest);
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(x, d));
        BigInteger[] rs = signer.generateSignature(digest);
        BigInteger r = rs[0];
        BigInteger s = rs[1];
        switch (tamper) {
            case 1 -> digest[random.nextInt(digest.length)] ^= (byte) (1 << random.nextInt(8));
            case 2 -> r = r.add(BigInteger.ONE).mod(n);
            case 3 -> s = n.subtract(s); // the malleated twin: ECDSA accepts it
            case 4 -> {
                BigInteger t = r;
                r = s;
                s = t;
            }
            case 5 -> r = new BigInteger(n.bitLength(), random);
            case 6 -> s = s.add(n);
            case 7 -> key = publicKey(d, x.add(BigInteger.ONE).mod(n).max(BigInteger.ONE));
            default -> { }
        }
        boolean expected = signer(key, digest, r, s);
        assertEquals(expected, comb(key).verify(digest, r, s));
        if (tamper == 0 || tamper == 3) {
            assertTrue(expected, "an untouched or malleated signature verifies");
        }
    }

    /** A digest of zero makes {@code u1 = 0}: the generator's comb adds nothing at all. */
    @ParameterizedTest
    @ValueSource(strings = {"P-256", "P-384", "P-521"})
    void aZeroDigestVerifies(String curve) {
        ECDomainParameters d = domain(curve);
        BigInteger x = BigInteger.valueOf(0x5eed);
        ECPublicKeyParameters key = publicKey(d, x);
        byte[] digest = new byte[(d.getN().bitLength() + 7) / 8];
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(x, d));
        BigInteger[] rs = signer.generateSignature(digest);
        assertTrue(signer(key, digest, rs[0], rs[1]));
        assertTrue(comb(key).verify(digest, rs[0], rs[1]));
        assertFalse(comb(key).verify(digest, rs[0], rs[1].add(BigInteger.ONE)));
    }

    /**
     * With a known private key {@code x}, the digest {@code e = -r·x mod n} makes
     * {@code u1·G + u2·Q = (e + r·x)/s · G} the point at infinity, which is no signature.
     */
    @ParameterizedTest
    @ValueSource(strings = {"P-256", "P-384", "P-521"})
    void aSumAtInfinityIsRefused(String curve) {
        ECDomainParameters d = domain(curve);
        BigInteger n = d.getN();
        BigInteger x = BigInteger.valueOf(0xc0ffee);
        ECPublicKeyParameters key = publicKey(d, x);
        BigInteger r = BigInteger.valueOf(12345);
        BigInteger s = BigInteger.valueOf(678);
        byte[] digest = BigIntegers.asUnsignedByteArray((n.bitLength() + 7) / 8, r.multiply(x).negate().mod(n));
        assertFalse(signer(key, digest, r, s));
        assertFalse(comb(key).verify(digest, r, s));
    }

    /**
     * The check of {@code x(R) mod n = r} without an inversion must also try {@code r + n}: the
     * key {@code Q} whose x is {@code n + δ} (a point of the curve) signs an all-zero digest as
     * {@code (δ, δ)}, since then {@code u1 = 0}, {@code u2 = 1} and {@code R = Q}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"P-256", "P-384", "P-521"})
    void anXAboveTheOrderIsReducedModTheOrder(String curve) {
        ECDomainParameters d = domain(curve);
        BigInteger n = d.getN();
        ECPoint q = null;
        BigInteger delta = BigInteger.ZERO;
        while (q == null) {
            delta = delta.add(BigInteger.ONE);
            ECFieldElement fx = d.getCurve().fromBigInteger(n.add(delta));
            ECFieldElement y = fx.square().add(d.getCurve().getA()).multiply(fx).add(d.getCurve().getB()).sqrt();
            if (y != null) {
                q = d.getCurve().createPoint(fx.toBigInteger(), y.toBigInteger());
            }
        }
        ECPublicKeyParameters key = new ECPublicKeyParameters(q, d);
        byte[] zero = new byte[(n.bitLength() + 7) / 8];
        assertTrue(signer(key, zero, delta, delta));
        assertTrue(comb(key).verify(zero, delta, delta));
        BigInteger other = delta.add(BigInteger.ONE);
        assertFalse(signer(key, zero, other, other));
        assertFalse(comb(key).verify(zero, other, other));
    }

    /** {@code r} and {@code s} outside {@code [1, n-1]} are refused before any arithmetic. */
    @Test
    void outOfRangeValuesAreRefused() {
        ECDomainParameters d = domain("P-256");
        BigInteger n = d.getN();
        EcdsaComb c = comb(publicKey(d, BigInteger.TEN));
        byte[] digest = new byte[32];
        for (BigInteger[] rs : new BigInteger[][] {
            {BigInteger.ZERO, BigInteger.ONE}, {BigInteger.ONE, BigInteger.ZERO}, {n, BigInteger.ONE},
            {BigInteger.ONE, n}, {BigInteger.ONE.negate(), BigInteger.ONE}, {BigInteger.ONE, BigInteger.ONE.negate()},
        }) {
            assertFalse(c.verify(digest, rs[0], rs[1]));
        }
    }

    /**
     * The standard curves are recognised in Bouncy Castle's generic form too (and the key is
     * brought onto the comb's curve); any other curve is not, and gets no comb.
     */
    @Test
    void onlyTheNistCurvesHaveACombInAnyForm() {
        X9ECParameters generic = ECNamedCurveTable.getByName("P-256");
        ECDomainParameters g = new ECDomainParameters(generic);
        BigInteger x = BigInteger.valueOf(424242);
        ECPublicKeyParameters key = publicKey(g, x);
        assertEquals(0, EcdsaComb.curveOf(key));
        byte[] digest = new byte[32];
        digest[5] = 7;
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(x, g));
        BigInteger[] rs = signer.generateSignature(digest);
        assertTrue(comb(key).verify(digest, rs[0], rs[1]));

        ECDomainParameters k1 = new ECDomainParameters(CustomNamedCurves.getByName("secp256k1"));
        ECPublicKeyParameters other = publicKey(k1, x);
        assertEquals(-1, EcdsaComb.curveOf(other));
        assertThrows(IllegalArgumentException.class, () -> EcdsaComb.of(other, -1));
        assertThrows(IllegalArgumentException.class, () -> EcdsaComb.of(other, 0));
        assertThrows(IllegalArgumentException.class, () -> EcdsaComb.of(key, 1));
    }
}
