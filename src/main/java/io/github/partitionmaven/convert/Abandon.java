package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.policy.TablePolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code partition:convert -Dpartition.abandon}: removes everything an unfinished conversion of a plain table created,
 * found in the catalog (not remembered), so it also cleans up after a killed run. Copy: the capture trigger, its function
 * and the change log first (they cost every write of the application), then the new table with its partitions and the
 * progress record. Attach: the bounding CHECK (which refuses rows past its bound) and the extended-key index. The table
 * itself and its rows are never touched; each step runs under lock_timeout like every other.
 */
final class Abandon {

    private Abandon() {
    }

    static TablePlan plan(TablePolicy policy, TableState state, ConvertFacts facts, ConvertNames names) {
        TableName t = state.name();
        List<Step> steps = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        if (facts.exists(names.changeLog())) {
            Transfer transfer = new Transfer(t, names.shadow(), "", "", List.of(), names.changeLog(), names.captureFunction());
            steps.add(Step.transactional(Goal.CONVERT, t, "remove the change capture from " + t + ": triggers "
                            + Sql.ident(ConvertNames.CAPTURE_TRIGGER) + " and " + Sql.ident(ConvertNames.TRUNCATE_GUARD) + ", function "
                            + names.captureFunction().sql() + ", change log " + names.changeLog().sql(),
                    "abandoning the conversion: the trigger logs every insert, update and delete of the application until removed;"
                            + " dropping a trigger takes " + t + "'s ACCESS EXCLUSIVE lock for an instant, under lock_timeout",
                    transfer.dropCaptureIfExists(), List.of(new Lock(t, LockMode.ACCESS_EXCLUSIVE)), 0));
            removed.add("the capture triggers and function and " + names.changeLog());
        }
        // before the new table goes: its bigint column is what tells a sequence <widenKeys> widened
        List<Finding> findings = new ArrayList<>();
        List<ColumnChanges.Narrowing> narrowings = ColumnChanges.Narrowing.of(facts, t, names.shadow());
        narrowings.stream().filter(n -> !n.fits()).forEach(n -> findings.add(Finding.warning(n.staysBigint(t))));
        List<ColumnChanges.Narrowing> narrowed = narrowings.stream().filter(ColumnChanges.Narrowing::fits).toList();
        if (!narrowed.isEmpty()) {
            String list = String.join(", ", narrowed.stream().map(n -> n.sequence().sequence().sql() + " back to " + n.type()).toList());
            steps.add(Step.transactional(Goal.CONVERT, t, "sequence(s) " + list, "abandoning the conversion: <widenKeys> made them bigint"
                            + " before the swap; " + t + "'s own column(s) are what they feed again, and their last values fit. ALTER SEQUENCE"
                            + " ... AS rewrites nothing and holds SHARE ROW EXCLUSIVE on the sequence alone for an instant (nextval waits)",
                    narrowed.stream().map(ColumnChanges.Narrowing::statement).toList(),
                    narrowed.stream().map(n -> new Lock(n.sequence().sequence(), LockMode.SHARE_ROW_EXCLUSIVE)).toList(), 0));
            removed.add("the widening of sequence(s) " + String.join(", ", narrowed.stream().map(n -> n.sequence().sequence().sql()).toList()));
        }
        List<TableName> tables = new ArrayList<>();
        if (facts.exists(names.shadow())) {
            tables.add(names.shadow());
        }
        if (facts.exists(names.progress())) {
            tables.add(names.progress());
        }
        if (!tables.isEmpty()) {
            String list = String.join(", ", tables.stream().map(TableName::sql).toList());
            List<String> sql = new ArrayList<>(List.of("DROP TABLE IF EXISTS " + list));
            // an attach's successor took the names of the table's indexes, which it renamed to <name>_old: they get them back
            List<String> renamed = new ArrayList<>();
            for (String name : facts.objectNames(names.shadow())) {
                String retired = ConvertNames.retired(name);
                if (facts.object(t, retired).isPresent() && facts.object(t, name).isEmpty()) {
                    sql.add("ALTER INDEX " + new TableName(t.schema(), retired).sql() + " RENAME TO " + Sql.ident(name));
                    renamed.add(Sql.ident(name));
                }
            }
            renamed.sort(null);
            List<Lock> locks = new ArrayList<>(tables.stream().map(n -> new Lock(n, LockMode.ACCESS_EXCLUSIVE)).toList());
            if (!renamed.isEmpty()) {
                locks.add(new Lock(t, LockMode.SHARE_UPDATE_EXCLUSIVE));
            }
            steps.add(Step.transactional(Goal.CONVERT, t, "drop " + list + (facts.exists(names.shadow()) ? " (with its partitions)" : "")
                            + (renamed.isEmpty() ? "" : "; " + t + "'s indexes get their names back: " + String.join(", ", renamed)),
                    "abandoning the conversion: the partially built table and the progress record; nothing reads them"
                            + (renamed.isEmpty() ? "" : "; renaming an index takes SHARE UPDATE EXCLUSIVE: reads and writes continue"),
                    sql, locks, 0));
            removed.add(list + (renamed.isEmpty() ? "" : " (and " + renamed.size() + " index(es) renamed back)"));
        }
        String bound = names.boundConstraint();
        if (facts.object(t, bound).isPresent()) {
            steps.add(Step.transactional(Goal.CONVERT, t, "drop CHECK " + Sql.ident(bound) + " from " + t,
                    "abandoning the attach: the CHECK refuses rows past its bound; dropping it takes the table's ACCESS EXCLUSIVE lock for an"
                            + " instant, under lock_timeout",
                    List.of("ALTER TABLE " + t.sql() + " DROP CONSTRAINT IF EXISTS " + Sql.ident(bound)), List.of(new Lock(t, LockMode.ACCESS_EXCLUSIVE)), 0));
            removed.add("CHECK " + Sql.ident(bound));
        }
        String keyIndex = names.attachKeyIndex();
        if (facts.object(t, keyIndex).isPresent()) {
            steps.add(Step.autocommit(Goal.CONVERT, t, "drop index " + Sql.ident(keyIndex) + " from " + t + " concurrently",
                    "abandoning the attach: the unique index built for the extended key; CONCURRENTLY, so reads and writes continue",
                    List.of("SET lock_timeout = 0", "DROP INDEX CONCURRENTLY IF EXISTS " + new TableName(t.schema(), keyIndex).sql()),
                    List.of(new Lock(t, LockMode.SHARE_UPDATE_EXCLUSIVE)), 0));
            removed.add("index " + Sql.ident(keyIndex));
        }
        if (steps.isEmpty()) {
            findings.add(0, Finding.info(t + " has no unfinished conversion: nothing to abandon."));
            return new TablePlan(policy, state, List.of(), findings);
        }
        findings.add(0, Finding.info("Abandoning the unfinished conversion of " + t + facts.progress().map(p -> " (" + p.describe() + ")")
                .orElse("") + ": removes " + String.join("; ", removed) + ". " + t + " and its rows stay as they are."));
        return new TablePlan(policy, state, steps, findings);
    }
}
