package dev.attest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MainTest {
    /** 1.0, 2.0, ... n.0 in shuffled order: the order statistic x(i) is i. */
    private static List<Double> oneTo(int n) {
        List<Double> v = new ArrayList<>(IntStream.rangeClosed(1, n).mapToObj(i -> (double) i).toList());
        Collections.shuffle(v, new java.util.Random(n));
        return v;
    }

    @Test
    void theMediansIntervalIsTheBinomialOrderStatistics() {
        // n = 20: P(X <= 5) = 0.0207 <= 0.025 < P(X <= 6) = 0.0577, so [x(6), x(15)].
        assertEquals("10.500 (95 % CI 6.000 - 15.000; min 1.000, max 20.000; 20 pairs)", Main.summary(oneTo(20)));
        // n = 6: P(X = 0) = 0.0156, so [x(1), x(6)].
        assertEquals("3.500 (95 % CI 1.000 - 6.000; min 1.000, max 6.000; 6 pairs)", Main.summary(oneTo(6)));
        assertTrue(Main.summary(oneTo(5)).contains("no 95 % interval below 6 values"));
        assertEquals("3.000 (no 95 % interval below 6 values; min 3.000, max 3.000; 1 pairs)", Main.summary(List.of(3.0)));
    }

    @Test
    void theIntervalCoversAtLeastNinetyFivePercentAndOneStepInLessWould() {
        for (int n = 6; n <= 200; n++) {
            String s = Main.summary(oneTo(n));
            int k = (int) Double.parseDouble(s.substring(s.indexOf("CI ") + 3, s.indexOf(" - ")));
            assertEquals(n + 1 - k, (int) Double.parseDouble(s.substring(s.indexOf(" - ") + 3, s.indexOf(';'))));
            // Exact tail P(X < k) for X ~ Binomial(n, 1/2).
            assertTrue(tail(n, k) <= 0.025, "n=" + n);
            assertFalse(tail(n, k + 1) <= 0.025, "n=" + n);
        }
    }

    private static double tail(int n, int k) {
        BigInteger sum = BigInteger.ZERO;
        for (int i = 0; i < k; i++) {
            sum = sum.add(binomial(n, i));
        }
        return new java.math.BigDecimal(sum).divide(new java.math.BigDecimal(BigInteger.TWO.pow(n)),
                java.math.MathContext.DECIMAL64).doubleValue();
    }

    private static BigInteger binomial(int n, int k) {
        BigInteger b = BigInteger.ONE;
        for (int i = 0; i < k; i++) {
            b = b.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return b;
    }
}
