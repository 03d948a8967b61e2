package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.policy.EpochUnit;
import io.github.partitionmaven.policy.TablePolicy;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Does an epoch column hold what {@code <epochUnit>} says? Milliseconds read as seconds put today's rows in the year 57,900
 * (1764547200000 s), seconds read as milliseconds in January 1970 (1764547200 ms = 1970-01-21): either way every row would
 * land in one absurd partition, or be refused as "past the premake window" with a misleading message. The convert catalog
 * read's min/max (already in micros) tell: the newest row must lie between 1971 and 2200 in the configured unit.
 */
final class EpochValues {

    /** 1971-01-01 and 2200-01-01 UTC in micros: the newest row of a time-ordered table lies between them. */
    static final long EARLIEST = Instant.parse("1971-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;
    static final long LATEST = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;

    private EpochValues() {
    }

    static void require(TablePolicy policy, TableState state, ConvertFacts.KeyStats stats) {
        KeyType type = state.keyType();
        if (!type.epoch() || stats.max().isEmpty()) {
            return;
        }
        long max = stats.max().get();
        if (max >= EARLIEST && max < LATEST) {
            return;
        }
        EpochUnit configured = type.unit().orElseThrow();
        String unit = "<epochUnit>" + configured.configName() + "</epochUnit>";
        String what = "The newest " + Sql.ident(policy.column()) + " of " + state.name();
        if (max >= KeyType.MAX - 1) {
            // held at the bigint end by the read: more than 9.2e18 micros, past the year 294,000 in this unit
            throw PartitionException.configuration(what + " read as " + configured.configName() + " lies past the year 294,000: the column"
                    + " counts a finer unit than " + unit + " says" + (configured == EpochUnit.MICROSECONDS ? " (nanoseconds are not"
                    + " supported: partition by a bigint of microseconds or a timestamptz column)." : ". Set <epochUnit>microseconds"
                    + "</epochUnit> if it counts microseconds."));
        }
        long raw = max / type.unitMicros();
        Optional<EpochUnit> fits = java.util.Arrays.stream(EpochUnit.values())
                .filter(u -> Math.abs((double) raw * u.micros()) < Long.MAX_VALUE)
                .filter(u -> raw * u.micros() >= EARLIEST && raw * u.micros() < LATEST)
                .findFirst();
        throw PartitionException.configuration(what + " is " + raw + ", which as " + configured.configName() + " is " + readable(max)
                + ": not the time of a current row. " + fits.map(u -> "As " + u.configName() + " it is " + readable(raw * u.micros())
                + ": set <epochUnit>" + u.configName() + "</epochUnit> in its <table>.").orElse("In no unit (seconds, milliseconds,"
                + " microseconds) does it fall between 1971 and 2200: check <column> and the values it holds."));
    }

    private static String readable(long micros) {
        Instant i = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L));
        int year = i.atOffset(ZoneOffset.UTC).getYear();
        return year > 9999 ? "in the year " + String.format(java.util.Locale.ROOT, "%,d", year)
                : i.atOffset(ZoneOffset.UTC).toLocalDateTime().toString().replace('T', ' ') + " UTC";
    }
}
