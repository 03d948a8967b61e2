package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Durations;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** The check as a readable table in the build log: per table its partitions, coverage, findings and slow statements. */
public final class CheckLogReport {

    /** Past this many partitions the log shows the newest ones and those with findings; check.json has all. */
    static final int MAX_LISTED = 36;
    private static final int NEWEST_LISTED = 24;

    private final CheckReport report;

    public CheckLogReport(CheckReport report) {
        this.report = report;
    }

    /** Info lines to {@code info}; findings to {@code warn}, failing ones marked FAIL. */
    public void print(Consumer<String> info, Consumer<String> warn) {
        info.accept("Partition check for now = " + report.settings().now().toOffsetDateTime() + " (" + report.settings().zone()
                + "), PostgreSQL " + report.server().version());
        for (TableHealth t : report.tables()) {
            info.accept("");
            info.accept(header(t));
            if (t.partitioned()) {
                partitions(t, info);
                facts(t, info);
            }
            statements(t, info);
            for (HealthFinding f : t.findings()) {
                warn.accept("  " + (report.thresholds().fails(f.check()) ? "FAIL " : "WARN ") + f.check() + ": " + f.message()
                        + ". Fix: " + f.remedy() + ".");
            }
        }
        info.accept("");
        if (!report.statements().available()) {
            info.accept(report.statements().note() + ".");
        }
        info.accept(summary());
    }

    /** Why the goal fails: each failing finding with its fix. */
    public static String failureMessage(CheckReport report) {
        StringBuilder sb = new StringBuilder("partition:check failed on " + failedCheckNames(report) + " (failOn):");
        report.failures().forEach(f -> sb.append("\n  ").append(f.table()).append(": ").append(f.message()).append(". Fix: ")
                .append(f.remedy()).append('.'));
        return sb.toString();
    }

    private static String failedCheckNames(CheckReport report) {
        return String.join(", ", report.failedChecks().stream().map(Check::configName).toList());
    }

    private String header(TableHealth t) {
        TableState s = t.state();
        String shape = t.partitioned()
                ? "partitioned by " + t.policy().interval().unit() + " on " + t.policy().column() + ", " + s.partitions().size()
                + " partition(s)" + s.defaultPartition().map(d -> " + default").orElse("")
                : "plain table, ~" + s.estimatedRows() + " rows (estimate), partitioning recommended from "
                + report.thresholds().partitioningRowThreshold() + " rows";
        return s.name() + " (" + shape + ", " + Durations.bytes(s.totalBytes()) + "): " + t.status(report.thresholds());
    }

    private void partitions(TableHealth t, Consumer<String> info) {
        KeyType keyType = t.state().keyType();
        ZoneId zone = report.settings().zone();
        Map<TableName, List<String>> flags = partitionFlags(t);
        List<PartitionInfo> all = new ArrayList<>(t.state().partitions());
        t.state().defaultPartition().ifPresent(all::add);
        List<PartitionInfo> shown = all;
        if (all.size() > MAX_LISTED) {
            int newestFrom = t.state().partitions().size() - NEWEST_LISTED;
            shown = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                if (i >= newestFrom || flags.containsKey(all.get(i).name())) {
                    shown.add(all.get(i));
                }
            }
        }
        int nameWidth = Math.max(9, shown.stream().mapToInt(p -> p.name().name().length()).max().orElse(0));
        int boundWidth = Math.max(4, shown.stream().filter(p -> !p.isDefault())
                .mapToInt(p -> keyType.display(p.lower(), zone).length()).max().orElse(0));
        String format = "  %-" + nameWidth + "s  %-" + boundWidth + "s  %-" + boundWidth + "s  %12s  %10s  %s";
        info.accept(String.format(Locale.ROOT, format, "partition", "from", "to", "est. rows", "size", "").stripTrailing());
        for (PartitionInfo p : shown) {
            String from = p.isDefault() ? "DEFAULT" : keyType.display(p.lower(), zone);
            String to = p.isDefault() ? "" : keyType.display(p.upper(), zone);
            long rows = p.isDefault() ? t.defaultRows() : p.estimatedRows();
            info.accept(String.format(Locale.ROOT, format, p.name().name(), from, to, rows, Durations.bytes(p.bytes()),
                    String.join(", ", flags.getOrDefault(p.name(), List.of()))).stripTrailing());
        }
        if (shown.size() < all.size()) {
            info.accept("  ... " + (all.size() - shown.size()) + " older partition(s) without findings not shown (all are in check.json)");
        }
    }

    /** What the findings say about single partitions, for the last column of the table. */
    private static Map<TableName, List<String>> partitionFlags(TableHealth t) {
        Map<TableName, List<String>> out = new HashMap<>();
        for (HealthFinding f : t.findings()) {
            if (f instanceof OversizedPartition o) {
                out.computeIfAbsent(o.partition(), k -> new ArrayList<>()).add("over " + Durations.bytes(o.limitBytes()));
            } else if (f instanceof DetachPendingPartition d) {
                out.computeIfAbsent(d.partition(), k -> new ArrayList<>()).add("detach pending");
            } else if (f instanceof MisalignedPartition m) {
                out.computeIfAbsent(m.partition(), k -> new ArrayList<>()).add("not aligned");
            } else if (f instanceof DefaultPartitionRows r) {
                out.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add("rows in default");
            } else if (f instanceof OverdueRetention r) {
                r.partitions().forEach(p -> out.computeIfAbsent(p, k -> new ArrayList<>()).add("past retention"));
            } else if (f instanceof ReplicaIdentityDrift r) {
                r.partitions().forEach(p -> out.computeIfAbsent(p, k -> new ArrayList<>()).add("other replica identity"));
            }
        }
        return out;
    }

    private void facts(TableHealth t, Consumer<String> info) {
        Coverage c = t.coverage().orElseThrow();
        String unit = t.policy().interval().unit();
        if (c.unbounded()) {
            info.accept("  coverage ahead: unbounded (a partition reaches MAXVALUE)");
        } else if (c.coversNow()) {
            info.accept("  coverage ahead: " + c.intervalsAhead() + " " + unit + "(s) past the current one, until " + c.untilText()
                    + " (" + ahead(c.secondsAhead()) + " from now; required: "
                    + report.thresholds().minCoverageIntervals() + ")");
        } else {
            info.accept("  coverage ahead: none, no partition holds now (" + c.nowText() + ")");
        }
        info.accept("  largest partition: " + Durations.bytes(t.largestPartitionBytes()) + "; default partition: "
                + t.state().defaultPartition().map(d -> d.name().name() + ", " + t.defaultRows() + " row(s)").orElse("none")
                + "; detach-pending: " + t.detachPending().size() + "; past retention: "
                + t.policy().retention().map(r -> t.overdue().size() + " (retention " + r.period() + ")").orElse("no retention set"));
    }

    private static String ahead(double seconds) {
        return seconds >= 2 * 86_400 ? String.format(Locale.ROOT, "%.1f days", seconds / 86_400)
                : Durations.format(java.time.Duration.ofSeconds((long) seconds));
    }

    private void statements(TableHealth t, Consumer<String> info) {
        if (t.statements().isEmpty()) {
            return;
        }
        double limit = report.thresholds().slowStatementThreshold().toNanos() / 1_000_000.0;
        info.accept("  slowest statements (pg_stat_statements, by mean time):");
        for (StatementStats s : t.statements()) {
            info.accept(String.format(Locale.ROOT, "    %s mean %10.1f ms  max %10.1f ms  calls %8d  %s",
                    s.meanMillis() > limit ? "SLOW" : "    ", s.meanMillis(), s.maxMillis(), s.calls(), s.shortQuery()));
        }
    }

    private String summary() {
        List<HealthFinding> failures = report.failures();
        int warnings = report.warnings().size();
        String checked = report.tables().size() + " table(s) checked in " + report.elapsed().toMillis() + " ms";
        if (failures.isEmpty() && warnings == 0) {
            return checked + ": all healthy.";
        }
        return checked + ": " + failures.size() + " failure(s)" + (failures.isEmpty() ? "" : " (" + failedCheckNames(report) + ")")
                + ", " + warnings + " warning(s)" + (report.thresholds().failOn().isEmpty() ? " (failOn=none: report only, nothing fails the build)" : "")
                + ".";
    }
}
