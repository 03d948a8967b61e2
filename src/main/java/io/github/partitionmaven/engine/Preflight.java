package io.github.partitionmaven.engine;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Requirement;
import io.github.partitionmaven.plan.Step;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the server and the role must allow before an applying goal changes anything: a primary, sessions that may
 * write, and every privilege the plan's steps declare ({@link Step#requirements()}). Read in two queries whatever the
 * plan holds. {@code partition:plan} shows the result as findings; the applying goals refuse on it, before the first step.
 */
final class Preflight {

    /**
     * Settings the plugin's sessions override (see Connections): a role's or database's statement_timeout would cancel a
     * batch copy, an index build or a verification that runs for minutes by design (lock waits are bounded by lock_timeout
     * instead), and idle_in_transaction_session_timeout would end a step's transaction while the plugin works on the client
     * side inside it (an archive export writes its file, a restore reads one, a swap checks the copy).
     */
    private static final List<String> OVERRIDDEN = List.of("statement_timeout", "idle_in_transaction_session_timeout");

    private static final String SERVER = """
            SELECT pg_catalog.pg_is_in_recovery(), current_user,
                   (SELECT s.reset_val FROM pg_settings s WHERE s.name = 'default_transaction_read_only'),
                   pg_catalog.current_setting('transaction_read_only'),
                   (SELECT pg_catalog.array_agg(s.name || '=' || s.reset_val || coalesce(s.unit, '') ORDER BY s.name) FROM pg_settings s
                     WHERE s.name = ANY (?::text[]) AND s.reset_val <> '0')""";

    /**
     * The requirements not met, one row each. A relation that does not exist yet is skipped: an earlier step of the same
     * plan creates it, and the role that creates a relation owns it. Ownership counts through membership in the owning role
     * (pg_has_role USAGE), as PostgreSQL's own owner checks do; superusers pass every check.
     */
    private static final String MISSING = """
            SELECT x.i, pg_catalog.pg_get_userbyid(r.relowner) FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS x(kind, s, n, i)
              LEFT JOIN pg_namespace ns ON ns.nspname = coalesce(x.s, pg_catalog.current_schema())
              LEFT JOIN pg_class r ON r.relnamespace = ns.oid AND r.relname = x.n
             WHERE CASE x.kind
                     WHEN 'CREATE' THEN ns.oid IS NOT NULL AND NOT pg_catalog.has_schema_privilege(ns.oid, 'CREATE')
                     WHEN 'OWNER' THEN r.oid IS NOT NULL AND NOT pg_catalog.pg_has_role(r.relowner, 'USAGE')
                     ELSE r.oid IS NOT NULL AND NOT pg_catalog.has_table_privilege(r.oid, 'REFERENCES') END
             ORDER BY x.i""";

    /** One requirement the role lacks, with the statement that grants it. */
    record Missing(Requirement requirement, String fix) {
    }

    private final boolean inRecovery;
    private final String user;
    private final boolean readOnly;
    private final String readOnlySetting;
    private final Map<String, String> overridden;
    private final Map<TableName, List<Missing>> missing;

    private Preflight(boolean inRecovery, String user, boolean readOnly, String readOnlySetting, Map<String, String> overridden,
                      Map<TableName, List<Missing>> missing) {
        this.inRecovery = inRecovery;
        this.user = user;
        this.readOnly = readOnly;
        this.readOnlySetting = readOnlySetting;
        this.overridden = overridden;
        this.missing = missing;
    }

    /** Whether the server is a standby; asked before planning, so a standby is skipped or refused before anything else. */
    static boolean standby(Connection c) throws SQLException {
        try (java.sql.Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Reads the server's state and what the steps need that the role lacks; changes nothing. */
    static Preflight read(Connection c, List<Step> steps) throws SQLException {
        boolean recovery;
        String user;
        boolean readOnly;
        String readOnlySetting = null;
        Map<String, String> overridden = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SERVER)) {
            ps.setArray(1, c.createArrayOf("text", OVERRIDDEN.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                recovery = rs.getBoolean(1);
                user = rs.getString(2);
                if ("on".equals(rs.getString(3))) {
                    readOnlySetting = "default_transaction_read_only";
                } else if ("on".equals(rs.getString(4))) {
                    readOnlySetting = "transaction_read_only";
                }
                readOnly = readOnlySetting != null;
                java.sql.Array a = rs.getArray(5);
                if (a != null) {
                    for (Object o : (Object[]) a.getArray()) {
                        String[] kv = ((String) o).split("=", 2);
                        overridden.put(kv[0], readable(kv[1]));
                    }
                }
            }
        }
        Map<TableName, List<Missing>> missing = new LinkedHashMap<>();
        if (!recovery) {
            readMissing(c, steps, user, missing);
        }
        return new Preflight(recovery, user, readOnly, readOnlySetting, overridden, missing);
    }

    /** pg_settings gives both timeouts in its base unit, milliseconds: 2000ms reads better as 2s, as SHOW prints it. */
    private static String readable(String value) {
        if (value.endsWith("ms")) {
            long ms = Long.parseLong(value.substring(0, value.length() - 2));
            return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
        }
        return value;
    }

    private static void readMissing(Connection c, List<Step> steps, String user, Map<TableName, List<Missing>> out) throws SQLException {
        List<Requirement> all = new ArrayList<>();
        List<TableName> tables = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Step step : steps) {
            for (Requirement r : step.requirements()) {
                // one CREATE per schema and table, one ownership per relation and table: the message lists each need once
                String key = step.table().sql() + "|" + r.kind() + "|" + (r.kind() == Requirement.Kind.CREATE ? r.relation().schema() : r.relation().sql());
                if (seen.add(key)) {
                    all.add(r);
                    tables.add(step.table());
                }
            }
        }
        if (all.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(MISSING)) {
            ps.setArray(1, c.createArrayOf("text", all.stream().map(r -> r.kind().name()).toArray()));
            ps.setArray(2, c.createArrayOf("text", all.stream().map(r -> r.relation().schema()).toArray()));
            ps.setArray(3, c.createArrayOf("text", all.stream().map(r -> r.relation().name()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1) - 1;
                    Requirement r = all.get(i);
                    out.computeIfAbsent(tables.get(i), t -> new ArrayList<>()).add(new Missing(r, fix(r, user, rs.getString(2))));
                }
            }
        }
    }

    private static String fix(Requirement r, String user, String owner) {
        String role = Sql.ident(user);
        return switch (r.kind()) {
            case CREATE -> "GRANT CREATE ON SCHEMA " + (r.relation().schema() == null ? "<schema>" : Sql.ident(r.relation().schema()))
                    + " TO " + role + ";";
            case OWNER -> "GRANT " + Sql.ident(owner) + " TO " + role + "; (or ALTER TABLE " + r.relation().sql() + " OWNER TO " + role + ";)";
            case REFERENCES -> "GRANT REFERENCES ON " + r.relation().sql() + " TO " + role + ";";
        };
    }

    boolean inRecovery() {
        return inRecovery;
    }

    /** The settings overridden for the plugin's sessions, with the value the role or database gave them. */
    Map<String, String> overridden() {
        return overridden;
    }

    static String standbyMessage(String goal) {
        return "The server is a standby (pg_catalog.pg_is_in_recovery() is true): partition:" + goal + " changes tables and can run on the"
                + " primary only. Point <url> at the primary (after a failover: the new primary), or pass -Dpartition.onStandby=skip"
                + " to have a schedule that runs against every node skip standbys with exit code 0. " + PartitionException.NOTHING_CHANGED;
    }

    /** Lines for the log and the plan saying which settings the plugin's sessions override, and why. */
    List<String> overrideNotes() {
        List<String> notes = new ArrayList<>();
        overridden.forEach((name, value) -> notes.add(name + " is " + value + " for " + user + " (set on the role, the database or the"
                + " server); the plugin's own sessions run with " + name + " = 0: "
                + (name.equals("statement_timeout")
                ? "a batch copy, index build or verification runs for minutes by design, and lock waits are bounded by <lockTimeout> instead"
                : "a step's transaction stays open while the plugin works on the client side (writing an archive, reading one)")
                + ". Other sessions keep " + value + "."));
        return notes;
    }

    /** The findings {@code partition:plan} shows for one table: what its steps would be refused for (the server's on one table only). */
    List<Finding> findings(TableName table, String goals, boolean serverWide) {
        List<Finding> out = new ArrayList<>();
        if (serverWide && inRecovery) {
            out.add(Finding.warning(standbyMessage(goals).replace(" " + PartitionException.NOTHING_CHANGED, "")));
        } else if (serverWide && readOnly) {
            out.add(Finding.warning(readOnlyMessage(goals).replace(" " + PartitionException.NOTHING_CHANGED, "")));
        }
        List<Missing> m = missing.getOrDefault(table, List.of());
        if (!m.isEmpty()) {
            out.add(Finding.warning(privilegesMessage(goals, m).replace(" " + PartitionException.NOTHING_CHANGED, "")));
        }
        return out;
    }

    /** Throws the refusal an applying goal stops on, before any change; standbys are the caller's (onStandby). */
    void requireApplicable(String goal) {
        List<String> problems = new ArrayList<>();
        if (readOnly) {
            problems.add(readOnlyMessage(goal).replace(" " + PartitionException.NOTHING_CHANGED, ""));
        }
        List<Missing> all = missing.values().stream().flatMap(List::stream).distinct().toList();
        if (!all.isEmpty()) {
            problems.add(privilegesMessage(goal, all).replace(" " + PartitionException.NOTHING_CHANGED, ""));
        }
        if (!problems.isEmpty()) {
            throw PartitionException.databaseState(String.join(" ", problems));
        }
    }

    private String readOnlyMessage(String goal) {
        return "Sessions of " + user + " are read-only (" + readOnlySetting + " is on, set on the role, the database or the server):"
                + " partition:" + goal + " would fail at its first change. The plugin does not turn a read-only guard off by itself:"
                + " run it as a role that may write, or remove the guard with ALTER ROLE " + Sql.ident(user)
                + " RESET default_transaction_read_only; (or ALTER DATABASE ... RESET default_transaction_read_only;). "
                + PartitionException.NOTHING_CHANGED;
    }

    private String privilegesMessage(String goal, List<Missing> m) {
        StringBuilder sb = new StringBuilder("Role " + Sql.ident(user) + " lacks " + m.size() + " privilege(s) the steps of partition:"
                + goal + " need:");
        for (Missing x : m) {
            sb.append(" ").append(x.requirement().describe()).append(" (fix: ").append(x.fix()).append(");");
        }
        sb.setLength(sb.length() - 1);
        return sb.append(". Grant them, or run the plugin as the tables' owner. ").append(PartitionException.NOTHING_CHANGED).toString();
    }
}
