package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.Sessions;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.EngineLog;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@code main} on the step's session while {@code alongside} runs, statement by statement, on a second session;
 * the step ends when both have. If either fails, the other is cancelled and the first failure is reported.
 */
public record AlongsideWork(StepWork main, List<String> alongside) implements StepWork {

    /** Without a second session: one after the other. */
    @Override
    public void run(Connection connection, EngineLog log) throws Exception {
        main.run(connection, log);
        runAlongside(connection, new AtomicReference<>(), log);
    }

    @Override
    public void run(Connection connection, Sessions sessions, EngineLog log) throws Exception {
        AtomicReference<Statement> running = new AtomicReference<>();
        try (Connection second = sessions.open()) {
            SideBySide.run(() -> {
                main.run(connection, sessions, log);
                return null;
            }, List.of(() -> {
                runAlongside(second, running, log);
                return null;
            }), () -> {
                try {
                    Statement s = running.get();
                    if (s != null) {
                        s.cancel();
                    }
                } catch (SQLException ignored) {
                    // the statement ended meanwhile
                }
            });
        }
    }

    /** The statements that go beside the main work, one after the other; {@code running} lets them be cancelled. */
    private void runAlongside(Connection c, AtomicReference<Statement> running, EngineLog log) throws SQLException {
        try (Statement s = c.createStatement()) {
            running.set(s);
            for (String sql : alongside) {
                log.debug(sql);
                s.execute(sql);
            }
        }
    }
}
