package io.github.partitionmaven.report;

import io.github.partitionmaven.core.AtomicFiles;
import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.Json;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.PlanFingerprint;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.core.Sql;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Renders a plan four ways: lines for the build log, a psql-runnable SQL script, JSON with the fingerprints an applying
 * goal checks ({@code -Dpartition.planFile}), and Markdown for a merge-request comment or a CI job summary.
 */
public final class PlanReport {

    private final PartitionPlan plan;
    private final String pluginVersion;

    public PlanReport(PartitionPlan plan, String pluginVersion) {
        this.plan = plan;
        this.pluginVersion = pluginVersion;
    }

    /** Writes the log lines: info lines to {@code info}, findings that need attention to {@code warn}. */
    public void print(Consumer<String> info, Consumer<String> warn) {
        info.accept("Partition plan for now = " + now() + " (" + plan.settings().zone() + "), PostgreSQL " + plan.server().version());
        for (TablePlan t : plan.tables()) {
            info.accept(header(t));
            int n = 0;
            for (Step s : t.steps()) {
                n++;
                info.accept(String.format("  %d. [%s] %s", n, s.goal().goalName(), s.action()));
                info.accept("     why:   " + s.reason());
                for (Lock l : s.locks()) {
                    info.accept("     lock:  " + l);
                }
                info.accept("     rows:  " + s.rows() + s.estimate().map(d -> ", estimated " + Durations.format(d)).orElse(""));
                String prefix = s.work().isPresent() ? "     runs:  " : "     sql:   ";
                for (String sql : s.statements()) {
                    info.accept(prefix + sql + (s.work().isPresent() ? "" : ";"));
                    prefix = "            ";
                }
            }
            for (Finding f : t.findings()) {
                (f.severity() == Finding.Severity.WARNING ? warn : info).accept("  " + (f.severity() == Finding.Severity.WARNING
                        ? "warning: " : "note: ") + f.message());
            }
        }
        long steps = plan.steps().size();
        info.accept(steps == 0 ? "Everything is up to date: nothing to do." : steps + " step(s) in total.");
    }

    /** After an applying goal: what was done per table, and what still needs attention. */
    public void printApplied(String goal, Consumer<String> info, Consumer<String> warn) {
        for (TablePlan t : plan.tables()) {
            info.accept(t.state().name() + ": " + (t.steps().isEmpty() ? "up to date" : t.steps().size() + " step(s) done"));
            t.findings().stream().filter(f -> f.severity() == Finding.Severity.WARNING).forEach(f -> warn.accept("  warning: " + f.message()));
        }
        long steps = plan.steps().size();
        info.accept(steps == 0 ? "Everything is up to date: nothing to do." : goal + ": " + steps + " step(s) done.");
    }

    private String now() {
        return plan.settings().now().toOffsetDateTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    private static String header(TablePlan t) {
        TableState s = t.state();
        String shape = switch (s.kind()) {
            case PARTITIONED -> "partitioned by range on " + t.policy().column() + ", " + s.partitions().size() + " partition(s)"
                    + s.defaultPartition().map(d -> " + default").orElse("") + ", ~" + Durations.bytes(s.totalBytes());
            case PLAIN -> "plain table, ~" + s.estimatedRows() + " rows, ~" + Durations.bytes(s.totalBytes());
            default -> s.kind().name().toLowerCase(java.util.Locale.ROOT);
        };
        return s.name() + " (" + shape + ")" + (t.steps().isEmpty() ? ": up to date" : ":");
    }

    /** The exact statements, in order, as a script psql can run: {@code psql -v ON_ERROR_STOP=1 -f plan.sql}. */
    public String sql() {
        StringBuilder sb = new StringBuilder();
        sb.append("-- partition-maven-plugin ").append(pluginVersion).append(" plan, written ").append(Instant.now()).append('\n');
        sb.append("-- now = ").append(now()).append(", zone = ").append(plan.settings().zone())
                .append(", server PostgreSQL ").append(plan.server().version()).append('\n');
        sb.append("-- Run with: psql -v ON_ERROR_STOP=1 -f plan.sql\n");
        sb.append("SET TIME ZONE ").append(Sql.literal(plan.settings().zone().getId())).append(";\n");
        sb.append("SET lock_timeout = ").append(Sql.literal(plan.settings().lockTimeout().toMillis() + "ms")).append(";\n");
        if (plan.isEmpty()) {
            sb.append("-- Everything is up to date: nothing to do.\n");
        }
        for (Step s : plan.steps()) {
            sb.append("\n-- [").append(s.goal().goalName()).append("] ").append(oneLine(s.table() + ": " + s.action())).append('\n');
            sb.append("-- why: ").append(oneLine(s.reason())).append('\n');
            for (Lock l : s.locks()) {
                sb.append("-- lock: ").append(l).append('\n');
            }
            sb.append("-- rows: ").append(s.rows()).append('\n');
            if (s.work().isPresent()) {
                sb.append("-- performed by the plugin itself (not plain SQL); it runs:\n");
                s.statements().forEach(st -> sb.append("--   ").append(oneLine(st)).append('\n'));
                continue;
            }
            if (s.transactional()) {
                sb.append("BEGIN;\n");
            }
            s.statements().forEach(st -> sb.append(st).append(";\n"));
            if (s.transactional()) {
                sb.append("COMMIT;\n");
            }
        }
        return sb.toString();
    }

    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("pluginVersion", pluginVersion);
        root.put("generatedAt", Instant.now().toString());
        root.put("now", now());
        root.put("zone", plan.settings().zone().getId());
        root.put("server", plan.server().version());
        root.put("upToDate", plan.isEmpty());
        root.put("fingerprint", fingerprint());
        List<Object> tables = new ArrayList<>();
        for (TablePlan t : plan.tables()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("table", t.state().name().sql());
            tm.put("kind", t.state().kind().name().toLowerCase(java.util.Locale.ROOT));
            List<Object> steps = new ArrayList<>();
            for (Step s : t.steps()) {
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("goal", s.goal().goalName());
                sm.put("action", s.action());
                sm.put("reason", s.reason());
                sm.put("locks", s.locks().stream().map(l -> pair("relation", l.relation().sql(), "mode", l.mode().sqlName())).toList());
                sm.put("rows", s.rows());
                sm.put("transactional", s.transactional());
                sm.put("performedByPlugin", s.work().isPresent());
                s.estimate().ifPresent(d -> sm.put("estimatedMillis", d.toMillis()));
                sm.put("sql", s.statements());
                sm.put("dependsOn", PlanFingerprint.facts(s, t.state()).reads());
                steps.add(sm);
            }
            tm.put("steps", steps);
            Map<String, Object> fingerprints = new LinkedHashMap<>();
            Goal.POLICY_GOALS.forEach(g -> fingerprints.put(g.goalName(), PlanFingerprint.of(t, g)));
            tm.put("fingerprints", fingerprints);
            tm.put("findings", t.findings().stream().map(f -> pair("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT),
                    "message", f.message())).toList());
            tables.add(tm);
        }
        root.put("tables", tables);
        return Json.write(root);
    }

    /** Two keys in this order (Map.of's order changes from one JVM to the next, and plan.json with it). */
    private static Map<String, Object> pair(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    /** One SHA-256 over the per-table, per-goal fingerprints, in plan order: what a reviewer quotes. */
    public String fingerprint() {
        List<String> parts = new ArrayList<>();
        for (TablePlan t : plan.tables()) {
            Goal.POLICY_GOALS.forEach(g -> parts.add(t.state().name().sql() + " " + g.goalName() + " " + PlanFingerprint.of(t, g)));
        }
        return PlanFingerprint.sha256(parts);
    }

    /** The plan as GitHub/GitLab Markdown: a summary table of the steps, the findings, and the SQL folded away. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        long steps = plan.steps().size();
        sb.append("### Partition plan: ").append(steps == 0 ? "everything is up to date" : steps + " step(s)").append("\n\n");
        sb.append("now = `").append(now()).append("` (").append(plan.settings().zone()).append("), PostgreSQL ")
                .append(plan.server().version()).append(", fingerprint `").append(fingerprint(), 0, 16)
                .append("`. Apply exactly this plan with `-Dpartition.planFile=target/partition/plan.json`.\n\n");
        if (steps > 0) {
            sb.append("| # | table | goal | step | locks | rows |\n|---:|---|---|---|---|---:|\n");
            int n = 0;
            for (Step s : plan.steps()) {
                sb.append("| ").append(++n).append(" | `").append(cell(s.table().toString())).append("` | ").append(s.goal().goalName())
                        .append(" | ").append(cell(s.action())).append(" | ")
                        .append(cell(String.join(", ", s.locks().stream().map(l -> l.mode().sqlName() + " on " + l.relation()).toList())))
                        .append(" | ").append(s.rows()).append(" |\n");
            }
            sb.append('\n');
        }
        List<String> findings = new ArrayList<>();
        for (TablePlan t : plan.tables()) {
            t.findings().forEach(f -> findings.add("- " + (f.severity() == Finding.Severity.WARNING ? "**warning** " : "note ")
                    + "`" + t.state().name() + "`: " + f.message().replace('\n', ' ')));
        }
        if (!findings.isEmpty()) {
            sb.append(String.join("\n", findings)).append("\n\n");
        }
        if (steps > 0) {
            sb.append("<details><summary>SQL of every step</summary>\n\n```sql\n").append(sql().replace("```", "` ` `"))
                    .append("```\n\n</details>\n");
        }
        return sb.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace('\n', ' ');
    }

    /** Writes {@code plan.sql}, {@code plan.json} and {@code plan.md} into {@code directory}. */
    public void writeTo(Path directory) throws IOException {
        AtomicFiles.write(directory.resolve("plan.sql"), sql());
        AtomicFiles.write(directory.resolve("plan.json"), json());
        AtomicFiles.write(directory.resolve("plan.md"), markdown());
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }
}
