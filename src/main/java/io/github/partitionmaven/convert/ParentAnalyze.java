package io.github.partitionmaven.convert;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.Sessions;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.StepWork;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * The statistics of a partitioned table as a whole, which autovacuum never gathers, without analyzing each partition
 * again, before PostgreSQL 18 (which has {@code ANALYZE ONLY}). On 14-17 {@code ANALYZE parent} also analyzes every
 * partition: on 2M seed rows on Debian's PostgreSQL 15 that took 1.6-1.7 s alone and 2.6-2.9 s beside the verification,
 * against 0.5-0.8 s for the verification itself, and each partition was analyzed after its index builds
 * ({@link PartitionIndexBuild}). So a third session holds SHARE UPDATE EXCLUSIVE on every partition, the lock ANALYZE
 * needs on each, while {@code ANALYZE (SKIP_LOCKED) parent} samples the parent (its sampling takes only ACCESS SHARE on
 * the partitions) and skips them; then it commits. Nothing but this conversion uses the new table's partitions yet.
 */
record ParentAnalyze(TableName parent) implements StepWork {

    /** What the third session runs, in one transaction, while the ANALYZE runs. */
    String holdPartitions() {
        return "DO $hold$ DECLARE p pg_catalog.regclass; BEGIN FOR p IN SELECT inhrelid::pg_catalog.regclass FROM pg_catalog.pg_inherits"
                + " WHERE inhparent = " + Sql.literal(parent.sql()) + "::pg_catalog.regclass LOOP EXECUTE pg_catalog.format("
                + "'LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE', p); END LOOP; END $hold$";
    }

    String analyze() {
        return "ANALYZE (SKIP_LOCKED) " + parent.sql();
    }

    /** For the plan: the ANALYZE, with what the third session does around it. */
    List<String> statements() {
        return List.of(analyze() + " -- while a third session holds its partitions: BEGIN; " + holdPartitions() + "; ... COMMIT after it");
    }

    /** Without another session to hold the partitions: the whole ANALYZE, partitions too. */
    @Override
    public void run(Connection c, EngineLog log) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE " + parent.sql());
        }
    }

    @Override
    public void run(Connection c, Sessions sessions, EngineLog log) throws Exception {
        try (Connection holder = sessions.open()) {
            holder.setAutoCommit(false);
            try (Statement h = holder.createStatement(); Statement s = c.createStatement()) {
                log.debug(holdPartitions());
                h.execute(holdPartitions());
                log.debug(analyze());
                s.execute(analyze());
            }
            holder.commit();
        }
    }
}
