package io.github.partitionmaven.testing;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableSpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Builds engines for tests, with a log that remembers what it was told. */
public final class Engines {

    private Engines() {
    }

    public static TableSpec month(String table) {
        return new TableSpec(table, "created_at", "month", null, null, null, null, null);
    }

    public static TableSpec spec(String table, String column, String interval, Integer premake) {
        return new TableSpec(table, column, interval, premake, null, null, null, null);
    }

    public static PartitionEngine engine(TestDb db, String now, String zone, TableSpec... tables) {
        return engine(db, now, zone, new RecordingLog(), tables);
    }

    public static PartitionEngine engine(TestDb db, String now, String zone, EngineLog log, TableSpec... tables) {
        RunSettings settings = PolicyReader.settings(zone, now, "300ms", 3, Clock.systemUTC());
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(Arrays.asList(tables), settings), log);
    }

    /** An engine with the given planners (goal options other than the defaults). */
    public static PartitionEngine engine(TestDb db, String now, String zone, EngineLog log, List<io.github.partitionmaven.plan.Planner> planners,
                                         TableSpec... tables) {
        RunSettings settings = PolicyReader.settings(zone, now, "300ms", 3, Clock.systemUTC());
        return new PartitionEngine(db.settings(), settings, PolicyReader.tables(Arrays.asList(tables), settings), planners, log);
    }

    /** An engine log that keeps every line, for assertions on what the user is told. */
    public static final class RecordingLog implements EngineLog {
        public final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void info(String message) {
            lines.add("INFO " + message);
        }

        @Override
        public void warn(String message) {
            lines.add("WARN " + message);
        }

        @Override
        public void debug(String message) {
        }

        public String text() {
            return String.join("\n", lines);
        }
    }
}
