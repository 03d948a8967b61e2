package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.core.Json;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The check as {@code check.json}: every partition and finding, for tools and dashboards. */
public final class CheckJson {

    private CheckJson() {
    }

    public static String write(CheckReport report, String pluginVersion) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("pluginVersion", pluginVersion);
        root.put("checkedAt", report.checkedAt().toString());
        root.put("now", report.settings().now().toOffsetDateTime().toString());
        root.put("zone", report.settings().zone().getId());
        root.put("server", report.server().version());
        root.put("status", lower(report.status()));
        root.put("failedChecks", report.failedChecks().stream().map(Check::configName).toList());
        root.put("thresholds", thresholds(report.thresholds()));
        Map<String, Object> statements = new LinkedHashMap<>();
        statements.put("available", report.statements().available());
        statements.put("note", report.statements().note());
        root.put("slowStatements", statements);
        List<Object> tables = new ArrayList<>();
        for (TableHealth t : report.tables()) {
            tables.add(table(t, report));
        }
        root.put("tables", tables);
        return Json.write(root);
    }

    private static Map<String, Object> thresholds(CheckThresholds t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("maxPartitionBytes", t.maxPartitionBytes());
        m.put("minCoverageIntervals", t.minCoverageIntervals());
        m.put("maxDefaultRows", t.maxDefaultRows());
        m.put("partitioningThresholdRows", t.partitioningRowThreshold());
        m.put("slowStatementMillis", t.slowStatementThreshold().toMillis());
        m.put("failOn", t.failOn().stream().map(Check::configName).toList());
        return m;
    }

    private static Map<String, Object> table(TableHealth t, CheckReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", t.state().name().toString());
        m.put("kind", lower(t.state().kind()));
        m.put("status", lower(t.status(report.thresholds())));
        m.put("estimatedRows", t.state().estimatedRows());
        m.put("totalBytes", t.state().totalBytes());
        if (t.partitioned()) {
            ZoneId zone = report.settings().zone();
            KeyType keyType = t.state().keyType();
            m.put("interval", t.policy().interval().unit());
            m.put("partitionCount", t.partitionCount());
            m.put("largestPartitionBytes", t.largestPartitionBytes());
            Coverage c = t.coverage().orElseThrow();
            Map<String, Object> coverage = new LinkedHashMap<>();
            coverage.put("coversNow", c.coversNow());
            coverage.put("until", c.unbounded() ? "MAXVALUE" : c.untilText());
            coverage.put("secondsAhead", c.unbounded() ? null : (long) c.secondsAhead());
            coverage.put("intervalsAhead", c.unbounded() ? null : c.intervalsAhead());
            m.put("coverage", coverage);
            m.put("defaultPartition", t.state().defaultPartition().map(d -> {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("name", d.name().toString());
                dm.put("rows", t.defaultRows());
                dm.put("bytes", d.bytes());
                return (Object) dm;
            }).orElse(null));
            m.put("detachPending", t.detachPending().stream().map(p -> p.name().toString()).toList());
            m.put("pastRetention", t.overdue().stream().map(p -> p.name().toString()).toList());
            List<Object> partitions = new ArrayList<>();
            for (PartitionInfo p : t.state().partitions()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("name", p.name().toString());
                pm.put("from", keyType.display(p.lower(), zone));
                pm.put("to", keyType.display(p.upper(), zone));
                pm.put("estimatedRows", p.estimatedRows());
                pm.put("bytes", p.bytes());
                pm.put("detachPending", p.detachPending());
                partitions.add(pm);
            }
            m.put("partitions", partitions);
        }
        List<Object> findings = new ArrayList<>();
        for (HealthFinding f : t.findings()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("check", f.check().configName());
            fm.put("severity", report.thresholds().fails(f.check()) ? "fail" : "warn");
            fm.put("message", f.message());
            fm.put("fix", f.remedy());
            findings.add(fm);
        }
        m.put("findings", findings);
        List<Object> statements = new ArrayList<>();
        for (StatementStats s : t.statements()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("query", s.query());
            sm.put("calls", s.calls());
            sm.put("meanMillis", s.meanMillis());
            sm.put("maxMillis", s.maxMillis());
            sm.put("totalMillis", s.totalMillis());
            statements.add(sm);
        }
        m.put("slowestStatements", statements);
        return m;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
