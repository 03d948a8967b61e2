package io.github.partitionmaven.partman;

import io.github.partitionmaven.catalog.ExternalManagers;
import io.github.partitionmaven.catalog.ExternalManagers.PartmanConfig;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.InputPlanner;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Step;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code partition:import-partman}: the plugin's {@code <table>} for each table pg_partman manages, and the hand-over
 * that removes a table from pg_partman's configuration the way pg_partman's own undo_partition ends once no child is
 * left (DELETE from part_config, part_config_sub following by its ON DELETE CASCADE, and DROP of the template table no
 * other configuration uses), but without undoing anything: every partition stays attached.
 */
public final class PartmanImport {

    /** pg_partman stores intervals as PostgreSQL prints them: "1 day", "7 days", "1 mon", "3 mons", "1 year". */
    private static final Pattern INTERVAL = Pattern.compile("(\\d+) (day|days|mon|mons|month|months|year|years|week|weeks)");

    private PartmanImport() {
    }

    /** The plugin's interval for pg_partman's, or empty when there is none (id-based or odd intervals). */
    static Optional<String> interval(String partmanInterval) {
        Matcher m = INTERVAL.matcher(partmanInterval.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        int n = Integer.parseInt(m.group(1));
        String unit = m.group(2);
        if (unit.startsWith("day")) {
            return n == 1 ? Optional.of("day") : n == 7 ? Optional.of("week") : Optional.empty();
        }
        if (unit.startsWith("week")) {
            return n == 1 ? Optional.of("week") : Optional.empty();
        }
        if (unit.startsWith("mon")) {
            return n == 1 ? Optional.of("month") : n == 3 ? Optional.of("quarter") : n == 12 ? Optional.of("year") : Optional.empty();
        }
        return n == 1 ? Optional.of("year") : Optional.empty();
    }

    /** pg_partman's retention ("6 mons", "30 days") as the plugin writes it ("6 months"), or empty when it does not map. */
    static Optional<String> retention(String partmanRetention) {
        Matcher m = INTERVAL.matcher(partmanRetention.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        String unit = m.group(2).startsWith("mon") ? "month" : m.group(2).replaceAll("s$", "");
        return Optional.of(m.group(1) + " " + unit + (m.group(1).equals("1") ? "" : "s"));
    }

    /** The {@code <table>} element equivalent to one part_config row, with a comment saying where each value came from. */
    public static String tableXml(PartmanConfig c, Optional<String> partmanVersion) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!-- ").append(c.parentTable()).append(": pg_partman ").append(partmanVersion.orElse("")).append(", control ")
                .append(c.control()).append(", partition_interval ").append(c.partitionInterval()).append(", premake ").append(c.premake())
                .append(", retention ").append(c.retention().orElse("none")).append(", retention_keep_table ").append(c.retentionKeepTable())
                .append(c.retentionSchema().map(s -> ", retention_schema " + s).orElse("")).append(" -->\n");
        Optional<String> interval = interval(c.partitionInterval());
        if (interval.isEmpty()) {
            sb.append("<!-- no equivalent: the plugin partitions by day, week, month, quarter or year on a time column;"
                    + " pg_partman's interval '").append(c.partitionInterval()).append("' is not one of them. -->\n");
            return sb.toString();
        }
        sb.append("<table>\n");
        sb.append("  <name>").append(xml(c.parentTable())).append("</name>\n");
        sb.append("  <column>").append(xml(c.control())).append("</column>\n");
        // part_config.epoch: none, seconds, milliseconds, nanoseconds (4.x), microseconds too (5.x)
        switch (c.epoch() == null ? "none" : c.epoch()) {
            case "none" -> { }
            case "seconds", "milliseconds", "microseconds" -> sb.append("  <epochUnit>").append(c.epoch()).append("</epochUnit>\n");
            default -> sb.append("  <!-- epoch '").append(xml(c.epoch())).append("' has no equivalent: <epochUnit> takes seconds,"
                    + " milliseconds or microseconds -->\n");
        }
        sb.append("  <interval>").append(interval.get()).append("</interval>\n");
        sb.append("  <premake>").append(c.premake()).append("</premake>\n");
        if (c.retention().isPresent()) {
            Optional<String> period = retention(c.retention().get());
            if (period.isEmpty()) {
                sb.append("  <!-- retention '").append(xml(c.retention().get())).append("' has no equivalent: write it as N days/weeks/months/years -->\n");
            } else {
                sb.append("  <retention>").append(period.get()).append("</retention>\n");
                // pg_partman: retention_schema moves the detached table there (keep_table implied); keep_table keeps it
                // detached in place; otherwise it is dropped.
                String mode = c.retentionSchema().isPresent() || c.retentionKeepTable() ? "detach" : "drop";
                sb.append("  <retentionMode>").append(mode).append("</retentionMode>\n");
                c.retentionSchema().ifPresent(s -> sb.append("  <retentionSchema>").append(xml(s)).append("</retentionSchema>\n"));
            }
        }
        sb.append("</table>\n");
        return sb.toString();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * Hands the selected tables (all managed ones when {@code only} is empty) over to the plugin: one transactional step
     * per table. Refuses, before any change, a table with no time-interval equivalent and a name that pg_partman
     * does not manage.
     */
    public static InputPlanner handOver(List<TableName> only) {
        return new InputPlanner() {
            @Override
            public Goal goal() {
                return Goal.IMPORT_PARTMAN;
            }

            @Override
            public List<Step> plan(Connection connection) throws SQLException {
                return handOverSteps(ExternalManagers.read(connection), only);
            }
        };
    }

    static List<Step> handOverSteps(ExternalManagers managers, List<TableName> only) {
        if (managers.partmanSchema().isEmpty()) {
            throw PartitionException.configuration("pg_partman is not installed in this database (no pg_partman in pg_extension):"
                    + " there is nothing to hand over.");
        }
        List<PartmanConfig> selected = new ArrayList<>();
        for (TableName wanted : only) {
            String key = (wanted.schema() == null ? "public" : wanted.schema()) + "." + wanted.name();
            selected.add(managers.partman().values().stream().filter(c -> c.parentTable().equals(key)).findFirst()
                    .orElseThrow(() -> PartitionException.configuration(wanted + " is not in " + managers.partConfig() + " (it has: "
                            + String.join(", ", managers.partman().values().stream().map(PartmanConfig::parentTable).toList())
                            + "). Name a table pg_partman manages, as schema.table.")));
        }
        if (only.isEmpty()) {
            selected.addAll(managers.partman().values());
        }
        List<Step> steps = new ArrayList<>();
        TableName partConfig = new TableName(managers.partmanSchema().get(), "part_config");
        for (PartmanConfig c : selected) {
            if (interval(c.partitionInterval()).isEmpty() || c.oid() == 0) {
                throw PartitionException.configuration(c.parentTable() + " cannot be handed over: " + (c.oid() == 0
                        ? "the table no longer exists" : "pg_partman's interval '" + c.partitionInterval() + "' has no equivalent"
                        + " in the plugin (day, week, month, quarter or year on a time column)")
                        + ". Leave it to pg_partman, or name the other tables with -Dpartition.partmanTables.");
            }
            TableName parent = new TableName(c.parentTable().substring(0, c.parentTable().indexOf('.')),
                    c.parentTable().substring(c.parentTable().indexOf('.') + 1));
            List<String> sql = new ArrayList<>();
            List<Lock> locks = new ArrayList<>();
            // pg_partman's run_maintenance takes this transaction-scoped advisory lock and skips its run while it is held:
            // holding it here means no maintenance is halfway through this table while its configuration disappears.
            sql.add("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pg_partman run_maintenance'))");
            sql.add("DELETE FROM " + partConfig.sql() + " WHERE parent_table = " + Sql.literal(c.parentTable()));
            locks.add(new Lock(partConfig, LockMode.ROW_EXCLUSIVE));
            Optional<String> template = c.templateTable().filter(t -> managers.partman().values().stream()
                    .noneMatch(o -> o != c && t.equals(o.templateTable().orElse(null))));
            template.ifPresent(t -> {
                TableName name = new TableName(t.substring(0, t.indexOf('.')), t.substring(t.indexOf('.') + 1));
                sql.add("DROP TABLE IF EXISTS " + name.sql());
                locks.add(new Lock(name, LockMode.ACCESS_EXCLUSIVE));
            });
            steps.add(Step.transactional(Goal.IMPORT_PARTMAN, parent, "hand " + c.parentTable() + " over from pg_partman to the plugin",
                    "remove it from " + partConfig + (template.isPresent() ? " and drop its template table " + template.get() : "")
                            + ", as pg_partman's undo_partition does once it is done; every partition stays attached", sql, locks, 0));
        }
        return steps;
    }
}
