package io.github.partitionmaven.execute;

import io.github.partitionmaven.core.Sessions;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.EngineLog;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Runs {@code main} on the step's session while the {@code alongside} works run, one after the other, on a second
 * session; the step ends when both have. If either fails, the other is cancelled and the first failure is reported.
 */
public record AlongsideWork(StepWork main, List<StepWork> alongside) implements StepWork {

    public AlongsideWork {
        alongside = List.copyOf(alongside);
    }

    /** Statements run one after the other. */
    public static StepWork statements(List<String> sql) {
        List<String> copy = List.copyOf(sql);
        return (c, log) -> {
            try (Statement s = c.createStatement()) {
                for (String one : copy) {
                    log.debug(one);
                    s.execute(one);
                }
            }
        };
    }

    /** Without a second session: one after the other. */
    @Override
    public void run(Connection connection, EngineLog log) throws Exception {
        main.run(connection, log);
        for (StepWork work : alongside) {
            work.run(connection, log);
        }
    }

    @Override
    public void run(Connection connection, Sessions sessions, EngineLog log) throws Exception {
        try (Connection second = sessions.open()) {
            SideBySide.run(() -> {
                main.run(connection, sessions, log);
                return null;
            }, List.of(() -> {
                for (StepWork work : alongside) {
                    work.run(second, sessions, log);
                }
                return null;
            }), () -> cancel(second));
        }
    }

    private static void cancel(Connection c) {
        try {
            c.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException ignored) {
            // the session ended meanwhile
        }
    }
}
