package dev.attest.examples.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A device's period: enrolled, inferred from its results, or the default; and when it is "not seen". */
class DevicePeriodTest {
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void anEnrolledPeriodIsAnIsoDurationFromOneSecondToSevenDays() {
        assertEquals(Duration.ofSeconds(1), DevicePeriod.parse("PT1S"));
        assertEquals(Duration.ofSeconds(30), DevicePeriod.parse("PT30S"));
        assertEquals(Duration.ofDays(7), DevicePeriod.parse("P7D"));
        for (String bad : List.of("", "30s", "30", "PT0.999S", "PT0S", "-PT30S", "P7DT0.001S", "P8D", "P1W", "PT30S ")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DevicePeriod.parse(bad), bad);
            assertEquals("period must be an ISO-8601 duration from PT1S to 7 days, e.g. PT30S", e.getMessage());
        }
    }

    @Test
    void thePeriodIsTheEnrolledOneElseTheMedianIntervalElseTheDefault() {
        List<Instant> every10s = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            every10s.add(T.minusSeconds(10L * i));
        }
        // Enrolment wins over what the results suggest.
        assertEquals(new DevicePeriod(Duration.ofMinutes(5), DevicePeriod.Source.ENROLLED),
                DevicePeriod.of(Optional.of(Duration.ofMinutes(5)), every10s));
        assertEquals(new DevicePeriod(Duration.ofSeconds(10), DevicePeriod.Source.INFERRED),
                DevicePeriod.of(Optional.empty(), every10s));
        // The median: one long outage or a burst of retries does not move it.
        List<Instant> withOutage = new ArrayList<>(List.of(T, T.minusSeconds(10), T.minusSeconds(20), T.minusSeconds(3600),
                T.minusSeconds(3610), T.minusSeconds(3611), T.minusSeconds(3612)));
        assertEquals(Duration.ofSeconds(10), DevicePeriod.of(Optional.empty(), withOutage).period());
        // Two results are one interval: too few to infer from; so are equal times.
        assertEquals(new DevicePeriod(DevicePeriod.DEFAULT, DevicePeriod.Source.DEFAULT),
                DevicePeriod.of(Optional.empty(), List.of(T, T.minusSeconds(10))));
        assertEquals(DevicePeriod.Source.DEFAULT, DevicePeriod.of(Optional.empty(), List.of(T, T, T, T)).source());
        assertEquals(DevicePeriod.Source.DEFAULT, DevicePeriod.of(Optional.empty(), List.of()).source());
        // Only the newest results count, and the inferred period stays within the enrolment bounds.
        assertEquals(Duration.ofSeconds(1), DevicePeriod.of(Optional.empty(),
                List.of(T, T.minusMillis(100), T.minusMillis(200), T.minusMillis(300))).period());
        assertEquals(DevicePeriod.MAX, DevicePeriod.of(Optional.empty(),
                List.of(T, T.minus(Duration.ofDays(10)), T.minus(Duration.ofDays(20)))).period());
    }

    @Test
    void aDeviceIsNotSeenAfterThreeOfItsPeriodsWithoutAResult() {
        DevicePeriod fast = new DevicePeriod(Duration.ofSeconds(1), DevicePeriod.Source.ENROLLED);
        DevicePeriod slow = new DevicePeriod(Duration.ofDays(1), DevicePeriod.Source.ENROLLED);
        Instant now = T.plusSeconds(10);
        assertTrue(fast.notSeen(T, now));
        assertFalse(slow.notSeen(T, now));
        assertEquals(T.plusSeconds(3), fast.deadline(T));
        assertFalse(fast.notSeen(T, T.plusSeconds(3)));
        assertTrue(fast.notSeen(T, T.plusSeconds(3).plusMillis(1)));
        assertTrue(slow.notSeen(T, T.plus(Duration.ofDays(3)).plusMillis(1)));
    }
}
