package io.github.partitionmaven.core;

import java.util.List;
import java.util.stream.Collectors;

/** Identifier and literal quoting: every name the plugin writes into SQL goes through here. */
public final class Sql {

    private Sql() {
    }

    /** Where a session keeps the schemas of the user's own search_path (as a name[] literal) once the path is pinned. */
    public static final String USER_SCHEMAS_SETTING = "partition_maven.user_schemas";

    /**
     * The schemas an unqualified configured table is looked up in, in order: the user's path as it was before the session
     * pinned it, or the current path on a session that did not (a test's own connection).
     */
    public static final String USER_SCHEMAS = "coalesce(NULLIF(pg_catalog.current_setting('" + USER_SCHEMAS_SETTING
            + "', true), '')::pg_catalog.name[], pg_catalog.current_schemas(false))";

    /** Quotes an identifier as PostgreSQL requires, always, so mixed case, spaces and quotes survive. */
    public static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    public static String qualified(String schema, String name) {
        return ident(schema) + "." + ident(name);
    }

    public static String literal(String value) {
        if (value.indexOf('\\') >= 0) {
            return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
        }
        return "'" + value.replace("'", "''") + "'";
    }

    public static String identList(List<String> names) {
        return names.stream().map(Sql::ident).collect(Collectors.joining(", "));
    }
}
