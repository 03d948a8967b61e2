package io.github.partitionmaven.plan;

import io.github.partitionmaven.core.Sessions;
import io.github.partitionmaven.core.EngineLog;
import java.sql.Connection;

/**
 * Work a step does beyond running its statements in order (an export to a file, a batched copy).
 * The step's statements still show, for the plan, the SQL this work runs.
 */
@FunctionalInterface
public interface StepWork {

    void run(Connection connection, EngineLog log) throws Exception;

    /** Runs the work; work that can spread over several sessions opens them with {@code sessions}. */
    default void run(Connection connection, Sessions sessions, EngineLog log) throws Exception {
        run(connection, log);
    }
}
