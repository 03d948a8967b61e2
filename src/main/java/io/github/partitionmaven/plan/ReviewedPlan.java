package io.github.partitionmaven.plan;

import io.github.partitionmaven.core.JsonReader;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.PlanFingerprint.StepFacts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code plan.json} a team reviewed, which an applying goal must match exactly
 * ({@code -Dpartition.planFile=target/partition/plan.json}). Per table and goal it holds the steps as
 * {@link PlanFingerprint} sees them; {@link #requireSame} refuses a fresh plan that differs, printing the difference.
 */
public final class ReviewedPlan {

    /** No plan file given: every fresh plan is accepted. */
    public static final ReviewedPlan NONE = new ReviewedPlan(null, Map.of());

    private final Path file;
    private final Map<String, Map<Goal, List<StepFacts>>> tables;

    private ReviewedPlan(Path file, Map<String, Map<Goal, List<StepFacts>>> tables) {
        this.file = file;
        this.tables = tables;
    }

    public boolean isPresent() {
        return file != null;
    }

    /** Reads and validates the file before anything runs: unreadable, foreign or edited files are refused. */
    public static ReviewedPlan read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw PartitionException.configuration("Cannot read the reviewed plan <planFile>" + file + "</planFile>: " + e.getMessage()
                    + ". Write it with `mvn partition:plan` (target/partition/plan.json) and pass that file. Nothing was changed.");
        }
        Map<String, Map<Goal, List<StepFacts>>> tables = new LinkedHashMap<>();
        try {
            Map<?, ?> root = (Map<?, ?>) JsonReader.read(text);
            for (Object t : (List<?>) root.get("tables")) {
                Map<?, ?> tm = (Map<?, ?>) t;
                String table = (String) tm.get("table");
                Map<Goal, List<StepFacts>> goals = new LinkedHashMap<>();
                for (Object s : (List<?>) tm.get("steps")) {
                    Map<?, ?> sm = (Map<?, ?>) s;
                    Goal goal = Goal.valueOf(((String) sm.get("goal")).toUpperCase(Locale.ROOT));
                    List<String> locks = ((List<?>) sm.get("locks")).stream()
                            .map(l -> ((Map<?, ?>) l).get("mode") + " " + ((Map<?, ?>) l).get("relation")).toList();
                    goals.computeIfAbsent(goal, g -> new ArrayList<>()).add(new StepFacts(goal, table, locks,
                            strings(sm.get("dependsOn")), strings(sm.get("sql"))));
                }
                Map<?, ?> fingerprints = (Map<?, ?>) tm.get("fingerprints");
                for (Map.Entry<?, ?> e : fingerprints.entrySet()) {
                    Goal goal = Goal.valueOf(((String) e.getKey()).toUpperCase(Locale.ROOT));
                    String recomputed = PlanFingerprint.sha256(PlanFingerprint.lines(goals.getOrDefault(goal, List.of())));
                    if (!recomputed.equals(e.getValue())) {
                        throw PartitionException.configuration("The reviewed plan " + file + " was edited after partition:plan wrote it:"
                                + " the " + goal.goalName() + " steps of " + table + " do not match their fingerprint " + e.getValue()
                                + ". Write it again with `mvn partition:plan` and review that. Nothing was changed.");
                    }
                    goals.putIfAbsent(goal, List.of());
                }
                tables.put(table, goals);
            }
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            if (e instanceof PartitionException) {
                throw e;
            }
            throw PartitionException.configuration("The reviewed plan " + file + " is not a plan.json of partition:plan with fingerprints"
                    + " (" + e.getMessage() + "). Write it with `mvn partition:plan` of this plugin version and pass that file."
                    + " Nothing was changed.");
        }
        return new ReviewedPlan(file, tables);
    }

    private static List<String> strings(Object list) {
        return list == null ? List.of() : ((List<?>) list).stream().map(String::valueOf).toList();
    }

    /**
     * Refuses, naming every difference, when the fresh plan of {@code goal} differs from the reviewed one for any of
     * {@code fresh}'s tables; with {@code everyTable}, also when the file has steps of the goal for a table not planned now.
     *
     * @param appliedBefore empty when nothing ran yet in this run; otherwise what already ran on other tables, for the message
     */
    public void requireSame(Goal goal, List<TablePlan> fresh, boolean everyTable, String appliedBefore) {
        if (!isPresent()) {
            return;
        }
        List<String> report = new ArrayList<>();
        Set<String> planned = new LinkedHashSet<>();
        for (TablePlan t : fresh) {
            String table = t.state().name().sql();
            planned.add(table);
            Map<Goal, List<StepFacts>> reviewed = tables.get(table);
            if (reviewed == null || !reviewed.containsKey(goal)) {
                if (!t.steps(goal).isEmpty()) {
                    report.add(table + ": the reviewed plan has no " + goal.goalName() + " steps for this table; now there are "
                            + t.steps(goal).size() + ":");
                    PlanFingerprint.lines(PlanFingerprint.facts(t, goal)).forEach(l -> report.add("  + " + l));
                }
                continue;
            }
            List<String> before = PlanFingerprint.lines(reviewed.get(goal));
            List<String> now = PlanFingerprint.lines(PlanFingerprint.facts(t, goal));
            if (!before.equals(now)) {
                report.add(table + ": " + goal.goalName() + " reviewed " + reviewed.get(goal).size() + " step(s) ("
                        + PlanFingerprint.sha256(before).substring(0, 12) + "), the fresh plan has " + t.steps(goal).size() + " ("
                        + PlanFingerprint.sha256(now).substring(0, 12) + "):");
                PlanFingerprint.diff(before, now).forEach(l -> report.add("  " + l));
            }
        }
        if (everyTable) {
            tables.forEach((table, goals) -> {
                if (!planned.contains(table) && !goals.getOrDefault(goal, List.of()).isEmpty()) {
                    report.add(table + ": the reviewed plan has " + goals.get(goal).size() + " " + goal.goalName()
                            + " step(s) for it, but it is not configured now.");
                }
            });
        }
        if (!report.isEmpty()) {
            String message = "The fresh " + goal.goalName() + " plan differs from the reviewed plan " + file
                    + " (the database, now or the configuration changed since it was reviewed):\n" + String.join("\n", report)
                    + "\nRun `mvn partition:plan` again, review the new plan and pass that file.";
            if (appliedBefore.isEmpty()) {
                throw PartitionException.databaseState(message);
            }
            // A concurrent change between the first comparison and this table's lock: earlier tables already ran.
            throw new PartitionException(PartitionException.Kind.DATABASE_STATE, message + " Nothing was changed on "
                    + String.join(", ", planned) + "; already applied in this run: " + appliedBefore + ".");
        }
    }
}
