package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A table's storage parameters: its {@code pg_class.reloptions} (fillfactor, autovacuum_*, ...) and its TOAST table's,
 * named {@code toast.*} as {@code WITH (...)} takes them. A partitioned table has none of its own (PostgreSQL refuses them
 * on it) and passes none on, so a partition has only what it was created with: the conversion gives every partition the
 * plain table's, and premake each new one those of the latest partition with any.
 *
 * @param values name to value, as the catalog prints them, the table's before its TOAST table's
 */
public record StorageParameters(Map<String, String> values) {

    public static final StorageParameters NONE = new StorageParameters(Map.of());

    /** What {@code reloptions} may hold: lower-case words ({@code toast.} added here); anything else is not rendered unquoted. */
    private static final Pattern NAME = Pattern.compile("(toast\\.)?[a-z_][a-z0-9_]*");

    public StorageParameters {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
        values.keySet().forEach(name -> {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a storage parameter name: " + name);
            }
        });
    }

    /** From the {@code name=value} entries of a table's reloptions and of its TOAST table's. */
    public static StorageParameters of(List<String> table, List<String> toast) {
        Map<String, String> out = new LinkedHashMap<>();
        table.forEach(o -> out.put(o.substring(0, o.indexOf('=')), o.substring(o.indexOf('=') + 1)));
        toast.forEach(o -> out.put("toast." + o.substring(0, o.indexOf('=')), o.substring(o.indexOf('=') + 1)));
        return new StorageParameters(out);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** These with {@code overrides} set over them, in their order (the conversion turns autovacuum off while it fills a partition). */
    public StorageParameters with(Map<String, String> overrides) {
        Map<String, String> out = new LinkedHashMap<>(values);
        out.putAll(overrides);
        return new StorageParameters(out);
    }

    /** {@code " WITH (name = 'value', ...)"} for a CREATE TABLE; empty for none. */
    public String withClause() {
        return isEmpty() ? "" : " WITH (" + assignments() + ")";
    }

    /** {@code "SET (name = 'value', ...)"}, an ALTER TABLE action; only for parameters that are there. */
    public String setAction() {
        return "SET (" + assignments() + ")";
    }

    /** For the plan: {@code fillfactor=90, toast.autovacuum_enabled=off}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        values.forEach((name, value) -> parts.add(name + "=" + value));
        return String.join(", ", parts);
    }

    private String assignments() {
        List<String> parts = new ArrayList<>();
        values.forEach((name, value) -> parts.add(name + " = " + Sql.literal(value)));
        return String.join(", ", parts);
    }
}
