package io.github.partitionmaven.policy;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * How a run behaves, apart from the tables: the zone every session is pinned to, the moment the
 * run treats as now, and how DDL waits for locks.
 */
public record RunSettings(ZoneId zone, ZonedDateTime now, Duration lockTimeout, int maxAttempts, boolean allowFarNow) {

    public RunSettings(ZoneId zone, ZonedDateTime now, Duration lockTimeout, int maxAttempts) {
        this(zone, now, lockTimeout, maxAttempts, false);
    }

    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMillis(500);
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    public RunSettings {
        now = now.withZoneSameInstant(zone);
    }
}
