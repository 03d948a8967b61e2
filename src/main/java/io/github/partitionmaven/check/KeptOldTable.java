package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.RetentionRule;
import io.github.partitionmaven.policy.NamePattern;
import io.github.partitionmaven.policy.RetentionPolicy;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plain table a {@code copy} conversion renamed ({@code <oldTableName>}, {@code {table}_old}) and kept for
 * partition:rollback, still there beside the partitioned table: as large as the table was, and nothing prunes it, so rows
 * older than the retention stay in it however often partition:prune runs.
 *
 * @param oldest        its oldest time as people read it, when an index on the time column makes reading it cheap
 * @param retention     the table's retention period, if it has one
 * @param pastRetention whether {@code oldest} is older than the retention's cutoff
 */
public record KeptOldTable(TableName table, TableName old, long bytes, Optional<String> oldest, Optional<String> retention,
                           boolean pastRetention) implements HealthFinding {

    private static final String TABLES = """
            SELECT u.n, pg_catalog.pg_total_relation_size(c.oid),
                   EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                            WHERE i.indrelid = c.oid AND i.indisvalid AND i.indpred IS NULL AND a.attname = u.col) AS indexed
              FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u(schema, name, col, n)
              JOIN pg_namespace ns ON ns.nspname = u.schema
              JOIN pg_class c ON c.relnamespace = ns.oid AND c.relname = u.name AND c.relkind = 'r' AND NOT c.relispartition
            """;

    @Override
    public Check check() {
        return Check.OLD_TABLE;
    }

    @Override
    public String message() {
        return old + " (" + Durations.bytes(bytes) + "), which partition:convert kept for partition:rollback, is still there"
                + (pastRetention ? ": it holds rows from " + oldest.orElseThrow() + ", older than the retention of " + retention.orElseThrow()
                + " that partition:prune applies to " + table + ", and they stay until it is dropped"
                : oldest.map(o -> ": its oldest row is from " + o).orElse(""));
    }

    @Override
    public String remedy() {
        return "once a rollback is no longer needed, drop it (DROP TABLE " + old.sql() + ")" + (pastRetention
                ? ", archived first if its rows must be kept (pg_dump -Fc -t '" + old.sql().replace("'", "'\\''") + "')" : "");
    }

    /**
     * The kept old tables of the configured partitioned tables, in two queries whatever their number: which exist and their
     * size, then the oldest time of those with an index on the time column (without one, reading it would scan the table).
     */
    static Map<TableName, KeptOldTable> read(Connection c, Catalog catalog, List<TablePolicy> policies, String oldTableName,
                                            RunSettings settings) throws SQLException {
        List<TablePolicy> converted = new ArrayList<>();
        List<TableState> states = new ArrayList<>();
        for (TablePolicy p : policies) {
            TableState state = catalog.table(p.table());
            if (state.name() != null && state.kind() == TableState.Kind.PARTITIONED) {
                converted.add(p);
                states.add(state);
            }
        }
        Map<TableName, KeptOldTable> out = new HashMap<>();
        if (converted.isEmpty()) {
            return out;
        }
        List<TableName> olds = states.stream().map(s -> new TableName(s.name().schema(), NamePattern.oldTableName(oldTableName, s.name().name()))).toList();
        List<Integer> found = new ArrayList<>();
        Map<Integer, Long> bytes = new HashMap<>();
        List<String> oldest = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(TABLES)) {
            ps.setArray(1, c.createArrayOf("text", olds.stream().map(TableName::schema).toArray()));
            ps.setArray(2, c.createArrayOf("text", olds.stream().map(TableName::name).toArray()));
            ps.setArray(3, c.createArrayOf("text", converted.stream().map(TablePolicy::column).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1) - 1;
                    found.add(i);
                    bytes.put(i, rs.getLong(2));
                    if (rs.getBoolean(3)) {
                        oldest.add("SELECT " + i + ", " + states.get(i).keyType().microsExpression("pg_catalog.min(" + Sql.ident(converted.get(i).column())
                                + ")") + " FROM " + olds.get(i).sql());
                    }
                }
            }
        }
        Map<Integer, Long> oldestMicros = new HashMap<>();
        if (!oldest.isEmpty()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(String.join(" UNION ALL ", oldest))) {
                while (rs.next()) {
                    long micros = rs.getLong(2);
                    if (!rs.wasNull()) {
                        oldestMicros.put(rs.getInt(1), micros);
                    }
                }
            }
        }
        for (int i : found) {
            TableState state = states.get(i);
            KeyType keyType = state.keyType();
            Optional<Long> micros = Optional.ofNullable(oldestMicros.get(i));
            Optional<RetentionPolicy> retention = converted.get(i).retention();
            boolean past = micros.isPresent() && retention.isPresent()
                    && micros.get() < RetentionRule.cutoffMicros(keyType, retention.get().period(), settings);
            out.put(state.name(), new KeptOldTable(state.name(), olds.get(i), bytes.get(i), micros.map(m -> keyType.display(m, settings.zone())),
                    retention.map(r -> r.period().toString()), past));
        }
        return out;
    }
}
