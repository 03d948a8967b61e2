package io.github.partitionmaven.check;

import io.github.partitionmaven.core.TableName;
import java.time.Duration;
import java.util.Locale;

/** A statement touching the table whose mean execution time is over the threshold (from pg_stat_statements). */
public record SlowStatement(TableName table, StatementStats statement, Duration threshold, String keyColumn) implements HealthFinding {

    @Override
    public Check check() {
        return Check.SLOW_STATEMENTS;
    }

    @Override
    public String message() {
        return String.format(Locale.ROOT, "statement averaging %.1f ms (max %.1f ms, %d calls), over %d ms: %s", statement.meanMillis(),
                statement.maxMillis(), statement.calls(), threshold.toMillis(), statement.shortQuery());
    }

    @Override
    public String remedy() {
        return "EXPLAIN it: a condition on " + keyColumn + " lets PostgreSQL skip partitions; check its indexes";
    }
}
