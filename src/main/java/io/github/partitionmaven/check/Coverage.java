package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.Interval;
import io.github.partitionmaven.policy.RunSettings;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * How far partitions exist contiguously from now: {@code untilMicros} is where the first missing
 * range starts (now itself when no partition holds now). A detach-pending partition covers nothing,
 * because inserts into its range fail. {@code intervalsAhead} counts whole intervals past the current one.
 */
public record Coverage(KeyType keyType, ZoneId zone, long nowMicros, long untilMicros, int intervalsAhead) {

    /** Intervals counted at most; a MAXVALUE bound counts as unbounded. */
    private static final int MAX_COUNTED = 100_000;

    public static Coverage of(TableState state, Interval interval, RunSettings settings) {
        KeyType keyType = state.keyType();
        ZoneId zone = settings.zone();
        long now = keyType.micros(settings.now());
        long until = now;
        for (PartitionInfo p : state.partitions()) {
            if (!p.detachPending() && p.lower() <= until && p.upper() > until) {
                until = p.upper();
            }
        }
        int intervals = 0;
        if (until == KeyType.MAX) {
            intervals = Integer.MAX_VALUE;
        } else if (until > now) {
            LocalDate current = interval.floor(settings.now().toLocalDate());
            while (intervals < MAX_COUNTED && keyType.micros(interval.plus(current, intervals + 2L), zone) <= until) {
                intervals++;
            }
        }
        return new Coverage(keyType, zone, now, until, intervals);
    }

    public boolean coversNow() {
        return untilMicros > nowMicros;
    }

    public boolean unbounded() {
        return untilMicros == KeyType.MAX;
    }

    /** Seconds from now to the end of coverage; infinite past a MAXVALUE bound. */
    public double secondsAhead() {
        return unbounded() ? Double.POSITIVE_INFINITY : (untilMicros - nowMicros) / 1_000_000.0;
    }

    public String nowText() {
        return keyType.display(nowMicros, zone);
    }

    public String untilText() {
        return keyType.display(untilMicros, zone);
    }
}
