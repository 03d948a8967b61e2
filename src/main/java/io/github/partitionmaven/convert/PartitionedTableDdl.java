package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.StorageParameters;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Sql;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The DDL that gives a plain table's partitioned successor the same definition: columns, defaults,
 * NOT NULLs, CHECKs, identity, comments and storage (LIKE ... INCLUDING ALL), primary and unique keys
 * extended with the partition column, the other indexes, foreign keys, owner, grants, and the
 * monthly (or other interval) partitions, aligned in the configured zone. {@code unlogged}: the plain table is UNLOGGED,
 * and so is every partition made for it (the partitioned table itself cannot be: it has no storage; PostgreSQL 18 refuses
 * CREATE UNLOGGED on it and 14-17 do not pass it on to partitions), so the table keeps writing no WAL.
 */
record PartitionedTableDdl(TablePolicy policy, TableState state, ConvertFacts facts, RunSettings settings, boolean unlogged) {

    /** One partition to create. */
    record Partition(TableName name, LocalDate from, LocalDate to, String lower, String upper, long estimatedRows) {
        String describe() {
            return name.sql() + " [" + from + ", " + to + ") ~" + estimatedRows + " rows";
        }
    }

    String key() {
        return Sql.ident(policy.column());
    }

    String createLike(TableName target, TableName source) {
        return "CREATE TABLE " + target.sql() + " (LIKE " + source.sql() + " INCLUDING ALL EXCLUDING INDEXES EXCLUDING STATISTICS) PARTITION BY RANGE (" + key() + ")"
                + facts.carried().tablespace().map(ts -> " TABLESPACE " + Sql.ident(ts)).orElse("");
    }

    /**
     * Marks the partition column NOT NULL on the new (still empty) parent when the old table allows NULL but holds none
     * (the planner refuses NULLs before this): every key of a partitioned table includes it, and a key defined on the
     * parent alone (ONLY) cannot mark the partitions' columns itself, so they must inherit it from the parent.
     */
    List<String> keyNotNull(TableName target, boolean namedConstraint) {
        if (state.keyColumn().notNull() || nullTimes()) {
            return List.of();
        }
        // from PostgreSQL 18 the NOT NULL is a constraint named after the table it was added on, which would leave the new
        // table with "<table>_new_<column>_not_null" after the swap: it gets the name the old table would have given it
        String name = state.name().name() + "_" + policy.column() + "_not_null";
        if (namedConstraint && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63) {
            return List.of("ALTER TABLE " + target.sql() + " ADD CONSTRAINT " + Sql.ident(name) + " NOT NULL " + key());
        }
        return List.of("ALTER TABLE " + target.sql() + " ALTER COLUMN " + key() + " SET NOT NULL");
    }

    /** What {@link #keyNotNull} changes, for the plan; empty when the column already is NOT NULL. */
    String keyNotNullReason() {
        if (nullTimes()) {
            return nullTimesReason();
        }
        return state.keyColumn().notNull() ? "" : "; " + key() + " allows NULL on " + state.name() + " but holds none, so it becomes NOT NULL"
                + " on the new table (a partitioned table's keys include it); a NULL written meanwhile stops the copy with nothing swapped";
    }

    /** {@code <nullTimes>default</nullTimes>} on a table whose key column allows NULL: a DEFAULT partition keeps those rows. */
    boolean nullTimes() {
        return policy.conversion().nullTimesToDefault() && !state.keyColumn().notNull();
    }

    /** The DEFAULT partition of {@link #nullTimes}. */
    TableName nullTimesPartition() {
        return NullTimes.partition(state.name());
    }

    private String nullTimesReason() {
        TableName d = nullTimesPartition();
        String pk = facts.primaryKey().isEmpty() ? "" : "; the primary key (" + String.join(", ", facts.primaryKey().stream()
                .map(ConvertFacts.Column::name).toList()) + ") becomes UNIQUE (" + String.join(", ", facts.primaryKey().stream()
                .map(ConvertFacts.Column::name).toList()) + ", " + policy.column() + ") under the same name, since a primary key"
                + " cannot include a column holding NULLs (the rows of " + d + " are not checked against each other by it)";
        return "; <nullTimes>default</nullTimes>: the " + facts.stats().nullRows() + " row(s) with a NULL " + key() + ", and any written"
                + " later, go to the DEFAULT partition " + d + ", whose CHECK (" + key() + " IS NULL) keeps every other row out (a"
                + " time without a partition is still refused) and lets premake attach new partitions without scanning it (PostgreSQL"
                + " scans a DEFAULT partition under an ACCESS EXCLUSIVE lock for rows of the new range unless its constraints rule"
                + " them out); prune, which cannot DETACH CONCURRENTLY while a DEFAULT partition exists, detaches with a plain DETACH"
                + " under lock_timeout (ACCESS EXCLUSIVE on " + state.name() + " for an instant), and never prunes " + d + pk;
    }

    /** Partitions for every interval from the one holding {@code from} to the end of the premake window. */
    List<Partition> partitions(LocalDate from) {
        KeyType type = state.keyType();
        List<Partition> out = new ArrayList<>();
        LocalDate end = ConvertCatalogReader.futureLimit(policy, settings);
        for (LocalDate day = policy.interval().floor(from); day.isBefore(end); day = policy.interval().next(day)) {
            LocalDate next = policy.interval().next(day);
            long lo = type.micros(day, settings.zone());
            long hi = type.micros(next, settings.zone());
            out.add(new Partition(new TableName(state.name().schema(), policy.namePattern().format(state.name().name(), day)), day, next,
                    type.literal(day, settings.zone()), type.literal(next, settings.zone()), RowEstimate.rows(facts.stats(), lo, hi)));
        }
        return out;
    }

    /** The first day holding rows (the current interval for an empty table). */
    LocalDate oldestDay() {
        return facts.stats().min().map(m -> state.keyType().dayOf(m, settings.zone())).orElse(settings.now().toLocalDate());
    }

    /** A partition with the plain table's storage parameters (a partitioned table has none to pass on). */
    String createPartition(TableName parent, Partition p) {
        return createPartition(parent, p, facts.carried().storage());
    }

    private String createPartition(TableName parent, Partition p, StorageParameters storage) {
        return "CREATE " + (unlogged ? "UNLOGGED " : "") + "TABLE " + p.name().sql() + " PARTITION OF " + parent.sql() + " FOR VALUES FROM ("
                + p.lower() + ") TO (" + p.upper() + ")" + state.keyType().boundComment(p.from(), p.to(), settings.zone()) + storage.withClause();
    }

    /**
     * A partition autovacuum leaves alone while it is bulk-filled and indexed: started on a half-filled partition it takes
     * CPU from the copy, and every index build would wait until the server cancels it.
     */
    String createPartitionWithoutAutovacuum(TableName parent, Partition p) {
        return createPartition(parent, p, withoutAutovacuum());
    }

    private static final List<String> AUTOVACUUM = List.of("autovacuum_enabled", "toast.autovacuum_enabled");

    /** The plain table's storage parameters with autovacuum off, for the partitions while they fill. */
    StorageParameters withoutAutovacuum() {
        Map<String, String> off = new LinkedHashMap<>();
        AUTOVACUUM.forEach(name -> off.put(name, "off"));
        return facts.carried().storage().with(off);
    }

    /** Whether the plain table has an autovacuum_enabled of its own (for itself or its TOAST table), which the handback restores. */
    boolean ownAutovacuumSetting() {
        return AUTOVACUUM.stream().anyMatch(name -> facts.carried().storage().value(name).isPresent());
    }

    /**
     * Gives every partition of {@code parent} (whichever exist by then) back to autovacuum: RESET, or the plain table's own
     * setting where it had one (a table the user keeps away from autovacuum stays so).
     */
    String giveBackToAutovacuum(TableName parent) {
        StorageParameters own = facts.carried().storage();
        List<String> reset = new ArrayList<>();
        Map<String, String> set = new LinkedHashMap<>();
        for (String name : AUTOVACUUM) {
            own.value(name).ifPresentOrElse(v -> set.put(name, v), () -> reset.add(name));
        }
        List<String> actions = new ArrayList<>();
        if (!reset.isEmpty()) {
            actions.add("RESET (" + String.join(", ", reset) + ")");
        }
        if (!set.isEmpty()) {
            actions.add(new StorageParameters(set).setAction());
        }
        return "DO " + Sql.dollarQuoted(" DECLARE p regclass; BEGIN FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = "
                + Sql.literal(parent.sql()) + "::regclass LOOP EXECUTE pg_catalog.format(" + Sql.literal("ALTER TABLE %s "
                + String.join(", ", actions)) + ", p); END LOOP; END ");
    }

    /** What the plan says about persistence: empty for a logged table. */
    String persistenceReason() {
        return unlogged ? "; " + state.name() + " is UNLOGGED, and so is every partition (no WAL, not replicated, emptied by a crash"
                + " as before; `mvn partition:premake` makes new ones UNLOGGED like the latest); the partitioned table itself"
                + " has no storage and stays as PostgreSQL makes it" : "";
    }

    /** Owner, grants and the table comment. */
    List<String> privileges(TableName target) {
        List<String> sql = ownerAndGrants(target);
        facts.comment().ifPresent(c -> sql.add("COMMENT ON TABLE " + target.sql() + " IS " + Sql.literal(c)));
        return sql;
    }

    /**
     * Owner and grants, for the partitioned table and each of its partitions: a partition made by the converting role
     * would stay that role's, and a later prune by the owner fail with "must be owner of table".
     */
    List<String> ownerAndGrants(TableName target) {
        List<String> sql = new ArrayList<>();
        sql.add("ALTER TABLE " + target.sql() + " OWNER TO " + Sql.ident(facts.owner()));
        for (ConvertFacts.Grant g : facts.grants()) {
            sql.add("GRANT " + g.privilege() + " ON TABLE " + target.sql() + " TO " + g.grantee().map(Sql::ident).orElse("PUBLIC")
                    + (g.grantable() ? " WITH GRANT OPTION" : ""));
        }
        return sql;
    }

    /** The primary key and unique constraints, each extended with the partition column when it lacks it. */
    List<ConvertFacts.IndexDef> keyIndexes() {
        return facts.indexes().stream().filter(PartitionedTableDdl::isKey).toList();
    }

    List<ConvertFacts.IndexDef> otherIndexes() {
        return facts.indexes().stream().filter(i -> i.constraint().isEmpty()).toList();
    }

    List<String> keyColumns(ConvertFacts.IndexDef index) {
        List<String> cols = new ArrayList<>(index.columns());
        if (!cols.contains(policy.column())) {
            cols.add(policy.column());
        }
        return cols;
    }

    String addKey(TableName target, ConvertFacts.IndexDef index, String name) {
        return addKey(target, index, name, false);
    }

    String createIndex(TableName target, ConvertFacts.IndexDef index, String name) {
        return createIndex(target, index, name, false);
    }

    /** The key or index on the partitioned table alone: invalid until every partition's own is attached to it. */
    String defineOnParentOnly(TableName parent, ConvertFacts.IndexDef index, String name) {
        return isKey(index) ? addKey(parent, index, name, true) : createIndex(parent, index, name, true);
    }

    /**
     * The comments of {@code index} and of its constraint, for the one the new table defines as {@code name} (LIKE copies
     * the comments of indexes it copies, and the conversion defines its own instead). A rename at the swap keeps them.
     */
    List<String> comments(TableName parent, ConvertFacts.IndexDef index, String name) {
        List<String> sql = new ArrayList<>();
        index.comment().ifPresent(c -> sql.add("COMMENT ON INDEX " + new TableName(parent.schema(), name).sql() + " IS " + Sql.literal(c)));
        index.constraintComment().ifPresent(c -> sql.add("COMMENT ON CONSTRAINT " + Sql.ident(name) + " ON " + parent.sql() + " IS "
                + Sql.literal(c)));
        return sql;
    }

    /** The key or index on one partition, to be attached to the parent's. */
    String buildOnPartition(TableName partition, ConvertFacts.IndexDef index, String name) {
        return isKey(index) ? addKey(partition, index, name) : createIndex(partition, index, name);
    }

    String attachIndex(String parentIndex, String partitionIndex) {
        return "ALTER INDEX " + new TableName(state.name().schema(), parentIndex).sql() + " ATTACH PARTITION "
                + new TableName(state.name().schema(), partitionIndex).sql();
    }

    /** The primary key and unique constraints, then the other indexes: everything the new table builds. */
    List<ConvertFacts.IndexDef> allIndexes() {
        List<ConvertFacts.IndexDef> all = new ArrayList<>(keyIndexes());
        all.addAll(otherIndexes());
        return all;
    }

    private static boolean isKey(ConvertFacts.IndexDef index) {
        return index.constraint().isPresent() && index.unique();
    }

    private String addKey(TableName target, ConvertFacts.IndexDef index, String name, boolean only) {
        return "ALTER TABLE " + (only ? "ONLY " : "") + target.sql() + " ADD CONSTRAINT " + Sql.ident(name)
                + (index.primary() && !nullTimes() ? " PRIMARY KEY (" : " UNIQUE (") + Sql.identList(keyColumns(index)) + ")" + index.keyOptions();
    }

    private String createIndex(TableName target, ConvertFacts.IndexDef index, String name, boolean only) {
        return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX " + Sql.ident(name) + " ON " + (only ? "ONLY " : "") + target.sql()
                + " " + index.placedMethod();
    }

    /** The foreign key on {@code target}; one referencing the table itself references {@code target} (its own extended key). */
    String addForeignKey(TableName target, ConvertFacts.ForeignKey fk) {
        return "ALTER TABLE " + target.sql() + " ADD CONSTRAINT " + Sql.ident(fk.name()) + " "
                + (fk.selfReferencing(state.name()) ? fk.definitionReferencing(target) : fk.definition());
    }

    /** The relation a foreign key of the new table {@code target} references: {@code target} itself for a self-reference. */
    TableName referenced(TableName target, ConvertFacts.ForeignKey fk) {
        return fk.selfReferencing(state.name()) ? target : fk.references();
    }

    /** The foreign key as on the old table, but NOT VALID: adding it then takes its locks for an instant only. */
    String addForeignKeyNotValid(TableName target, ConvertFacts.ForeignKey fk) {
        return addForeignKey(target, fk) + (fk.validated() ? " NOT VALID" : "");
    }

    /**
     * Foreign key {@code fk} NOT VALID on each partition of {@code parent} that has none yet (a killed run added some):
     * before PostgreSQL 18 a partitioned table cannot take a NOT VALID foreign key, but its partitions can, and once each
     * is validated, adding the key to the parent attaches theirs without reading a row again.
     */
    String addForeignKeyToPartitions(TableName parent, ConvertFacts.ForeignKey fk) {
        return "DO $fk$ DECLARE p pg_catalog.regclass; BEGIN FOR p IN SELECT i.inhrelid::pg_catalog.regclass FROM pg_catalog.pg_inherits i"
                + " WHERE i.inhparent = " + Sql.literal(parent.sql()) + "::pg_catalog.regclass AND NOT EXISTS (SELECT 1 FROM"
                + " pg_catalog.pg_constraint c WHERE c.conrelid = i.inhrelid AND c.conname = " + Sql.literal(fk.name()) + ") LOOP"
                + " EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I " + fk.definition().replace("'", "''").replace("%", "%%")
                + " NOT VALID', p, " + Sql.literal(fk.name()) + "); END LOOP; END $fk$";
    }

    /** Validates {@link #addForeignKeyToPartitions}' constraint on each partition not validated yet. */
    String validateForeignKeyOnPartitions(TableName parent, ConvertFacts.ForeignKey fk) {
        return "DO $fk$ DECLARE p pg_catalog.regclass; BEGIN FOR p IN SELECT c.conrelid::pg_catalog.regclass FROM pg_catalog.pg_constraint c"
                + " JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.conrelid WHERE i.inhparent = " + Sql.literal(parent.sql())
                + "::pg_catalog.regclass AND c.conname = " + Sql.literal(fk.name()) + " AND NOT c.convalidated LOOP"
                + " EXECUTE pg_catalog.format('ALTER TABLE %s VALIDATE CONSTRAINT %I', p, " + Sql.literal(fk.name()) + "); END LOOP; END $fk$";
    }

    /** The foreign keys the old table has validated, which the new table validates too. */
    List<ConvertFacts.ForeignKey> validatedForeignKeys() {
        return facts.foreignKeys().stream().filter(ConvertFacts.ForeignKey::validated).toList();
    }

    String renameIndex(String from, String to) {
        return "ALTER INDEX " + new TableName(state.name().schema(), from).sql() + " RENAME TO " + Sql.ident(to);
    }

    /** Renames every index of the old table with {@code rename}. */
    List<String> renameIndexes(UnaryOperator<String> from, UnaryOperator<String> to) {
        return facts.indexes().stream().map(i -> renameIndex(from.apply(i.name()), to.apply(i.name()))).toList();
    }

    /**
     * Makes ids continue on {@code successor}: a serial sequence is handed over (OWNED BY) and set past
     * the largest id; an identity column's own sequence is set past the old sequence and the largest id.
     */
    List<String> sequenceHandoff(TableName successor, TableName predecessor) {
        List<String> sql = new ArrayList<>();
        for (ConvertFacts.SequenceColumn s : facts.sequences()) {
            String col = Sql.ident(s.column());
            String oldSeq = s.sequence().sql();
            String max = "(SELECT pg_catalog.max(" + col + ") FROM " + predecessor.sql() + ")";
            if (s.identity()) {
                sql.add("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" + Sql.literal(successor.sql()) + ", " + Sql.literal(s.column()) + "), greatest("
                        + "(SELECT last_value FROM " + oldSeq + "), " + max + ", (SELECT pg_catalog.max(" + col + ") FROM " + successor.sql() + "), 1))");
            } else {
                sql.addAll(serialHandoff(s, successor, predecessor));
            }
        }
        return sql;
    }

    /**
     * Gives the identity sequences of {@code successor} (made afresh by LIKE, named after the new table: "<table>_new_id_seq")
     * the names of {@code predecessor}'s, which get {@link ConvertNames#retired} names first: tools and migrations that name
     * the sequence find the one that serves the table.
     */
    List<String> identitySequenceNames(TableName successor) {
        List<String> sql = new ArrayList<>();
        for (ConvertFacts.SequenceColumn s : facts.sequences()) {
            if (s.identity()) {
                sql.add("ALTER SEQUENCE " + s.sequence().sql() + " RENAME TO " + Sql.ident(ConvertNames.retired(s.sequence().name())));
                sql.add("DO " + Sql.dollarQuoted(" BEGIN EXECUTE pg_catalog.format('ALTER SEQUENCE %s RENAME TO %I', pg_catalog.pg_get_serial_sequence("
                        + Sql.literal(successor.sql()) + ", " + Sql.literal(s.column()) + "), " + Sql.literal(s.sequence().name()) + "); END "));
            }
        }
        return sql;
    }

    /** Undoes {@link #identitySequenceNames} once the partitioned table (and its sequences) are dropped, for rollback. */
    List<String> restoreIdentitySequenceNames() {
        return facts.sequences().stream().filter(ConvertFacts.SequenceColumn::identity).map(s -> "ALTER SEQUENCE IF EXISTS "
                + new TableName(s.sequence().schema(), ConvertNames.retired(s.sequence().name())).sql() + " RENAME TO "
                + Sql.ident(s.sequence().name())).toList();
    }

    /** Hands serial column {@code s}'s sequence to {@code successor} and sets it past the largest id of both tables. */
    static List<String> serialHandoff(ConvertFacts.SequenceColumn s, TableName successor, TableName predecessor) {
        String col = Sql.ident(s.column());
        String seq = s.sequence().sql();
        return List.of("ALTER SEQUENCE " + seq + " OWNED BY " + successor.sql() + "." + col,
                "SELECT pg_catalog.setval(" + Sql.literal(seq) + "::regclass, greatest((SELECT last_value FROM " + seq + "), (SELECT pg_catalog.max(" + col + ") FROM "
                        + predecessor.sql() + "), (SELECT pg_catalog.max(" + col + ") FROM " + successor.sql() + "), 1))");
    }
}
