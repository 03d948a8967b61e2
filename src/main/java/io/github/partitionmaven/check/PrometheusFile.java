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
 * one gauge family per fact, labelled by table ({@code schema.table}). Written atomically, so the
 * collector never reads half a file.
 */
public final class PrometheusFile {

    public static final String PREFIX = "pg_partition_";

    private final CheckReport report;
    private final StringBuilder out = new StringBuilder();

    private PrometheusFile(CheckReport report) {
        this.report = report;
    }

    public static String render(CheckReport report) {
        return new PrometheusFile(report).render();
    }

    public static void write(CheckReport report, Path file) throws IOException {
        // 0644: the node exporter's textfile collector usually runs as another user
        AtomicFiles.write(file, render(report), AtomicFiles.READABLE);
    }

    private String render() {
        List<TableHealth> all = report.tables();
        List<TableHealth> partitioned = all.stream().filter(TableHealth::partitioned).toList();
        family("check_status", "Verdict of partition:check per table: 0 ok, 1 warnings only, 2 a failOn check tripped.", all,
                t -> (double) t.status(report.thresholds()).metricValue());
        header("check_findings", "Findings per table and check (the check label is a failOn name).");
        for (TableHealth t : all) {
            for (Check c : Check.values()) {
                Map<String, String> labels = new LinkedHashMap<>(labels(t));
                labels.put("check", c.configName());
                sample("check_findings", labels, t.count(c));
            }
        }
        family("coverage_ahead_seconds", "Seconds from now until the first instant no partition covers (+Inf past a MAXVALUE bound).",
                partitioned, t -> t.coverage().orElseThrow().secondsAhead());
        family("coverage_ahead_intervals", "Whole intervals of partitions past the current one.",
                partitioned.stream().filter(t -> !t.coverage().orElseThrow().unbounded()).toList(),
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
        sample("check_timestamp_seconds", Map.of(), report.checkedAt().getEpochSecond());
        return out.toString();
    }

    private void family(String name, String help, List<TableHealth> tables, Function<TableHealth, Double> value) {
        header(name, help);
        for (TableHealth t : tables) {
            sample(name, labels(t), value.apply(t));
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

    private static Map<String, String> labels(TableHealth t) {
        TableName n = t.state().name();
        return Map.of("table", n.schema() + "." + n.name());
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
