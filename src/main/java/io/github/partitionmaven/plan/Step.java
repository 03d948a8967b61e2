package io.github.partitionmaven.plan;

import io.github.partitionmaven.core.TableName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One unit of change: the statements it runs, the locks it takes, the rows it touches and why.
 * A transactional step runs all its statements in one transaction under {@code lock_timeout}, so
 * it either happens whole or not at all; a non-transactional one (DETACH ... CONCURRENTLY) runs
 * each statement on its own.
 *
 * @param work runs instead of the statements when present; the statements then describe it
 * @param estimate expected duration, when it is worth saying
 * @param creates relations the step creates
 * @param requires the privileges the step needs, when they differ from what {@link #requirements()} derives
 */
public record Step(
        Goal goal,
        TableName table,
        String action,
        String reason,
        List<String> statements,
        List<Lock> locks,
        long rows,
        boolean transactional,
        Optional<StepWork> work,
        Optional<Duration> estimate,
        List<TableName> creates,
        Optional<List<Requirement>> requires) {

    public static Step transactional(Goal goal, TableName table, String action, String reason, List<String> statements,
                                     List<Lock> locks, long rows) {
        return new Step(goal, table, action, reason, List.copyOf(statements), List.copyOf(locks), rows, true,
                Optional.empty(), Optional.empty(), List.of(), Optional.empty());
    }

    public static Step autocommit(Goal goal, TableName table, String action, String reason, List<String> statements,
                                  List<Lock> locks, long rows) {
        return new Step(goal, table, action, reason, List.copyOf(statements), List.copyOf(locks), rows, false,
                Optional.empty(), Optional.empty(), List.of(), Optional.empty());
    }

    public Step withWork(StepWork w) {
        return new Step(goal, table, action, reason, statements, locks, rows, transactional, Optional.of(w), estimate, creates, requires);
    }

    public Step withEstimate(Duration d) {
        return new Step(goal, table, action, reason, statements, locks, rows, transactional, work, Optional.of(d), creates, requires);
    }

    /** Declares the relations this step creates, so the engine can refuse names already taken before anything runs. */
    public Step withCreates(List<TableName> names) {
        return new Step(goal, table, action, reason, statements, locks, rows, transactional, work, estimate, List.copyOf(names), requires);
    }

    /** Declares the privileges the step needs, replacing what {@link #requirements()} would derive from its locks. */
    public Step withRequires(List<Requirement> needed) {
        return new Step(goal, table, action, reason, statements, locks, rows, transactional, work, estimate, creates,
                Optional.of(List.copyOf(needed)));
    }

    /**
     * The privileges the role running this step needs: CREATE on the schema of every relation it creates, and ownership
     * of every relation it locks in SHARE UPDATE EXCLUSIVE mode or stronger, since in PostgreSQL only the owner (or a
     * member of the owning role) may ALTER, ATTACH, DETACH, DROP, index or put triggers on a table. Weaker locks come
     * from reads and writes, which the owner may do. A step that needs something else declares it with {@link #withRequires}.
     */
    public List<Requirement> requirements() {
        if (requires.isPresent()) {
            return requires.get();
        }
        java.util.LinkedHashSet<Requirement> out = new java.util.LinkedHashSet<>();
        creates.forEach(c -> out.add(Requirement.create(c)));
        for (Lock l : locks) {
            if (l.mode().compareTo(LockMode.SHARE_UPDATE_EXCLUSIVE) >= 0) {
                out.add(Requirement.owner(l.relation()));
            }
        }
        return List.copyOf(out);
    }
}
