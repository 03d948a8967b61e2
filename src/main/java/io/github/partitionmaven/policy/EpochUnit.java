package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.util.Locale;

/**
 * What an integer time column counts since 1970-01-01 00:00:00 UTC ({@code <epochUnit>}). Keycloak and Matrix Synapse
 * store milliseconds in bigint, PowerDNS seconds in integer; pg_partman's {@code epoch} option offers the same three.
 */
public enum EpochUnit {
    SECONDS(1_000_000L),
    MILLISECONDS(1_000L),
    MICROSECONDS(1L);

    private final long micros;

    EpochUnit(long micros) {
        this.micros = micros;
    }

    /** Microseconds in one unit. */
    public long micros() {
        return micros;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads {@code seconds}, {@code milliseconds} or {@code microseconds} (and s, ms, us); null or blank: not set. */
    public static EpochUnit parse(String text, TableName table) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "seconds", "second", "s" -> SECONDS;
            case "milliseconds", "millisecond", "millis", "ms" -> MILLISECONDS;
            case "microseconds", "microsecond", "micros", "us" -> MICROSECONDS;
            default -> throw PartitionException.configuration("Unknown <epochUnit>" + text + "</epochUnit> for table " + table
                    + ": use seconds, milliseconds or microseconds (what the integer column counts since 1970-01-01 UTC)."
                   );
        };
    }
}
