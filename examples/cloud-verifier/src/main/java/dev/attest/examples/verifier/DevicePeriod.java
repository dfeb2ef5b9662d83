package dev.attest.examples.verifier;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * How often a device is expected to send evidence, and whether it has gone quiet. A device's
 * period is the one given at enrolment ({@code "period"} in {@code POST /v1/devices}), else the
 * median interval between its recent results, else {@link #DEFAULT}. A device is <em>not seen</em>
 * when no result arrived within {@link #MISSED} periods of its last one (or of its enrolment, if
 * it never sent any): two periods late is a network hiccup, three a device to look at.
 */
record DevicePeriod(Duration period, Source source) {
    /** The shortest period accepted at enrolment. */
    static final Duration MIN = Duration.ofSeconds(1);
    /** The longest period accepted at enrolment. */
    static final Duration MAX = Duration.ofDays(7);
    /** The period of a device that gave none and has too few results to infer one: the agent's default. */
    static final Duration DEFAULT = Duration.ofSeconds(30);
    /** How many periods without a result make a device "not seen". */
    static final int MISSED = 3;
    /** How many of a device's newest results the period is inferred from. */
    static final int INFER_FROM = 8;

    /** Where a device's period comes from. */
    enum Source {
        /** Given at enrolment. */
        ENROLLED,
        /** The median interval of the device's recent results. */
        INFERRED,
        /** {@link #DEFAULT}. */
        DEFAULT;

        String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The period an enrolment request gives, strictly: an ISO-8601 duration ({@code PT30S},
     * {@code PT5M}) from {@link #MIN} to {@link #MAX}.
     *
     * @throws IllegalArgumentException with the message the API returns, if it is not one
     */
    static Duration parse(String text) {
        String rule = "period must be an ISO-8601 duration from " + MIN + " to " + MAX.toDays() + " days, e.g. PT30S";
        Duration d;
        try {
            d = Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(rule);
        }
        if (d.compareTo(MIN) < 0 || d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(rule);
        }
        return d;
    }

    /**
     * The period of a device: {@code enrolled} if given, else the median of the positive intervals
     * between {@code recent} result times (at least three results, at most {@link #INFER_FROM},
     * clamped to {@link #MIN}..{@link #MAX}), else {@link #DEFAULT}.
     */
    static DevicePeriod of(Optional<Duration> enrolled, List<Instant> recent) {
        if (enrolled.isPresent()) {
            return new DevicePeriod(enrolled.get(), Source.ENROLLED);
        }
        List<Instant> times = new ArrayList<>(recent.subList(0, Math.min(recent.size(), INFER_FROM)));
        Collections.sort(times);
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            Duration g = Duration.between(times.get(i - 1), times.get(i));
            if (!g.isZero()) {
                gaps.add(g);
            }
        }
        if (gaps.size() < 2) {
            return new DevicePeriod(DEFAULT, Source.DEFAULT);
        }
        Collections.sort(gaps);
        Duration median = gaps.get(gaps.size() / 2);
        if (median.compareTo(MIN) < 0) {
            median = MIN;
        } else if (median.compareTo(MAX) > 0) {
            median = MAX;
        }
        return new DevicePeriod(median, Source.INFERRED);
    }

    /** The moment after which a device last heard from at {@code since} is not seen. */
    Instant deadline(Instant since) {
        return since.plus(period.multipliedBy(MISSED));
    }

    /** Whether a device last heard from at {@code since} (its last result, else its enrolment) is not seen at {@code now}. */
    boolean notSeen(Instant since, Instant now) {
        return now.isAfter(deadline(since));
    }
}
