package io.github.partitionmaven.testing;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.convert.ConvertPlanner;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A conversion in a JVM of its own, so a test can SIGKILL it: runs {@code partition:convert} for one
 * month-partitioned table and prints every engine log line, debug included, to stdout as it happens.
 * <p>
 * Arguments: JDBC URL, table, strategy, batch size, "now", lock timeout, application name (the sessions' name, so the test can
 * find them in pg_stat_activity), and optionally a hold marker: when a log line contains it, the line is printed, then
 * {@value #HELD} is printed and the run waits (inside that log call) for a line on stdin before going on. The user and
 * password come from the environment ({@code CONVERT_USER}, {@code CONVERT_PASSWORD}), never from the command line.
 */
public final class ConvertProcess {

    public static final String HELD = "HELD";
    public static final String DONE = "CONVERSION DONE";

    private ConvertProcess() {
    }

    public static void main(String[] args) {
        String url = args[0];
        String table = args[1];
        ConvertOptions.Strategy strategy = ConvertOptions.Strategy.valueOf(args[2]);
        int batchSize = Integer.parseInt(args[3]);
        String now = args[4];
        String lockTimeout = args[5];
        String applicationName = args[6];
        String hold = args.length > 7 ? args[7] : null;
        RunSettings settings = PolicyReader.settings("UTC", now, lockTimeout, 5, Clock.systemUTC());
        ConnectionSettings connection = new ConnectionSettings(url, System.getenv("CONVERT_USER"), System.getenv("CONVERT_PASSWORD"),
                Map.of("ApplicationName", applicationName));
        PartitionEngine engine = new PartitionEngine(connection, settings, PolicyReader.tables(List.of(Engines.month(table)), settings),
                List.of(new ConvertPlanner(ConvertOptions.DEFAULTS.withStrategy(strategy).withBatchSize(batchSize))), new PrintingLog(hold));
        engine.apply(Goal.CONVERT);
        print(DONE);
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Prints every line; holds once at the first line containing the marker. */
    private static final class PrintingLog implements EngineLog {
        private String hold;

        PrintingLog(String hold) {
            this.hold = hold;
        }

        @Override
        public void info(String message) {
            line("INFO " + message);
        }

        @Override
        public void warn(String message) {
            line("WARN " + message);
        }

        @Override
        public void debug(String message) {
            line("DEBUG " + message);
        }

        private void line(String line) {
            print(line);
            if (hold != null && line.contains(hold)) {
                hold = null;
                print(HELD);
                try {
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
