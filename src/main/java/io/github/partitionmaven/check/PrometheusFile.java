package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The check in the Prometheus text exposition format, for the node exporter's textfile collector:
 * one gauge family per fact, labelled by table ({@code schema.table}) and, for a fleet of databases, by
 * {@code database} too: one file for all of them, each family's HELP and TYPE once (the format allows a
 * family only once per file). Written atomically, so the collector never reads half a file.
 */
public final class PrometheusFile {

    public static final String PREFIX = "pg_partition_";

    /** The report of one database; {@code database} is null for a single-database run (no label). */
    private record Labelled(String database, CheckReport report, TableHealth table) {
    }

    private final Map<String, CheckReport> reports;
    private final StringBuilder out = new StringBuilder();

    private PrometheusFile(Map<String, CheckReport> reports) {
        this.reports = reports;
    }

    public static String render(CheckReport report) {
        Map<String, CheckReport> one = new LinkedHashMap<>();
        one.put(null, report);
        return new PrometheusFile(one).render();
    }

    /** One file for the reports of several databases, keyed by the label each metric carries as {@code database}. */
    public static String render(Map<String, CheckReport> byDatabase) {
        return new PrometheusFile(new LinkedHashMap<>(byDatabase)).render();
    }

    public static void write(CheckReport report, Path file) throws IOException {
        // 0644: the node exporter's textfile collector usually runs as another user
        AtomicFiles.write(file, render(report), AtomicFiles.READABLE);
    }

    public static void write(Map<String, CheckReport> byDatabase, Path file) throws IOException {
        AtomicFiles.write(file, render(byDatabase));
    }

    private String render() {
        List<Labelled> all = new java.util.ArrayList<>();
        reports.forEach((db, r) -> r.tables().forEach(t -> all.add(new Labelled(db, r, t))));
        List<Labelled> partitioned = all.stream().filter(l -> l.table().partitioned()).toList();
        header("check_status", "Verdict of partition:check per table: 0 ok, 1 warnings only, 2 a failOn check tripped.");
        for (Labelled l : all) {
            sample("check_status", labels(l), l.table().status(l.report().thresholds()).metricValue());
        }
        header("check_findings", "Findings per table and check (the check label is a failOn name).");
        for (Labelled t : all) {
            for (Check c : Check.values()) {
                Map<String, String> labels = new LinkedHashMap<>(labels(t));
                labels.put("check", c.configName());
                sample("check_findings", labels, t.table().count(c));
            }
        }
        family("coverage_ahead_seconds", "Seconds from now until the first instant no partition covers (+Inf past a MAXVALUE bound).",
                partitioned, t -> t.coverage().orElseThrow().secondsAhead());
        family("coverage_ahead_intervals", "Whole intervals of partitions past the current one.",
                partitioned.stream().filter(t -> !t.table().coverage().orElseThrow().unbounded()).toList(),
                t -> (double) t.coverage().orElseThrow().intervalsAhead());
        family("default_rows", "Rows in the default partition (0 without one).", partitioned, t -> (double) t.defaultRows());
        family("count", "Range partitions, the default partition not counted.", partitioned, t -> (double) t.partitionCount());
        family("largest_bytes", "Size on disk of the largest partition, indexes and TOAST included.", partitioned,
                t -> (double) t.largestPartitionBytes());
        family("overdue_partitions", "Partitions past the table's retention, still attached.", partitioned,
                t -> (double) t.overdue().size());
        family("detach_pending_partitions", "Partitions left detach-pending by an interrupted DETACH CONCURRENTLY.", partitioned,
                t -> (double) t.detachPending().size());
        family("table_bytes", "Size on disk of the table and all its partitions.", all, t -> (double) t.state().totalBytes());
        family("table_estimated_rows", "Rows in the table by the planner's estimate (reltuples).", all,
                t -> (double) (t.partitioned() ? t.state().partitions().stream().mapToLong(p -> p.estimatedRows()).sum()
                        + t.defaultRows() : t.state().estimatedRows()));
        family("slow_statements", "Statements on the table whose mean time is over slowStatementThreshold.", all,
                t -> (double) t.count(Check.SLOW_STATEMENTS));
        header("check_timestamp_seconds", "When partition:check last ran, in Unix seconds.");
        reports.forEach((db, r) -> sample("check_timestamp_seconds", db == null ? Map.of() : Map.of("database", db),
                r.checkedAt().getEpochSecond()));
        return out.toString();
    }

    private void family(String name, String help, List<Labelled> tables, Function<TableHealth, Double> value) {
        header(name, help);
        for (Labelled t : tables) {
            sample(name, labels(t), value.apply(t.table()));
        }
    }

    private void header(String name, String help) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(" gauge\n");
    }

    private void sample(String name, Map<String, String> labels, double value) {
        out.append(PREFIX).append(name);
        if (!labels.isEmpty()) {
            out.append('{');
            String sep = "";
            for (Map.Entry<String, String> e : labels.entrySet()) {
                out.append(sep).append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
                sep = ",";
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    private static Map<String, String> labels(Labelled t) {
        TableName n = t.table().state().name();
        Map<String, String> labels = new LinkedHashMap<>();
        if (t.database() != null) {
            labels.put("database", t.database());
        }
        labels.put("table", n.schema() + "." + n.name());
        return labels;
    }

    static String number(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
