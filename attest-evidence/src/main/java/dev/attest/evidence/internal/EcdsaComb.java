package dev.attest.evidence.internal;

import java.math.BigInteger;
import java.util.List;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.ECLookupTable;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.raw.Nat;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDSA verification (FIPS 186-5 §6.4.2) for a public key that verifies many signatures, on the
 * NIST curves P-256, P-384 and P-521. It computes {@code u1·G + u2·Q} with two fixed-base combs
 * (Lim–Lee): one table of the generator per curve (width 8), shared, and one of the key (width
 * 7), built once. Every column of the two combs costs one doubling of the running sum, and each
 * non-zero entry one addition of an affine point to it: on P-256, 37 doublings and at most 69
 * such additions. The point arithmetic is Bouncy Castle's; only the multiplication's schedule is
 * this class's.
 *
 * <p>Verification handles public values only (the key, the digest, the signature), so the table
 * look-ups and additions may take time that depends on them. The answer is the one
 * {@code ECDSASigner.verifySignature} gives for the same key, digest and {@code (r, s)}; tests
 * hold the two to each other. A key's table costs about {@code 2^7} points: 8 KB for P-256.
 */
public final class EcdsaComb {
    /** Comb width of the generators' tables: 255 points per curve, built once. */
    static final int GENERATOR_WIDTH = 8;
    /** Comb width of a key's table: 127 points per key. */
    static final int KEY_WIDTH = 7;

    private static final List<String> CURVES = List.of("P-256", "P-384", "P-521");

    /** The generators' combs, one per curve in {@link #CURVES}; built on first use. */
    private static final class Generators {
        static final List<Table> TABLES = CURVES.stream().map(name -> {
            X9ECParameters x9 = CustomNamedCurves.getByName(name);
            return new Table(x9.getG(), GENERATOR_WIDTH, x9.getN().bitLength());
        }).toList();
    }

    private final ECCurve curve;
    private final BigInteger n;
    private final Table generator;
    private final Table key;

    private EcdsaComb(ECCurve curve, BigInteger n, Table generator, Table key) {
        this.curve = curve;
        this.n = n;
        this.generator = generator;
        this.key = key;
    }

    /**
     * The standard curve {@code key} lies on, as an index into the generators' tables, or -1 if
     * its domain is not P-256, P-384 or P-521 (with their generator and order, in any of Bouncy
     * Castle's representations of the curve).
     */
    public static int curveOf(ECPublicKeyParameters key) {
        ECDomainParameters d = key.getParameters();
        for (int i = 0; i < CURVES.size(); i++) {
            X9ECParameters x9 = CustomNamedCurves.getByName(CURVES.get(i));
            if (x9.getCurve().equals(d.getCurve()) && x9.getG().equals(d.getG()) && x9.getN().equals(d.getN())
                    && d.getH().equals(BigInteger.ONE)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The comb of {@code key}, which lies on the curve {@link #curveOf} gave: about 0.5 ms of
     * point arithmetic for P-256 on the machine of {@code BENCHMARKS.md} (2 ms for P-521), what
     * some 20 verifications save, so it is for keys that verify again and again.
     *
     * @throws IllegalArgumentException if {@code curve} is not {@code curveOf(key)}
     */
    public static EcdsaComb of(ECPublicKeyParameters key, int curve) {
        if (curve < 0 || curve != curveOf(key)) {
            throw new IllegalArgumentException("not a key on P-256, P-384 or P-521");
        }
        Table g = Generators.TABLES.get(curve);
        ECPoint q = ECAlgorithms.importPoint(g.curve, key.getQ());
        return new EcdsaComb(g.curve, key.getParameters().getN(), g, new Table(q, KEY_WIDTH, g.bits));
    }

    /**
     * Whether {@code (r, s)} is a valid signature of {@code digest} (the message's hash, its
     * leftmost bits taken as ECDSA takes them) under this key.
     */
    public boolean verify(byte[] digest, BigInteger r, BigInteger s) {
        if (r.signum() <= 0 || r.compareTo(n) >= 0 || s.signum() <= 0 || s.compareTo(n) >= 0) {
            return false;
        }
        BigInteger e = new BigInteger(1, digest);
        int excess = 8 * digest.length - n.bitLength();
        if (excess > 0) {
            e = e.shiftRight(excess);
        }
        BigInteger w = BigIntegers.modOddInverseVar(n, s);
        BigInteger u1 = e.multiply(w).mod(n);
        BigInteger u2 = r.multiply(w).mod(n);
        ECPoint p = sumOfTwo(u1, u2);
        if (p.isInfinity()) {
            return false;
        }
        return xModNIs(p, r);
    }

    /** {@code a·G + b·Q}: the two combs' columns added in, one doubling per column. */
    private ECPoint sumOfTwo(BigInteger a, BigInteger b) {
        int[] aw = Nat.fromBigInteger(generator.width * generator.columns, a);
        int[] bw = Nat.fromBigInteger(key.width * key.columns, b);
        ECPoint p = curve.getInfinity();
        for (int col = Math.max(generator.columns, key.columns) - 1; col >= 0; col--) {
            p = p.twice();
            p = generator.add(p, aw, col);
            p = key.add(p, bw, col);
        }
        return p;
    }

    /**
     * Whether the affine x of {@code p}, taken mod {@code n}, is {@code r}, without the inversion
     * that makes {@code p} affine where its coordinates are Jacobian: {@code x = X / Z²}, so
     * {@code x ≡ r (mod n)} holds when {@code X = v·Z²} for {@code v = r, r + n, ...} below the
     * field's prime.
     */
    private boolean xModNIs(ECPoint p, BigInteger r) {
        if (curve.getCoordinateSystem() != ECCurve.COORD_JACOBIAN) {
            return p.normalize().getAffineXCoord().toBigInteger().mod(n).equals(r);
        }
        ECFieldElement zz = p.getZCoord(0).square();
        ECFieldElement x = p.getXCoord();
        for (BigInteger v = r; curve.isValidFieldElement(v); v = v.add(n)) {
            if (curve.fromBigInteger(v).multiply(zz).equals(x)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "EcdsaComb[" + curve.getFieldSize() + "-bit curve]";
    }

    /**
     * A comb of one point {@code P}: for every non-zero {@code w}-bit index {@code i}, the sum of
     * {@code 2^(j·columns)·P} over the set bits {@code j} of {@code i}, affine, in Bouncy
     * Castle's packed table. Column {@code c} of a scalar {@code k} is the index made of the bits
     * {@code k[j·columns + c]}, so {@code k·P} is the sum over columns of {@code 2^c} times that
     * entry.
     */
    private static final class Table {
        final ECCurve curve;
        final int width;
        final int bits;
        final int columns;
        final ECLookupTable entries;

        Table(ECPoint point, int width, int bits) {
            this.curve = point.getCurve();
            this.width = width;
            this.bits = bits;
            this.columns = (bits + width - 1) / width;
            ECPoint[] rows = new ECPoint[width];
            rows[0] = point.normalize();
            for (int j = 1; j < width; j++) {
                rows[j] = rows[j - 1].timesPow2(columns);
            }
            curve.normalizeAll(rows);
            ECPoint[] sums = new ECPoint[1 << width];
            sums[0] = curve.getInfinity();
            for (int j = 0; j < width; j++) {
                int high = 1 << j;
                for (int i = 0; i < high; i++) {
                    sums[high + i] = sums[i].add(rows[j]);
                }
            }
            ECPoint[] nonZero = java.util.Arrays.copyOfRange(sums, 1, sums.length);
            for (ECPoint s : nonZero) {
                // A sum of distinct multiples 2^(j·columns) < n of a point of prime order n.
                if (s.isInfinity()) {
                    throw new IllegalStateException("a comb entry is the point at infinity");
                }
            }
            curve.normalizeAll(nonZero);
            this.entries = curve.createCacheSafeLookupTable(nonZero, 0, nonZero.length);
        }

        /** {@code p} plus the entry of column {@code col} of the scalar {@code k}. */
        ECPoint add(ECPoint p, int[] k, int col) {
            if (col >= columns) {
                return p;
            }
            int index = 0;
            for (int j = width - 1; j >= 0; j--) {
                int bit = j * columns + col;
                index = index << 1 | k[bit >>> 5] >>> (bit & 31) & 1;
            }
            return index == 0 ? p : p.add(entries.lookupVar(index - 1));
        }
    }
}
