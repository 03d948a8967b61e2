package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.JsonReader;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a column's statistics are tuned: {@code ALTER COLUMN ... SET STATISTICS} and {@code SET (n_distinct = ...)}, which a
 * big table's owner sets where ANALYZE's sample misjudges it. Neither {@code CREATE TABLE ... LIKE} nor a partitioned
 * table passes them on (seen on PostgreSQL 15: a LIKE copy and its partitions had target -1 and no options), so without
 * this a conversion, and every partition premake makes, quietly loses them.
 *
 * @param statisticsTarget the column's own statistics target; empty: default_statistics_target
 * @param options          n_distinct, n_distinct_inherited, as the catalog prints them (an extension's own are left out)
 */
public record ColumnTuning(String column, Optional<Integer> statisticsTarget, Map<String, String> options) {

    /**
     * The attribute options PostgreSQL defines, with a number. Others are an extension's own: Citus keeps {@code pg_attver}
     * in a distributed table's attoptions, which no one else may set.
     */
    private static final Pattern OPTION = Pattern.compile("(n_distinct|n_distinct_inherited)=-?[0-9.eE+-]+");

    /**
     * SQL giving, for the relation {@code oid}, its tuned columns as a JSON array of [name, target or null, options or null],
     * in column order; NULL when none is tuned. From PostgreSQL 17 an untuned target is NULL, before it -1.
     */
    public static String json(String oid) {
        return "(SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(a.attname, CASE WHEN a.attstattarget >= 0 THEN a.attstattarget END,"
                + " a.attoptions) ORDER BY a.attnum)::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = " + oid + " AND a.attnum > 0"
                + " AND NOT a.attisdropped AND (a.attstattarget >= 0 OR a.attoptions IS NOT NULL))";
    }

    /** What {@link #json} gave; empty for NULL. */
    public static List<ColumnTuning> parse(String json) {
        List<ColumnTuning> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        for (Object entry : (List<?>) JsonReader.read(json)) {
            List<?> e = (List<?>) entry;
            Map<String, String> options = new LinkedHashMap<>();
            if (e.get(2) != null) {
                for (Object o : (List<?>) e.get(2)) {
                    String option = (String) o;
                    if (OPTION.matcher(option).matches()) {
                        options.put(option.substring(0, option.indexOf('=')), option.substring(option.indexOf('=') + 1));
                    }
                }
            }
            Optional<Integer> target = Optional.ofNullable((Long) e.get(1)).map(Long::intValue);
            if (target.isPresent() || !options.isEmpty()) {
                out.add(new ColumnTuning((String) e.get(0), target, options));
            }
        }
        return out;
    }

    /** What gives {@code table}'s column this tuning. */
    public List<String> statements(TableName table) {
        List<String> sql = new ArrayList<>();
        String alter = "ALTER TABLE " + table.sql() + " ALTER COLUMN " + Sql.ident(column);
        statisticsTarget.ifPresent(n -> sql.add(alter + " SET STATISTICS " + n));
        if (!options.isEmpty()) {
            sql.add(alter + " SET (" + String.join(", ", options.entrySet().stream().map(o -> o.getKey() + " = " + o.getValue()).toList()) + ")");
        }
        return sql;
    }

    /**
     * The tuning of a plain table, for the partitioned table that replaces it: the whole table's statistics are then the
     * parent's inherited ones, which n_distinct_inherited sets, so n_distinct becomes that.
     */
    public ColumnTuning asParent() {
        Map<String, String> parent = new LinkedHashMap<>();
        Optional.ofNullable(options.get("n_distinct")).ifPresent(v -> parent.put("n_distinct_inherited", v));
        return new ColumnTuning(column, statisticsTarget, parent);
    }

    /** For the plan: {@code "user_id" (statistics 800, n_distinct=100)}. */
    public static String describe(List<ColumnTuning> columns) {
        return String.join(", ", columns.stream().map(c -> Sql.ident(c.column()) + " (" + String.join(", ", java.util.stream.Stream.concat(
                c.statisticsTarget().map(n -> "statistics " + n).stream(), c.options().entrySet().stream().map(o -> o.getKey() + "=" + o.getValue()))
                .toList()) + ")").toList());
    }
}
