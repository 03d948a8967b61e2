package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who owns a table and what others were granted on it, so a relation the plugin creates for it (a premade or
 * restored partition, the partitions of a converted table) can be given the same: a partition made by whoever
 * ran the plugin otherwise belongs to that role, and the owner's next run fails with "must be owner of table".
 *
 * @param currentUserOwns whether the session's user is the owner itself (then a created relation already has the owner)
 */
public record TableAccess(String owner, boolean currentUserOwns, List<Grant> grants) {

    public static final TableAccess UNKNOWN = new TableAccess(null, true, List.of());

    /** One grantee's privileges; {@code grantee} empty for PUBLIC. */
    public record Grant(Optional<String> grantee, String privileges, boolean grantable) {
    }

    public TableAccess {
        grants = List.copyOf(grants);
    }

    /**
     * The statements that give {@code target} these grants and this owner. The grants come first, made by the creating
     * role; ALTER ... OWNER TO then hands them over to the new owner as grantor. No owner change when the creator owns.
     */
    public List<String> statements(TableName target) {
        List<String> sql = new ArrayList<>();
        for (Grant g : grants) {
            sql.add("GRANT " + g.privileges() + " ON TABLE " + target.sql() + " TO " + g.grantee().map(Sql::ident).orElse("PUBLIC")
                    + (g.grantable() ? " WITH GRANT OPTION" : ""));
        }
        if (!currentUserOwns && owner != null) {
            sql.add("ALTER TABLE " + target.sql() + " OWNER TO " + Sql.ident(owner));
        }
        return sql;
    }

    /** The columns {@link #read(ResultSet)} needs, for a query with {@code c} the table's pg_class row. */
    static final String COLUMNS = """
            pg_catalog.pg_get_userbyid(c.relowner) AS access_owner,
            c.relowner = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) AS access_owned,
            (SELECT pg_catalog.array_agg(g.grantee ORDER BY g.grantee NULLS FIRST, g.grantable) FROM (
               SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee, a.is_grantable AS grantable,
                      pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privs
                 FROM pg_catalog.aclexplode(c.relacl) a WHERE a.grantee <> c.relowner GROUP BY 1, 2) g) AS access_grantees,
            (SELECT pg_catalog.array_agg(g.privs ORDER BY g.grantee NULLS FIRST, g.grantable) FROM (
               SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee, a.is_grantable AS grantable,
                      pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privs
                 FROM pg_catalog.aclexplode(c.relacl) a WHERE a.grantee <> c.relowner GROUP BY 1, 2) g) AS access_privileges,
            (SELECT pg_catalog.array_agg(g.grantable ORDER BY g.grantee NULLS FIRST, g.grantable) FROM (
               SELECT DISTINCT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee, a.is_grantable AS grantable
                 FROM pg_catalog.aclexplode(c.relacl) a WHERE a.grantee <> c.relowner) g) AS access_grantable""";

    static TableAccess read(ResultSet rs) throws SQLException {
        String owner = rs.getString("access_owner");
        if (owner == null) {
            return UNKNOWN;
        }
        List<Grant> grants = new ArrayList<>();
        Array grantees = rs.getArray("access_grantees");
        if (grantees != null) {
            Object[] who = (Object[]) grantees.getArray();
            Object[] what = (Object[]) rs.getArray("access_privileges").getArray();
            Object[] option = (Object[]) rs.getArray("access_grantable").getArray();
            for (int i = 0; i < who.length; i++) {
                grants.add(new Grant(Optional.ofNullable((String) who[i]), (String) what[i], (Boolean) option[i]));
            }
        }
        return new TableAccess(owner, rs.getBoolean("access_owned"), grants);
    }

    /** The access of one existing table (for goals that plan from their own input, such as restore). */
    public static TableAccess of(Connection connection, TableName table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + COLUMNS + " FROM pg_class c WHERE c.oid = pg_catalog.to_regclass(?::text)")) {
            ps.setString(1, table.sql());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : UNKNOWN;
            }
        }
    }
}
