package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tables prune detached and marked but has not finished with (dropped, archived or moved): the comment prune writes
 * before detaching names the parent. Read here, below the goals, so that check reports them as well as prune finishing them.
 */
public final class PruneMarks {

    /** The start of the comment on a table prune has still to finish; the parent's quoted name follows. */
    public static final String PENDING_PREFIX = "partition-maven-plugin: detached by prune from ";
    private static final String RANGE = "; range micros ";

    /** A marked, standalone table: what prune left of a partition of {@code parent}. */
    public record Unfinished(TableName parent, TableName table, long estimatedRows) {
    }

    private PruneMarks() {
    }

    /** Every marked table, by the parent it was detached from; one query. */
    public static Map<TableName, List<Unfinished>> unfinished(Connection c) throws SQLException {
        Map<TableName, List<Unfinished>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, c.relname, d.description,"
                + " GREATEST(c.reltuples, 0)::pg_catalog.int8 AS est_rows FROM pg_catalog.pg_description d"
                + " JOIN pg_catalog.pg_class c ON c.oid = d.objoid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0 AND c.relkind = 'r'"
                + " AND NOT c.relispartition AND pg_catalog.starts_with(d.description, ?::pg_catalog.text)")) {
            ps.setString(1, PENDING_PREFIX);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String rest = rs.getString("description").substring(PENDING_PREFIX.length());
                    int end = rest.indexOf(RANGE);
                    if (end < 0) {
                        continue;
                    }
                    TableName parent = TableName.parse(rest.substring(0, end));
                    out.computeIfAbsent(parent, k -> new ArrayList<>()).add(new Unfinished(parent,
                            new TableName(rs.getString("nspname"), rs.getString("relname")), rs.getLong("est_rows")));
                }
            }
        }
        return out;
    }
}
