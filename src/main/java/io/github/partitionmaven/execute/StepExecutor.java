package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.core.Sessions;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs steps guarded: every statement under {@code lock_timeout}, so the application never queues
 * behind the plugin for longer than that; a step that cannot get its locks is rolled back, autovacuum on its
 * tables is asked to give way ({@link AutovacuumYield}), and it is retried, at once after a cancellation, else with
 * backoff, a bounded number of times, then reported with the sessions that blocked it. On a Citus
 * coordinator every session is set up by {@link CitusSession}, so that the {@code SET LOCAL lock_timeout}
 * each transaction starts with binds on the workers' shards as well.
 */
public final class StepExecutor {

    static final String LOCK_NOT_AVAILABLE = "55P03";
    static final String DEADLOCK_DETECTED = "40P01";
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Connection connection;
    private final Sessions sessions;
    private final RunSettings settings;
    private final EngineLog log;
    private final CitusSession citus;

    /** @param opener opens another session like {@code connection}, for steps whose work spreads over several */
    public StepExecutor(Connection connection, Supplier<Connection> opener, RunSettings settings, EngineLog log) {
        this.connection = connection;
        this.settings = settings;
        this.log = log;
        try {
            this.citus = CitusSession.prepare(connection);
        } catch (SQLException e) {
            throw PartitionException.environment("Could not prepare the session for running steps: " + e.getMessage(), e);
        }
        this.sessions = () -> {
            Connection extra = opener.get();
            try (Statement s = extra.createStatement()) {
                citus.prepareAnother(extra);
                s.execute(lockTimeout());
                return extra;
            } catch (SQLException e) {
                Connections.closeQuietly(extra);
                throw e;
            }
        };
    }

    private String lockTimeout() {
        return "SET lock_timeout = " + Sql.literal(settings.lockTimeout().toMillis() + "ms");
    }

    public void run(Step step) {
        int doneStatements = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                if (step.transactional()) {
                    runInTransaction(step);
                } else {
                    doneStatements = runAutocommit(step, doneStatements);
                }
                return;
            } catch (SQLException e) {
                boolean retryable = LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || DEADLOCK_DETECTED.equals(e.getSQLState());
                if (!retryable) {
                    throw failed(step, "Step '" + step.action() + "' failed: " + cause(e) + ". " + leftBehind(step), e);
                }
                List<AutovacuumYield.Worker> workers = yieldAutovacuum(step);
                String autovacuum = AutovacuumYield.describe(workers);
                if (attempt >= settings.maxAttempts()) {
                    throw failed(step, "Gave up on step '" + step.action() + "' after "
                            + attempt + " attempt(s): could not get its locks (" + describe(step.locks()) + ") within <lockTimeout>"
                            + settings.lockTimeout().toMillis() + "ms</lockTimeout>. " + (autovacuum.isEmpty() ? "" : autovacuum + " ") + blockers(step)
                            + (step.transactional() ? " The step was rolled back; nothing of it was applied." : "")
                            + " Retry when those sessions finish, or raise <lockTimeout>/<maxAttempts>.", e);
                }
                // right after a cancellation: queued for the lock, the step makes the next worker skip the table
                Duration pause = workers.stream().anyMatch(AutovacuumYield.Worker::cancelled) ? Duration.ZERO : backoff(attempt);
                log.warn("Step '" + step.action() + "' could not get its locks within " + settings.lockTimeout().toMillis()
                        + " ms (" + e.getMessage() + "); attempt " + attempt + " of " + settings.maxAttempts() + ", retrying in "
                        + pause.toMillis() + " ms" + (autovacuum.isEmpty() ? "" : "; " + autovacuum));
                sleep(pause);
            } catch (PartitionException e) {
                if (step.failure().isEmpty()) {
                    throw e;
                }
                step.failure().get().record().ifPresent(table -> record(table, e.getMessage()));
                throw new PartitionException(e.kind(), e.getMessage() + " " + step.failure().get().leftBehind(), e);
            } catch (Exception e) {
                throw failed(step, "Step '" + step.action() + "' failed: " + cause(e) + ". " + leftBehind(step), e);
            }
        }
    }

    /**
     * The error of a failed step, with what the steps before it left behind and how to go on; the error is also
     * recorded (best effort: the session may be the one that was killed) where the next plan shows it.
     */
    private PartitionException failed(Step step, String message, Exception cause) {
        if (step.failure().isEmpty()) {
            return PartitionException.environment(message, cause);
        }
        Step.Failure f = step.failure().get();
        f.record().ifPresent(table -> record(table, message));
        return PartitionException.environment(message + " " + f.leftBehind(), cause);
    }

    private void record(io.github.partitionmaven.core.TableName table, String message) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            try (Statement s = connection.createStatement()) {
                s.execute("ALTER TABLE " + table.sql() + " ADD COLUMN IF NOT EXISTS last_error text, ADD COLUMN IF NOT EXISTS last_error_at timestamptz");
            }
            try (PreparedStatement ps = connection.prepareStatement("UPDATE " + table.sql() + " SET last_error = ?, last_error_at = pg_catalog.now()")) {
                ps.setString(1, message);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            log.debug("could not record the error in " + table + ": " + e.getMessage());
        }
    }

    private void runInTransaction(Step step) throws Exception {
        connection.setAutoCommit(false);
        try {
            try (Statement s = connection.createStatement()) {
                s.execute("SET LOCAL lock_timeout = " + Sql.literal(settings.lockTimeout().toMillis() + "ms"));
                if (step.work().isPresent()) {
                    step.work().get().run(connection, sessions, log);
                } else {
                    for (String sql : step.statements()) {
                        log.debug(sql);
                        s.execute(sql);
                    }
                }
            }
            connection.commit();
        } catch (Exception e) {
            rollbackKeeping(e);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /**
     * Rolls back without losing {@code failure}: pgjdbc cancels a COPY whose output stream failed (a full disk) through a
     * separate cancel request, which the server may deliver after the COPY ended, to the next statement: the ROLLBACK. Its
     * "canceling statement due to user request" would then replace the real cause, so it is kept as suppressed and the
     * ROLLBACK is sent once more (the transaction is still open and aborted; the second one ends it).
     */
    private void rollbackKeeping(Exception failure) throws SQLException {
        try {
            connection.rollback();
        } catch (SQLException late) {
            failure.addSuppressed(late);
            connection.rollback();
        }
    }

    /** Runs each statement on its own, resuming after the ones already done; returns how many are done. */
    private int runAutocommit(Step step, int alreadyDone) throws Exception {
        try (Statement s = connection.createStatement()) {
            s.execute(lockTimeout());
            if (step.work().isPresent()) {
                step.work().get().run(connection, sessions, log);
                return step.statements().size();
            }
            int done = alreadyDone;
            List<String> statements = step.statements();
            while (done < statements.size()) {
                log.debug(statements.get(done));
                s.execute(statements.get(done));
                done++;
            }
            return done;
        }
    }

    /**
     * What went wrong, down to the root: the SQL state of a database error, and the causes behind it (a COPY the server
     * reports as "canceling statement due to user request" was cancelled by the client because its file could not be
     * written: the I/O error is the cause worth reading). An exception without a message is named by its class.
     */
    static String cause(Throwable e) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 5; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (depth > 0) {
                sb.append("; caused by ");
            }
            boolean named = t.getMessage() == null || t.getMessage().isBlank() || depth > 0 || !(t instanceof SQLException);
            sb.append(named ? t.getClass().getSimpleName() + (t.getMessage() == null || t.getMessage().isBlank() ? "" : ": ") : "")
                    .append(t.getMessage() == null ? "" : t.getMessage().strip());
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                sb.append(" (SQL state ").append(sql.getSQLState()).append(')');
            }
        }
        return sb.toString();
    }

    /** What a failed step leaves: a transactional one nothing, an autocommit one what it finished (the next run resumes). */
    private static String leftBehind(Step step) {
        return step.transactional() ? "It was rolled back; nothing of it was applied."
                : "It runs outside a single transaction: what it finished stays, and the next run resumes from what the catalog shows.";
    }

    private Duration backoff(int attempt) {
        long base = Math.max(100, settings.lockTimeout().toMillis()) << Math.min(attempt - 1, 10);
        long jitter = (long) (Math.random() * 100);
        return Duration.ofMillis(Math.min(base, MAX_BACKOFF.toMillis()) + jitter);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PartitionException.environment("Interrupted while waiting to retry", e);
        }
    }

    private static String describe(List<Lock> locks) {
        return String.join("; ", locks.stream().map(l -> l.mode().sqlName() + " on " + l.relation().sql()).toList());
    }

    /** Lets autovacuum give way to a step it may have kept from its locks ({@link AutovacuumYield}): the workers it found. */
    private List<AutovacuumYield.Worker> yieldAutovacuum(Step step) {
        if (!AutovacuumYield.mayWaitFor(step.locks())) {
            return List.of();
        }
        try {
            return AutovacuumYield.yieldOn(connection, step.locks().stream().map(Lock::relation).distinct().toList());
        } catch (SQLException e) {
            log.debug("autovacuum on the tables of step '" + step.action() + "' could not be looked at: " + e.getMessage());
            return List.of();
        }
    }

    /** The sessions holding locks on the step's relations: pid, user, state, since when, and what they run. */
    private String blockers(Step step) {
        String sql = """
                SELECT DISTINCT a.pid, coalesce('user ' || a.usename, a.backend_type, 'a session') AS who, CURRENT_USER::text AS me,
                       a.state, coalesce(a.xact_start, a.query_start) AS since,
                       pg_catalog.left(pg_catalog.regexp_replace(a.query, '\\s+', ' ', 'g'), 200) AS query, l.mode, l.relation::regclass::text AS rel
                  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE l.granted AND a.pid <> pg_catalog.pg_backend_pid()
                   AND l.relation IN (SELECT pg_catalog.to_regclass(x) FROM pg_catalog.unnest(?::pg_catalog.text[]) AS x)
                 ORDER BY since NULLS LAST""";
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setArray(1, connection.createArrayOf("text", step.locks().stream().map(l -> l.relation().sql()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // pg_stat_activity shows another role's session only to pg_read_all_stats: no state, no query, no backend type
                    boolean hidden = "<insufficient privilege>".equals(rs.getString("query"));
                    String me = Sql.ident(rs.getString("me"));
                    found.add("pid " + rs.getInt("pid") + " (" + rs.getString("who") + (hidden ? ", hidden from " + me + ": GRANT pg_read_all_stats TO "
                            + me + " shows what it runs and, if it is autovacuum, lets the plugin cancel it" : ", " + rs.getString("state") + " since "
                            + rs.getObject("since", java.time.OffsetDateTime.class)) + ", holds " + rs.getString("mode") + " on " + rs.getString("rel")
                            + ")" + (hidden ? "" : ": " + rs.getString("query")));
                }
            }
        } catch (SQLException e) {
            return "The blocking sessions could not be listed: " + e.getMessage() + ".";
        }
        if (found.isEmpty() && citus.citus()) {
            return "No session on the coordinator holds those locks: on Citus the blocker may hold the table's shards on a worker"
                    + " (SELECT * FROM citus_lock_waits, or citus_stat_activity, on the coordinator lists such sessions).";
        }
        return found.isEmpty() ? "No session holds those locks now; the blocker has finished." : "Blocking sessions: " + String.join("; ", found) + ".";
    }
}
