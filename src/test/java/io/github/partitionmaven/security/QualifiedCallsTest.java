package io.github.partitionmaven.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Defence in depth behind the pinned {@code search_path} (SearchPathHijackTest): every call of a pg_catalog function in
 * the plugin's SQL is written {@code pg_catalog.name(...)}, and every JDBC parameter passed straight to a function carries
 * an explicit cast ({@code pg_catalog.hashtext(?::text)}), so neither a session whose path was changed under the plugin
 * (a {@code SET} in a pooled session, a function body run with the application's path: the capture trigger) nor an
 * overload with an exact-type match can pick another function. No database: the sources are scanned, with the names of
 * PostgreSQL 18's pg_catalog functions from {@code security/pg_catalog_functions.txt}.
 *
 * <p>What is scanned: every string literal and text block of src/main/java (comments are skipped). A call is a name
 * directly followed by {@code (}, the house style; a name, a space and {@code (} is prose ("kept ahead of now (...)") or a
 * keyword ({@code IN (}, {@code CHECK (}).
 */
class QualifiedCallsTest {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
    private static final Predicate<String> TYPE_MODIFIER = Pattern.compile("\\s*\\d+\\s*(,\\s*\\d+\\s*)?").asMatchPredicate();

    /**
     * pg_catalog names that are also SQL grammar, allowed unqualified only in their grammar form (the test sees the text
     * between the parentheses); in the plain call form they must be qualified like any other function.
     */
    private static final Map<String, Predicate<String>> GRAMMAR = Map.ofEntries(
            // EXTRACT(field FROM source): the qualified form is a different syntax, pg_catalog.extract('field', source)
            Map.entry("extract", matches("(?is)\\s*\\w+\\s+FROM\\s.*")),
            // SUBSTRING(s FROM pattern), POSITION(a IN b), OVERLAY(s PLACING t FROM n): keyword arguments
            Map.entry("substring", matches("(?is).*\\sFROM\\s.*")),
            Map.entry("position", matches("(?is).*\\sIN\\s.*")),
            Map.entry("overlay", matches("(?is).*\\sPLACING\\s.*")),
            // UNNEST(a, b, ...) in FROM: only the unqualified name takes several arrays; the parser expands it into one
            // pg_catalog.unnest(x) per array (SystemFuncName("unnest") in transformRangeFunction, parse_clause.c), and
            // pg_catalog.unnest(a, b) is "function does not exist"
            Map.entry("unnest", QualifiedCallsTest::severalArguments),
            // a type with its modifiers in a column definition, numeric(10,2) or varchar(20): not a call
            Map.entry("numeric", TYPE_MODIFIER), Map.entry("varchar", TYPE_MODIFIER),
            Map.entry("bpchar", TYPE_MODIFIER), Map.entry("char", TYPE_MODIFIER),
            Map.entry("bit", TYPE_MODIFIER), Map.entry("varbit", TYPE_MODIFIER),
            Map.entry("timestamp", TYPE_MODIFIER), Map.entry("timestamptz", TYPE_MODIFIER),
            Map.entry("time", TYPE_MODIFIER), Map.entry("timetz", TYPE_MODIFIER),
            Map.entry("interval", TYPE_MODIFIER));

    /**
     * Functions of extensions whose control file says {@code schema = pg_catalog}, so they live there like the built-in
     * ones: Citus (citus.control), as the plugin calls them.
     */
    private static final List<String> EXTENSIONS_IN_PG_CATALOG = List.of("citus_add_local_table_to_metadata", "citus_is_coordinator",
            "citus_total_relation_size", "column_to_column_name", "create_distributed_table", "create_reference_table", "undistribute_table");

    private static Predicate<String> matches(String regex) {
        return Pattern.compile(regex).asMatchPredicate();
    }

    /** Whether the argument text has a comma outside nested parentheses. */
    private static boolean severalArguments(String arguments) {
        int depth = 0;
        for (char ch : arguments.toCharArray()) {
            depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
            if (ch == ',' && depth == 0) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyPgCatalogCallInTheMainSqlIsSchemaQualifiedAndItsParametersCast() throws IOException {
        Set<String> catalog = pgCatalogFunctions();
        List<String> hits = new ArrayList<>();
        int calls = 0;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Scan scan = scan(f.toString(), Files.readString(f), catalog);
                hits.addAll(scan.hits);
                calls += scan.qualified;
            }
        }
        System.out.println("QualifiedCallsTest: " + calls + " qualified pg_catalog calls in src/main/java, " + hits.size() + " not");
        assertEquals(List.of(), hits, "write pg_catalog.name(...) and cast bound parameters (?::pg_catalog.text):\n" + String.join("\n", hits));
        assertTrue(calls > 100, "the scan found the plugin's SQL: " + calls + " qualified calls");
    }

    @Test
    void theScanFlagsUnqualifiedCallsAndUncastParametersAndNothingElse() throws IOException {
        String source = String.join("\n",
                "class X {",
                "  // count(*) in a comment is not SQL",
                "  String a = \"SELECT count(*), pg_catalog.max(x), partman.run_maintenance(?) FROM t\";",
                "  String b = \"\"\"",
                "      SELECT EXTRACT(epoch FROM now()), SUBSTRING(s FROM 'x'), COALESCE(a, b), x::numeric(10,2)",
                "      WHERE pg_catalog.hashtext(?) = pg_catalog.hashtext(?::text) AND c IN (?, ?) AND d = ANY(?)",
                "      \"\"\";",
                "  String c = \"kept ahead of now (\" + d + \"), partition(s) left\";",
                "  String e = \"SELECT pg_catalog.format('%I', n) || lower(x) FROM pg_catalog.unnest(?::text[]) u(v)\";",
                "  String f = \"SELECT 1 FROM unnest(?::int[], ?::text[]) a(i, t), unnest(f(x, y)) b(z), create_distributed_table(t)\";",
                "}");
        Scan scan = scan("X.java", source, pgCatalogFunctions());
        assertEquals(List.of(
                "X.java:3 count(",
                "X.java:3 ? not cast in partman.run_maintenance(",
                "X.java:5 now(",
                "X.java:6 ? not cast in pg_catalog.hashtext(",
                "X.java:9 lower(",
                "X.java:10 unnest(",
                "X.java:10 create_distributed_table("), scan.hits);
        assertEquals(5, scan.qualified, "max, the two hashtext, format and unnest");
    }

    static Set<String> pgCatalogFunctions() throws IOException {
        try (InputStream in = QualifiedCallsTest.class.getResourceAsStream("/security/pg_catalog_functions.txt")) {
            Set<String> names = new TreeSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.strip());
                }
            }
            assertTrue(names.containsAll(List.of("count", "now", "format_type", "pg_get_expr", "hashtext", "to_regclass")), "the name list");
            names.addAll(EXTENSIONS_IN_PG_CATALOG);
            return names;
        }
    }

    record Scan(List<String> hits, int qualified) {
    }

    /** The literals of one Java source, each scanned for calls; hits as {@code file:line what}. */
    static Scan scan(String file, String src, Set<String> catalog) {
        List<String> hits = new ArrayList<>();
        int[] qualified = {0};
        int i = 0;
        int n = src.length();
        while (i < n) {
            char ch = src.charAt(i);
            if (src.startsWith("//", i)) {
                i = endOf(src, "\n", i + 2);
            } else if (src.startsWith("/*", i)) {
                i = endOf(src, "*/", i + 2) + 2;
            } else if (ch == '\'') {
                i = skipQuoted(src, i, '\'');
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                while (end > 0 && src.charAt(end - 1) == '\\') {
                    end = src.indexOf("\"\"\"", end + 1);
                }
                literal(file, src, i + 3, end, catalog, hits, qualified);
                i = end + 3;
            } else if (ch == '"') {
                int end = skipQuoted(src, i, '"');
                literal(file, src, i + 1, end - 1, catalog, hits, qualified);
                i = end;
            } else {
                i++;
            }
        }
        return new Scan(hits, qualified[0]);
    }

    private static int endOf(String src, String end, int from) {
        int at = src.indexOf(end, from);
        return at < 0 ? src.length() : at;
    }

    /** The index after the closing quote of a Java string or char literal starting at {@code start}. */
    private static int skipQuoted(String src, int start, char quote) {
        int i = start + 1;
        while (i < src.length() && src.charAt(i) != quote) {
            i += src.charAt(i) == '\\' ? 2 : 1;
        }
        return i + 1;
    }

    /**
     * One literal, {@code src[from, to)}: each {@code name(} whose name is a pg_catalog function and that is neither
     * qualified ({@code x.name(}), a type after {@code ::} nor an allowed grammar form is a hit; so is a {@code ?} passed
     * directly to a function (qualified or pg_catalog's) without a {@code ::} cast right after it.
     */
    private static void literal(String file, String src, int from, int to, Set<String> catalog, List<String> hits, int[] qualified) {
        String s = src.substring(from, to);
        Deque<String> open = new ArrayDeque<>(); // per open parenthesis: the function it calls, or "" for grouping and keywords
        Matcher name = NAME.matcher(s);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '(') {
                open.push(function(s, i, catalog, name));
                String called = open.peek();
                if (!called.isEmpty() && !called.contains(".")) {
                    String bare = called;
                    Predicate<String> grammar = GRAMMAR.get(bare);
                    if (grammar == null || !grammar.test(arguments(s, i))) {
                        hits.add(file + ":" + line(src, from + i) + " " + bare + "(");
                    }
                } else if (called.startsWith("pg_catalog.")) {
                    qualified[0]++;
                }
            } else if (ch == ')') {
                if (!open.isEmpty()) {
                    open.pop();
                }
            } else if (ch == '?' && !open.isEmpty() && !open.peek().isEmpty() && directArgument(s, i) && !s.startsWith("::", i + 1)) {
                hits.add(file + ":" + line(src, from + i) + " ? not cast in " + open.peek() + "(");
            }
        }
    }

    /**
     * The function a {@code (} at {@code at} calls: {@code schema.name} when qualified, {@code name} when it is an
     * unqualified pg_catalog function, "" for anything else (grouping, keywords, a type after {@code ::}, prose).
     */
    private static String function(String s, int at, Set<String> catalog, Matcher name) {
        int start = at;
        while (start > 0 && (Character.isLetterOrDigit(s.charAt(start - 1)) || s.charAt(start - 1) == '_' || s.charAt(start - 1) == '$')) {
            start--;
        }
        if (start == at || !name.region(start, at).matches()) {
            return "";
        }
        String bare = s.substring(start, at).toLowerCase(java.util.Locale.ROOT);
        char before = start > 0 ? s.charAt(start - 1) : ' ';
        if (before == '.') {
            int schemaStart = start - 1;
            while (schemaStart > 0 && (Character.isLetterOrDigit(s.charAt(schemaStart - 1)) || s.charAt(schemaStart - 1) == '_')) {
                schemaStart--;
            }
            return schemaStart < start - 1 ? s.substring(schemaStart, start - 1).toLowerCase(java.util.Locale.ROOT) + "." + bare : "";
        }
        if (before == ':' || before == '"' || !catalog.contains(bare)) {
            return "";
        }
        return bare;
    }

    /** The text between the {@code (} at {@code at} and its closing parenthesis (or the literal's end). */
    private static String arguments(String s, int at) {
        int depth = 0;
        for (int i = at; i < s.length(); i++) {
            if (s.charAt(i) == '(') {
                depth++;
            } else if (s.charAt(i) == ')' && --depth == 0) {
                return s.substring(at + 1, i);
            }
        }
        return s.substring(at + 1);
    }

    /** Whether the {@code ?} at {@code at} is a whole argument: right after {@code (} or {@code ,}, blanks aside. */
    private static boolean directArgument(String s, int at) {
        int i = at - 1;
        while (i >= 0 && Character.isWhitespace(s.charAt(i))) {
            i--;
        }
        return i >= 0 && (s.charAt(i) == '(' || s.charAt(i) == ',');
    }

    private static int line(String src, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
