package io.github.partitionmaven.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package map of docs/architecture.md true: every package of src/main imports only packages
 * of a lower layer, the goals (one package each) do not import one another, and only the mojos see Maven.
 * Reads the sources, so a new package must be placed in {@link #LAYERS} before it compiles into the build.
 */
class LayeringTest {

    private static final String BASE = "io.github.partitionmaven.";

    /** Bottom to top; packages on one line are one layer and may not import each other. */
    private static final List<List<String>> LAYERS = List.of(
            List.of("core"),
            List.of("policy"),
            List.of("catalog"),
            List.of("plan"),
            List.of("execute"),
            List.of("premake", "convert", "prune", "check", "partman"),
            List.of("report"),
            List.of("engine"),
            List.of("mojo"));

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);

    @Test
    void everyPackageImportsOnlyLowerLayers() throws IOException {
        Map<String, Integer> layer = new java.util.HashMap<>();
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String p : LAYERS.get(i)) {
                layer.put(p, i);
            }
        }
        List<String> violations = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        for (Path file : sources()) {
            String src = Files.readString(file);
            Matcher pm = PACKAGE.matcher(src);
            assertTrue(pm.find(), file + " has no package line");
            String pkg = relative(pm.group(1));
            seen.add(pkg);
            Integer own = layer.get(pkg);
            if (own == null) {
                violations.add(file + ": package " + pkg + " is in no layer of LayeringTest.LAYERS (and docs/architecture.md)");
                continue;
            }
            Matcher im = IMPORT.matcher(src);
            while (im.find()) {
                String imported = im.group(1);
                if (imported.startsWith("org.apache.maven.") && !pkg.equals("mojo")) {
                    violations.add(file + " imports the Maven API (" + imported + "): only the mojo package may");
                }
                if (!imported.startsWith(BASE)) {
                    continue;
                }
                String target = relative(imported).split("\\.")[0];
                Integer theirs = layer.get(target);
                if (target.equals(pkg) || theirs == null) {
                    continue;
                }
                if (theirs >= own) {
                    violations.add(file.getFileName() + " (" + pkg + ") imports " + imported + " (" + target + "), which is "
                            + (theirs.equals(own) ? "beside it" : "above it"));
                }
            }
        }
        assertEquals(List.of(), violations, "imports against the layers");
        assertTrue(seen.containsAll(List.of("core", "plan", "engine", "mojo")), "the sources were found: " + seen);
    }

    private static String relative(String name) {
        return name.startsWith(BASE) ? name.substring(BASE.length()).replaceAll("\\.[A-Z].*$", "") : name;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }
}
