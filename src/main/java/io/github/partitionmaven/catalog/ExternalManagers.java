package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Other tools that manage partitions of a table: pg_partman (a row in its {@code part_config}, in whatever schema the
 * extension was installed in) and TimescaleDB (a hypertable). Read in at most three queries, whatever the number of
 * tables: the extensions, then each installed extension's catalog once.
 *
 * <p>Both pg_partman 4.x and 5.x keep {@code part_config} with the columns read here (parent_table, control,
 * partition_interval, premake, retention, retention_schema, retention_keep_table, template_table,
 * automatic_maintenance); 5.x dropped the trigger-based columns only. {@code parent_table} is "schema.table" unquoted;
 * it is resolved with split_part exactly as pg_partman resolves it itself.
 *
 * <p>TimescaleDB keeps its hypertables in {@code _timescaledb_catalog.hypertable (schema_name, table_name)} (a fixed
 * schema, whichever schema the extension's functions went to); {@code timescaledb_information.hypertables} is a view
 * over it. See docs/pipelines.md for how this was checked without a TimescaleDB package.
 */
public record ExternalManagers(Optional<String> partmanSchema, Optional<String> partmanVersion, Map<Long, PartmanConfig> partman,
                               Map<Long, TableName> hypertables) {

    public static final ExternalManagers NONE = new ExternalManagers(Optional.empty(), Optional.empty(), Map.of(), Map.of());

    /** One row of pg_partman's part_config; {@code oid} is 0 when the parent table no longer exists. */
    public record PartmanConfig(long oid, String parentTable, String control, String partitionInterval, int premake, Optional<String> retention,
                                Optional<String> retentionSchema, boolean retentionKeepTable, Optional<String> templateTable,
                                String automaticMaintenance, String epoch) {
    }

    public Optional<PartmanConfig> partman(long oid) {
        return Optional.ofNullable(partman.get(oid));
    }

    public Optional<TableName> hypertable(long oid) {
        return Optional.ofNullable(hypertables.get(oid));
    }

    /** {@code "partman".part_config}, quoted; only when pg_partman is installed. */
    public String partConfig() {
        return Sql.qualified(partmanSchema.orElseThrow(), "part_config");
    }

    public static ExternalManagers read(Connection c) throws SQLException {
        String partmanSchema = null;
        String partmanVersion = null;
        boolean timescale = false;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT e.extname, n.nspname, e.extversion, pg_catalog.has_schema_privilege(n.oid, 'USAGE')"
                     + " AND coalesce(pg_catalog.has_table_privilege(pg_catalog.to_regclass(pg_catalog.quote_ident(n.nspname) || '.part_config'), 'SELECT'), false)"
                     + " FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname IN ('pg_partman', 'timescaledb')")) {
            while (rs.next()) {
                if (rs.getString(1).equals("pg_partman")) {
                    partmanSchema = rs.getString(2);
                    partmanVersion = rs.getString(3);
                    if (!rs.getBoolean(4)) {
                        // Without it the plugin cannot tell which tables pg_partman manages, and would fight it unknowingly.
                        throw PartitionException.configuration("pg_partman " + partmanVersion + " is installed in schema " + partmanSchema
                                + ", but this user cannot read " + Sql.qualified(partmanSchema, "part_config") + ", so the plugin cannot"
                                + " tell which tables pg_partman manages: GRANT USAGE ON SCHEMA " + Sql.ident(partmanSchema)
                                + " and SELECT ON " + Sql.qualified(partmanSchema, "part_config") + " to the plugin's user.");
                    }
                } else {
                    timescale = true;
                }
            }
        }
        Map<Long, PartmanConfig> partman = new LinkedHashMap<>();
        if (partmanSchema != null) {
            String sql = "SELECT coalesce(c.oid::bigint, 0), p.parent_table, p.control, p.partition_interval, p.premake, p.retention,"
                    + " p.retention_schema, p.retention_keep_table, p.template_table, p.automatic_maintenance, p.epoch::text"
                    + " FROM " + Sql.qualified(partmanSchema, "part_config") + " p"
                    + " LEFT JOIN pg_namespace n ON n.nspname = pg_catalog.split_part(p.parent_table, '.', 1)"
                    + " LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pg_catalog.split_part(p.parent_table, '.', 2)"
                    + " ORDER BY p.parent_table";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                long missing = -1;
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    partman.put(oid == 0 ? missing-- : oid, new PartmanConfig(oid, rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getInt(5), Optional.ofNullable(rs.getString(6)), Optional.ofNullable(rs.getString(7)), rs.getBoolean(8),
                            Optional.ofNullable(rs.getString(9)), rs.getString(10), rs.getString(11)));
                }
            }
        }
        Map<Long, TableName> hypertables = new LinkedHashMap<>();
        if (timescale) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT c.oid::bigint, h.schema_name, h.table_name"
                    + " FROM _timescaledb_catalog.hypertable h JOIN pg_namespace n ON n.nspname = h.schema_name"
                    + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = h.table_name")) {
                while (rs.next()) {
                    hypertables.put(rs.getLong(1), new TableName(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return new ExternalManagers(Optional.ofNullable(partmanSchema), Optional.ofNullable(partmanVersion), partman, hypertables);
    }
}
