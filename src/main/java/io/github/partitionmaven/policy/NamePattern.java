package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.PartitionException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How partitions are named: {@code {table}} is the parent's name and any other {@code {...}} is a
 * java.time pattern applied to the partition's first day, e.g. {@code {table}_{yyyy_MM}} gives
 * {@code chat_history_2025_01}. Names only label partitions; bounds are always read from the catalog.
 */
public final class NamePattern {

    /** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    private final String pattern;
    private final List<Object> parts;

    private NamePattern(String pattern, List<Object> parts) {
        this.pattern = pattern;
        this.parts = parts;
    }

    public static NamePattern parse(String pattern) {
        List<Object> parts = new ArrayList<>();
        int i = 0;
        while (i < pattern.length()) {
            int open = pattern.indexOf('{', i);
            if (open < 0) {
                parts.add(pattern.substring(i));
                break;
            }
            int close = pattern.indexOf('}', open);
            if (close < 0) {
                throw PartitionException.configuration("<namePattern>" + pattern + "</namePattern> has a '{' without '}'.");
            }
            if (open > i) {
                parts.add(pattern.substring(i, open));
            }
            String token = pattern.substring(open + 1, close);
            if (token.equals("table")) {
                parts.add(Token.TABLE);
            } else {
                try {
                    parts.add(DateTimeFormatter.ofPattern(token, Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw PartitionException.configuration("<namePattern>" + pattern + "</namePattern>: '{" + token
                            + "}' is not a date pattern (" + e.getMessage() + "). Use e.g. {table}_{yyyy_MM}.");
                }
            }
            i = close + 1;
        }
        if (parts.stream().noneMatch(p -> p instanceof DateTimeFormatter)) {
            throw PartitionException.configuration("<namePattern>" + pattern + "</namePattern> has no date part, so every"
                    + " partition would get the same name. Add one, e.g. {table}_{yyyy_MM}.");
        }
        return new NamePattern(pattern, parts);
    }

    public String format(String table, LocalDate start) {
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) {
            if (p == Token.TABLE) {
                sb.append(table);
            } else if (p instanceof DateTimeFormatter f) {
                sb.append(f.format(start));
            } else {
                sb.append(p);
            }
        }
        return sb.toString();
    }

    /**
     * Refuses a pattern that gives names over 63 bytes (PostgreSQL would silently truncate them)
     * or the same name to two intervals, checked over the intervals from {@code from} on.
     */
    public void validate(String table, Interval interval, LocalDate from, int intervals) {
        Map<String, LocalDate> seen = new HashMap<>();
        LocalDate start = interval.floor(from);
        for (int n = 0; n < intervals; n++, start = interval.next(start)) {
            String name = format(table, start);
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_IDENTIFIER_BYTES) {
                throw PartitionException.configuration("<namePattern>" + pattern + "</namePattern> gives the partition name '"
                        + name + "' of " + bytes + " bytes; PostgreSQL allows " + MAX_IDENTIFIER_BYTES
                        + ". Set a shorter <namePattern> for table " + table + ".");
            }
            LocalDate other = seen.putIfAbsent(name, start);
            if (other != null) {
                throw PartitionException.configuration("<namePattern>" + pattern + "</namePattern> gives the same name '" + name
                        + "' to the " + interval.unit() + "s starting " + other + " and " + start
                        + ". Include enough of the date, e.g. " + interval.defaultNamePattern() + ".");
            }
        }
    }

    /**
     * {@code <oldTableName>} for {@code table}, the name partition:convert gives the table it replaces (and keeps for
     * partition:rollback): when too long, the table's part is cut, not the pattern's, so that a 63-byte
     * table name does not lose its "_old" and come out as the table's own name, and a hash of the whole name goes in its
     * place, so two long tables differing only past the cut never share an old table.
     */
    public static String oldTableName(String pattern, String table) {
        String whole = pattern.replace("{table}", table);
        if (whole.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
            return whole;
        }
        String hash = String.format("_%08x", table.hashCode());
        String b = table;
        while (!b.isEmpty() && pattern.replace("{table}", b + hash).getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            b = b.substring(0, b.length() - 1);
        }
        return pattern.replace("{table}", b + hash);
    }

    @Override
    public String toString() {
        return pattern;
    }

    private enum Token { TABLE }
}
