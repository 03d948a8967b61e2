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
 * @param failure what a failure of this step leaves behind, and where the error is recorded for the next plan
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
        Optional<Failure> failure) {

    /**
     * What is left if the step fails (the steps before it stay applied) and how to continue or abandon; the error is
     * written to {@code record} (a table with columns last_error, last_error_at, added if missing) when it exists.
     */
    public record Failure(String leftBehind, Optional<TableName> record) {
    }

    public Step(Goal goal, TableName table, String action, String reason, List<String> statements, List<Lock> locks, long rows,
                boolean transactional, Optional<StepWork> work, Optional<Duration> estimate, List<TableName> creates) {
        this(goal, table, action, reason, statements, locks, rows, transactional, work, estimate, creates, Optional.empty());
    }

    public static Step transactional(Goal goal, TableName table, String action, String reason, List<String> statements,
                                     List<Lock> locks, long rows) {
        return new Step(goal, table, action, reason, List.copyOf(statements), List.copyOf(locks), rows, true,
                Optional.empty(), Optional.empty(), List.of());
    }

    public static Step autocommit(Goal goal, TableName table, String action, String reason, List<String> statements,
                                  List<Lock> locks, long rows) {
        return new Step(goal, table, action, reason, List.copyOf(statements), List.copyOf(locks), rows, false,
                Optional.empty(), Optional.empty(), List.of());
    }

    public Step withWork(StepWork w) {
        return new Step(goal, table, action, reason, statements, locks, rows, transactional, Optional.of(w), estimate, creates, failure);
    }

    public Step withEstimate(Duration d) {
        return new Step(goal, table, action, reason, statements, locks, rows, transactional, work, Optional.of(d), creates, failure);
    }

    /** Declares the relations this step creates, so the engine can refuse names already taken before anything runs. */
    public Step withCreates(List<TableName> names) {
        return new Step(goal, table, action, reason, statements, locks, rows, transactional, work, estimate, List.copyOf(names), failure);
    }

    /** Declares what a failure of this step leaves behind (see {@link Failure}). */
    public Step withFailure(Failure f) {
        return new Step(goal, table, action, reason, statements, locks, rows, transactional, work, estimate, creates, Optional.of(f));
    }
}
