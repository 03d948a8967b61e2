package io.github.partitionmaven.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A table name as configured: {@code chat_history}, {@code app.chat_history}, or with double
 * quotes around a part holding a dot or a quote ({@code "my.schema"."Chat ""History"""}). Names are
 * taken exactly as written, without case folding, because they name catalog entries.
 * {@code schema} is null when the configuration did not give one (resolved through search_path).
 */
public record TableName(String schema, String name) {

    public static TableName parse(String text) {
        if (text == null || text.isBlank()) {
            throw PartitionException.configuration("A <table> has no <name>: set it to the table, e.g. <name>chat_history</name>.");
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        String s = text.trim();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == '.') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        parts.add(cur.toString());
        if (quoted || parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
            throw PartitionException.configuration("Table name '" + text + "' cannot be read: write it as table or schema.table,"
                    + " with double quotes around a part that contains a dot or a quote.");
        }
        return parts.size() == 1 ? new TableName(null, parts.get(0)) : new TableName(parts.get(0), parts.get(1));
    }

    public TableName inSchema(String resolvedSchema) {
        return new TableName(resolvedSchema, name);
    }

    /** The quoted, schema-qualified name to write into SQL. */
    public String sql() {
        return schema == null ? Sql.ident(name) : Sql.qualified(schema, name);
    }

    @Override
    public String toString() {
        return sql();
    }
}
