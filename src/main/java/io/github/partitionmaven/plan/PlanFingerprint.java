package io.github.partitionmaven.plan;

import io.github.partitionmaven.catalog.PartitionInfo;
import io.github.partitionmaven.catalog.TableState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a reviewed plan promises, per table and goal, as canonical lines and their SHA-256.
 *
 * <p>The lines are, in step order: the step's goal and table, each lock (mode and relation), the catalog bound of
 * every existing partition a lock names (the facts the statements were computed from: a partition whose bounds
 * changed, or a default partition that became a range partition, changes the lines even where the statements would
 * not), and each statement verbatim. Left out on purpose: row counts, estimates and reasons (they move with every
 * insert of a live application and change nothing that runs), and partitions the steps do not lock (premake creating
 * a partition does not invalidate the reviewed prune steps that run after it in the same deploy job).
 */
public final class PlanFingerprint {

    /** One step as the fingerprint sees it; {@code reads} holds "relation bound" for every locked existing partition. */
    public record StepFacts(Goal goal, String table, List<String> locks, List<String> reads, List<String> statements) {
        public StepFacts {
            locks = List.copyOf(locks);
            reads = List.copyOf(reads);
            statements = List.copyOf(statements);
        }
    }

    private PlanFingerprint() {
    }

    public static StepFacts facts(Step step, TableState state) {
        Map<String, PartitionInfo> partitions = Stream.concat(state.partitions().stream(), state.defaultPartition().stream())
                .collect(Collectors.toMap(p -> p.name().sql(), Function.identity(), (a, b) -> a));
        List<String> reads = new ArrayList<>();
        for (Lock l : step.locks()) {
            Optional.ofNullable(partitions.get(l.relation().sql()))
                    .ifPresent(p -> reads.add(p.name().sql() + " " + (p.isDefault() ? "DEFAULT" : p.bound())
                            + (p.detachPending() ? " (detach pending)" : "")));
        }
        return new StepFacts(step.goal(), step.table().sql(), step.locks().stream().map(l -> l.mode().sqlName() + " " + l.relation().sql()).toList(),
                reads, step.statements());
    }

    /** The facts of one goal's steps for one table. */
    public static List<StepFacts> facts(TablePlan plan, Goal goal) {
        return plan.steps(goal).stream().map(s -> facts(s, plan.state())).toList();
    }

    public static List<String> lines(List<StepFacts> steps) {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (StepFacts s : steps) {
            out.add("step " + ++n + " [" + s.goal().goalName() + "] " + s.table());
            s.locks().forEach(l -> out.add("  lock  " + l));
            s.reads().forEach(r -> out.add("  reads " + r));
            s.statements().forEach(st -> out.add("  sql   " + st.replace("\n", "\n        ")));
        }
        return out;
    }

    public static String sha256(List<String> lines) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String line : lines) {
                md.update(line.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    public static String of(TablePlan plan, Goal goal) {
        return sha256(lines(facts(plan, goal)));
    }

    /** A line diff (longest common subsequence): "- " for reviewed lines not in the fresh plan, "+ " for new ones. */
    public static List<String> diff(List<String> reviewed, List<String> fresh) {
        int n = reviewed.size();
        int m = fresh.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = reviewed.get(i).equals(fresh.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && reviewed.get(i).equals(fresh.get(j))) {
                i++;
                j++;
            } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
                out.add("+ " + fresh.get(j++));
            } else {
                out.add("- " + reviewed.get(i++));
            }
        }
        return out;
    }
}
