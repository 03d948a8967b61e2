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

    /**
     * A dollar-quoted literal for a function body or DO block whose text holds identifiers: the tag is derived from a hash
     * of the body, so no name inside (a table called {@code a$capture$b}) can close it early; on the (never seen) chance the
     * body holds its own tag, a counter goes into the tag until it does not. Deterministic, so plan.sql stays the same.
     */
    public static String dollarQuoted(String body) {
        String hash;
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            hash = java.util.HexFormat.of().formatHex(d, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        String tag = "$pmp_" + hash + "$";
        for (int n = 1; body.contains(tag); n++) {
            tag = "$pmp_" + hash + "_" + n + "$";
        }
        return tag + body + tag;
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
