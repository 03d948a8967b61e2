package io.github.partitionmaven.check;

import static io.github.partitionmaven.check.CheckTest.check;
import static io.github.partitionmaven.check.CheckTest.withRetention;
import static io.github.partitionmaven.testing.Engines.month;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.policy.TableSpec;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DatabaseTest
class PrometheusFileTest {

    @TempDir
    Path dir;

    @Test
    void fileParsesBackToTheReportedFacts() throws IOException {
        TestDb db = TestDb.fresh(getClass());
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 1), YearMonth.of(2026, 12)).toArray(String[]::new));
        db.exec("CREATE TABLE chat_history_default PARTITION OF chat_history DEFAULT",
                "INSERT INTO users (email) VALUES ('a@b')",
                "INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'x', '2031-01-01')",
                "CREATE TABLE \"we\"\"ird\\name\" (id bigint, created_at date NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE \"we\"\"ird\\name_all\" PARTITION OF \"we\"\"ird\\name\" FOR VALUES FROM (MINVALUE) TO (MAXVALUE)");
        CheckReport report = check(db, CheckThresholds.DEFAULTS.withFailOn(EnumSet.of(Check.DEFAULT_ROWS)), withRetention("chat_history", "6 months"), month("cost_tracking"),
                new TableSpec("\"we\"\"ird\\name\"", "created_at", "month", null, null, null, null, null));
        Path file = dir.resolve("partition.prom");

        PrometheusFile.write(report, file);
        Exposition parsed = Exposition.parse(Files.readString(file));

        assertEquals(List.of("partition.prom"), fileNames(), "no temporary file left beside it");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                "0644: a node exporter running as another user reads it");
        String chat = "public.chat_history";
        String cost = "public.cost_tracking";
        String weird = "public.we\"ird\\name";
        TableHealth chatHealth = report.tables().get(0);
        assertEquals(2.0, parsed.value("pg_partition_check_status", chat), "default rows are in failOn");
        assertEquals(1.0, parsed.value("pg_partition_check_status", cost), "short coverage only warns");
        assertEquals(0.0, parsed.value("pg_partition_check_status", weird));
        assertEquals(chatHealth.coverage().orElseThrow().secondsAhead(), parsed.value("pg_partition_coverage_ahead_seconds", chat));
        assertEquals(1.0, parsed.value("pg_partition_coverage_ahead_intervals", chat), "December, past November");
        assertEquals(Double.POSITIVE_INFINITY, parsed.value("pg_partition_coverage_ahead_seconds", weird), "MAXVALUE");
        assertEquals(1.0, parsed.value("pg_partition_default_rows", chat));
        assertEquals(0.0, parsed.value("pg_partition_default_rows", cost));
        assertEquals(12.0, parsed.value("pg_partition_count", chat));
        assertEquals((double) chatHealth.largestPartitionBytes(), parsed.value("pg_partition_largest_bytes", chat));
        assertTrue(chatHealth.largestPartitionBytes() > 0);
        assertEquals(4.0, parsed.value("pg_partition_overdue_partitions", chat), "January to April end before 2026-05-24");
        assertEquals(0.0, parsed.value("pg_partition_overdue_partitions", cost), "no retention");
        assertEquals(1.0, parsed.value("pg_partition_check_findings", Map.of("table", chat, "check", "defaultRows")));
        assertEquals(0.0, parsed.value("pg_partition_check_findings", Map.of("table", cost, "check", "defaultRows")));
        assertEquals((double) report.checkedAt().getEpochSecond(), parsed.value("pg_partition_check_timestamp_seconds", Map.of()));
        for (String family : List.of("check_status", "coverage_ahead_seconds", "default_rows", "count", "largest_bytes",
                "overdue_partitions")) {
            assertEquals("gauge", parsed.types.get("pg_partition_" + family), family);
            assertTrue(parsed.helps.containsKey("pg_partition_" + family), family);
        }
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** A parser for the Prometheus text format, strict where the node exporter is: HELP and TYPE before a family's samples. */
    static final class Exposition {
        private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

        final Map<String, String> helps = new HashMap<>();
        final Map<String, String> types = new HashMap<>();
        final List<Sample> samples = new ArrayList<>();

        record Sample(String name, Map<String, String> labels, double value) {
        }

        static Exposition parse(String text) {
            Exposition e = new Exposition();
            assertTrue(text.endsWith("\n"), "the format ends lines with \\n");
            for (String line : text.split("\n")) {
                if (line.startsWith("# HELP ")) {
                    String[] p = line.substring(7).split(" ", 2);
                    assertEquals(null, e.helps.put(p[0], p[1]), "one HELP per family: " + p[0]);
                } else if (line.startsWith("# TYPE ")) {
                    String[] p = line.substring(7).split(" ", 2);
                    assertTrue(e.helps.containsKey(p[0]), "HELP before TYPE: " + p[0]);
                    assertEquals(null, e.types.put(p[0], p[1]), "one TYPE per family: " + p[0]);
                } else {
                    Matcher m = SAMPLE.matcher(line);
                    assertTrue(m.matches(), "not a sample line: " + line);
                    assertTrue(e.types.containsKey(m.group(1)), "TYPE before samples: " + line);
                    e.samples.add(new Sample(m.group(1), labels(m.group(2), line), value(m.group(3))));
                }
            }
            return e;
        }

        private static Map<String, String> labels(String text, String line) {
            Map<String, String> out = new LinkedHashMap<>();
            if (text == null) {
                return out;
            }
            Matcher m = LABEL.matcher(text);
            int end = 0;
            while (m.find() && m.start() == end) {
                out.put(m.group(1), unescape(m.group(2)));
                end = m.end();
            }
            assertEquals(text.length(), end, "unreadable labels: " + line);
            return out;
        }

        private static String unescape(String v) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                if (ch == '\\') {
                    char next = v.charAt(++i);
                    sb.append(next == 'n' ? '\n' : next);
                } else {
                    sb.append(ch);
                }
            }
            return sb.toString();
        }

        private static double value(String text) {
            return switch (text) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(text);
            };
        }

        double value(String name, String table) {
            return value(name, Map.of("table", table));
        }

        double value(String name, Map<String, String> labels) {
            List<Double> found = samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(labels)).map(Sample::value).toList();
            assertEquals(1, found.size(), name + labels + " in " + samples);
            return found.get(0);
        }
    }
}
