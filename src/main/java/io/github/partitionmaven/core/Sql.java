package io.github.partitionmaven.core;

import java.util.List;
import java.util.stream.Collectors;

/** Identifier and literal quoting: every name the plugin writes into SQL goes through here. */
public final class Sql {

    private Sql() {
    }

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
