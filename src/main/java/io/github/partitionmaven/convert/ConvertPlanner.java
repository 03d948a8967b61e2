package io.github.partitionmaven.convert;

import io.github.partitionmaven.catalog.Catalog;
import io.github.partitionmaven.catalog.CitusTable;
import io.github.partitionmaven.catalog.ServerInfo;
import io.github.partitionmaven.catalog.KeyType;
import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Finding;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.TablePlan;
import io.github.partitionmaven.plan.TableRequirements;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TableConversion;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.core.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans turning a plain table into a range-partitioned one ({@link ConvertOptions.Strategy#COPY} or
 * {@link ConvertOptions.Strategy#ATTACH}), resuming an interrupted conversion from what the catalog
 * shows. Everything that would make the conversion lose rows or break other objects is refused
 * before any change. {@link RollbackPlanner} is its inverse.
 */
public final class ConvertPlanner implements Planner {

    /** Primary key types the copy can batch and replay by. */
    private static final Set<String> KEY_TYPES = Set.of("smallint", "integer", "bigint", "uuid", "text", "character varying");

    private final ConvertOptions options;
    private final Map<TableName, ConvertFacts> facts;
    private final ServerInfo server;
    private final Map<Long, List<String>> unlogged = new java.util.HashMap<>();
    private final boolean abandon;

    public ConvertPlanner(ConvertOptions options) {
        this(options, Map.of(), new ServerInfo(ServerInfo.MIN_VERSION_NUM, "unknown"), false);
    }

    private ConvertPlanner(ConvertOptions options, Map<TableName, ConvertFacts> facts, ServerInfo server, boolean abandon) {
        this.options = options;
        this.facts = facts;
        this.server = server;
        this.abandon = abandon;
    }

    /** {@code partition:convert -Dpartition.abandon}: plans removing what an unfinished conversion created, instead of continuing it. */
    public static ConvertPlanner abandoning(ConvertOptions options) {
        return new ConvertPlanner(options, Map.of(), new ServerInfo(ServerInfo.MIN_VERSION_NUM, "unknown"), true);
    }

    @Override
    public Goal goal() {
        return Goal.CONVERT;
    }

    @Override
    public boolean appliesTo(TableState state) {
        // a converted table whose old table still has foreign keys to other tables: convert drops them (OldForeignKeys)
        ConvertNames names = new ConvertNames(state.name(), options);
        return state.kind() == TableState.Kind.PLAIN || state.kind() == TableState.Kind.PARTITIONED && facts.values().stream()
                .anyMatch(f -> f.table().equals(state.name()) && f.exists(names.old()) && OldForeignKeys.release(state.name(), f, names).isPresent());
    }

    @Override
    public Planner prepare(Connection connection, Catalog catalog, List<TablePolicy> policies, RunSettings settings) throws SQLException {
        ConvertPlanner prepared = new ConvertPlanner(options, ConvertCatalogReader.read(connection, policies, catalog, settings, options),
                catalog.server(), abandon);
        prepared.unlogged.putAll(unlogged(connection, catalog));
        return prepared;
    }

    /**
     * Plain configured tables that are UNLOGGED, each with the UNLOGGED tables its foreign keys reference (empty for none):
     * one query.
     */
    private static Map<Long, List<String>> unlogged(Connection c, Catalog catalog) throws SQLException {
        Long[] oids = catalog.tables().stream().filter(t -> t.kind() == TableState.Kind.PLAIN).map(TableState::oid).toArray(Long[]::new);
        Map<Long, List<String>> out = new java.util.HashMap<>();
        if (oids.length == 0) {
            return out;
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT c.oid::pg_catalog.int8, (SELECT pg_catalog.array_agg("
                + "r.oid::pg_catalog.regclass::pg_catalog.text ORDER BY 1) FROM pg_catalog.pg_constraint f JOIN pg_catalog.pg_class r"
                + " ON r.oid = f.confrelid WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.confrelid <> c.oid AND r.relpersistence = 'u')"
                + " FROM pg_catalog.pg_class c WHERE c.relpersistence = 'u' AND c.oid = ANY (?::pg_catalog.oid[])")) {
            ps.setArray(1, c.createArrayOf("oid", oids));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.sql.Array refs = rs.getArray(2);
                    out.put(rs.getLong(1), refs == null ? List.of() : List.of((String[]) refs.getArray()));
                }
            }
        }
        return out;
    }

    @Override
    public TablePlan plan(TablePolicy policy, TableState state, RunSettings settings) {
        TableRequirements.requireKeyColumn(policy, state);
        if (state.kind() == TableState.Kind.PLAIN) {
            refuseCitus(state);
        }
        ConvertFacts f = facts(facts, policy);
        ConvertNames names = new ConvertNames(state.name(), options);
        if (abandon) {
            if (state.kind() == TableState.Kind.PARTITIONED) {
                return new TablePlan(policy, state, List.of(), List.of(Finding.info(state.name() + " is already partitioned: there is no"
                        + " unfinished conversion to abandon (`mvn partition:rollback` turns a converted table back into a plain one).")));
            }
            return Abandon.plan(policy, state, f, names);
        }
        if (state.kind() == TableState.Kind.PARTITIONED) {
            TableRequirements.requirePartitioned(policy, state);
            if (f.exists(names.old())) {
                List<Step> release = OldForeignKeys.release(state.name(), f, names).stream().toList();
                return new TablePlan(policy, state, release, List.of(Finding.info(state.name() + " is already partitioned (converted;"
                        + " the old table is kept as " + names.old() + "): " + (release.isEmpty() ? "nothing to convert"
                        : "only its foreign keys to other tables are left to drop") + ". `mvn partition:premake` keeps its"
                        + " partitions ahead; drop " + names.old() + " once you no longer need `mvn partition:rollback`.")));
            }
            throw PartitionException.databaseState(state.name() + " is already partitioned by RANGE (" + policy.column()
                    + "): there is nothing to convert. Use `mvn partition:premake` to keep its partitions ahead.");
        }
        List<String> unloggedReferenced = unlogged.getOrDefault(state.oid(), List.of());
        if (!unloggedReferenced.isEmpty() && f.progress().isEmpty()) {
            // the partitions can be UNLOGGED, the partitioned table cannot, and its foreign keys are its own
            throw PartitionException.databaseState(state.name() + " is UNLOGGED and its foreign keys reference the UNLOGGED table(s) "
                    + String.join(", ", unloggedReferenced) + ". The partitioned table that replaces it cannot be UNLOGGED (it has"
                    + " no storage; PostgreSQL 18 refuses it, 14-17 do not pass it on), and a foreign key of a permanent table may"
                    + " only reference permanent tables. Make the referenced table(s) LOGGED (ALTER TABLE ... SET LOGGED), or drop"
                    + " those foreign keys, before converting. " + PartitionException.NOTHING_CHANGED);
        }
        ConvertOptions.Strategy strategy = f.progress().map(p -> ConvertOptions.Strategy.valueOf(p.strategy().toUpperCase(java.util.Locale.ROOT)))
                .orElse(options.strategy());
        try {
            refuse(policy, state, f, settings, strategy);
        } catch (PartitionException e) {
            if (!unfinished(f, names)) {
                throw e;
            }
            throw new PartitionException(e.kind(), e.getMessage() + " An unfinished conversion of " + state.name() + " is in place"
                    + f.progress().map(p -> " (" + p.describe() + ")").orElse("") + ": fix the above and run `mvn partition:convert`"
                    + " to continue it, or remove it with `mvn partition:convert -Dpartition.abandon`.", e);
        }
        return strategy == ConvertOptions.Strategy.ATTACH
                ? new AttachConversion(policy, state, f.withoutIndex(names.attachKeyIndex()), names, settings, server, unlogged(state)).plan()
                : new CopyConversion(policy, state, f, names, settings, options, server, unlogged(state)).plan();
    }

    /**
     * Whether the plain table is UNLOGGED. Its partitions are made UNLOGGED too, so the table keeps its persistence: made
     * logged, it would silently start writing WAL (and replicating) at several times the cost, and survive crashes it
     * was meant not to.
     */
    private boolean unlogged(TableState state) {
        return unlogged.containsKey(state.oid());
    }

    private ConvertNames names(TableName t) {
        return new ConvertNames(t, options);
    }

    /** Whether a conversion of the table started and did not finish: its helpers are in the catalog. */
    static boolean unfinished(ConvertFacts f, ConvertNames names) {
        return f.exists(names.shadow()) || f.exists(names.changeLog()) || f.exists(names.progress())
                || f.object(f.table(), names.boundConstraint()).isPresent() || f.object(f.table(), names.attachKeyIndex()).isPresent();
    }

    /**
     * A table Citus manages cannot be converted in place: both strategies build a new partitioned table on the coordinator,
     * which would be a plain local table, and swap it in, so the application would read and write the coordinator alone.
     * Citus does distribute a partitioned table with all its partitions in one call, which gives the way round.
     */
    private static void refuseCitus(TableState state) {
        if (!state.citus().managed()) {
            return;
        }
        String t = Sql.literal(state.name().sql());
        String redistribute = state.citus().kind() == CitusTable.Kind.REFERENCE
                ? "SELECT pg_catalog.create_reference_table(" + t + ")" : state.citus().kind() == CitusTable.Kind.LOCAL
                ? "SELECT pg_catalog.citus_add_local_table_to_metadata(" + t + ")" : "SELECT pg_catalog.create_distributed_table(" + t + ", '<distribution column>')";
        throw PartitionException.databaseState(state.name() + " is " + state.citus().kind().description() + " (Citus): partition:convert"
                + " would build the partitioned table beside it as a plain table on the coordinator and swap it in, taking the rows"
                + " off the workers. Convert it outside Citus instead: SELECT pg_catalog.undistribute_table(" + t + "), then `mvn partition:convert`,"
                + " then " + redistribute + " (Citus distributes every partition with it). Nothing was changed.");
    }

    static <T> T facts(Map<TableName, T> read, TablePolicy policy) {
        T f = read.get(policy.table());
        if (f == null) {
            throw new IllegalStateException("convert facts were not read for " + policy.table());
        }
        return f;
    }

    /**
     * A foreign key of the table referencing the table itself follows the conversion (strategy copy) when its referenced
     * columns include the partition column: they are then a unique key of the new table too, which it references instead.
     * Any other would reference {@code <table>_old} after the swap, or could match no key of the new table.
     */
    private void refuseSelfReference(TableState state, String k, ConvertFacts.ForeignKey fk, ConvertOptions.Strategy strategy) {
        TableName t = state.name();
        if (fk.refColumns().contains(k)) {
            if (strategy == ConvertOptions.Strategy.ATTACH) {
                throw PartitionException.databaseState("Foreign key " + Sql.ident(fk.name()) + " of " + t + " references " + t + " itself ("
                        + fk.definition() + "); strategy attach keeps the rows in the old table, made the first partition, whose copy"
                        + " of the key would go on referencing that partition alone. Use <strategy>copy</strategy>"
                        + " (-Dpartition.strategy=copy), which recreates it on the new table referencing itself. Nothing was changed.");
            }
            return;
        }
        String prefix = fk.columns().get(0).replaceAll("_id$", "");
        String timeColumn = prefix + "_" + k;
        List<String> refs = new java.util.ArrayList<>(fk.refColumns());
        refs.add(k);
        List<String> cols = new java.util.ArrayList<>(fk.columns());
        cols.add(timeColumn);
        String join = String.join(" AND ", java.util.stream.IntStream.range(0, fk.columns().size()).mapToObj(i -> "c." + Sql.ident(fk.columns()
                .get(i)) + " = p." + Sql.ident(fk.refColumns().get(i))).toList());
        String actions = fk.definition().substring(fk.definition().indexOf(fk.printedRefColumns(), fk.definition().indexOf(" REFERENCES "))
                + fk.printedRefColumns().length()).replace(" NOT VALID", "");
        throw PartitionException.databaseState("Foreign key " + Sql.ident(fk.name()) + " of " + t + " references " + t + " itself ("
                + fk.definition() + "), by (" + String.join(", ", fk.refColumns()) + "), which does not include " + Sql.ident(k) + ". After the"
                + " conversion every unique key of " + t + " includes " + Sql.ident(k) + ", which the referencing column(s) do not hold;"
                + " kept as it is it would reference " + names(t).old() + ". Either make it reference the extended key, with a column"
                + " holding the referenced row's " + Sql.ident(k) + " (the application must then fill it too): ALTER TABLE " + t.sql()
                + " ADD COLUMN " + Sql.ident(timeColumn) + " " + state.keyType().sqlName() + "; UPDATE " + t.sql() + " c SET "
                + Sql.ident(timeColumn) + " = p." + Sql.ident(k) + " FROM " + t.sql() + " p WHERE " + join + "; ALTER TABLE " + t.sql()
                + " ADD UNIQUE (" + Sql.identList(refs) + "); ALTER TABLE " + t.sql() + " DROP CONSTRAINT " + Sql.ident(fk.name())
                + ", ADD CONSTRAINT " + Sql.ident(fk.name()) + " FOREIGN KEY (" + Sql.identList(cols) + ") REFERENCES " + t.sql() + " ("
                + Sql.identList(refs) + ")" + actions + "; then convert, which recreates it on the new table referencing itself. Or drop"
                + " it (ALTER TABLE " + t.sql() + " DROP CONSTRAINT " + Sql.ident(fk.name()) + ") and enforce it in the application."
                + " Nothing was changed.");
    }

    /**
     * The refusal of a unique index (not a constraint's) that lacks the partition column, with the statements that replace it
     * by one that includes it under the same name: built CONCURRENTLY, so the application keeps writing, the old one dropped
     * only once the new one holds. What it costs is stated: the uniqueness it keeps is weaker.
     */
    static String uniqueIndexWithoutTime(TableName t, String k, ConvertFacts.IndexDef index) {
        String method = index.method();
        // "USING btree (bucket_id, name) INCLUDE (...) WHERE ...": the key list is the first parenthesis; an expression key nests more
        int open = method.indexOf('(');
        int close = open;
        for (int depth = 0; close < method.length(); close++) {
            char ch = method.charAt(close);
            depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
            if (depth == 0) {
                break;
            }
        }
        String extended = method.substring(0, close) + ", " + Sql.ident(k) + method.substring(close);
        String replacement = index.name() + "_" + k;
        TableName existing = new TableName(t.schema(), index.name());
        String keys = String.join(", ", index.columns());
        return "Unique index " + Sql.ident(index.name()) + " on " + t + " " + method + " does not include " + Sql.ident(k) + "; a"
                + " partitioned table cannot enforce it. Replace it by one that includes " + Sql.ident(k) + ": CREATE UNIQUE INDEX"
                + " CONCURRENTLY " + Sql.ident(replacement) + " ON " + t.sql() + " " + extended + "; DROP INDEX CONCURRENTLY "
                + existing.sql() + "; ALTER INDEX " + new TableName(t.schema(), replacement).sql() + " RENAME TO " + Sql.ident(index.name())
                + "; then convert. It then keeps " + onlyExtendedUnique(keys, k) + "; where the application relies on (" + keys + ") alone"
                + " being unique, it must check that itself. Or drop it (DROP INDEX CONCURRENTLY " + existing.sql() + "). Nothing was changed.";
    }

    /**
     * What extending a unique key with the partition column costs the application: PostgreSQL infers an ON CONFLICT target
     * only from a unique index on exactly its columns, so {@code ON CONFLICT (id)} then fails ("there is no unique or exclusion
     * constraint matching the ON CONFLICT specification").
     */
    static String onlyExtendedUnique(String keys, String k) {
        return "only (" + keys + ", " + k + ") unique: two rows may share (" + keys + ") with different " + k + ", and INSERT ... ON"
                + " CONFLICT (" + keys + ") fails (no unique index matches it) until it names (" + keys + ", " + k + ")";
    }

    private void refuse(TablePolicy policy, TableState state, ConvertFacts f, RunSettings settings, ConvertOptions.Strategy strategy) {
        TableName t = state.name();
        String k = policy.column();
        for (ConvertFacts.ForeignKey fk : f.foreignKeys()) {
            if (fk.selfReferencing(t)) {
                refuseSelfReference(state, k, fk, strategy);
            }
        }
        if (!f.inboundForeignKeys().isEmpty()) {
            throw PartitionException.databaseState("Foreign keys of other tables reference " + t + ": " + String.join(", ", f.inboundForeignKeys())
                    + ". A foreign key can only reference a partitioned table through a unique key that includes " + Sql.ident(k)
                    + ", so they cannot follow the conversion. Drop them first (ALTER TABLE <table> DROP CONSTRAINT <name>), convert,"
                    + " then recreate them referencing (" + String.join(", ", f.primaryKey().stream().map(ConvertFacts.Column::name).toList())
                    + ", " + k + ") or enforce them in the application.");
        }
        DependentViews.refuseUnfollowed(t, f, "convert", ColumnChanges.of(policy.conversion(), f, k).widened().stream()
                .map(col -> Sql.ident(col.name()) + " " + col.type() + " to bigint by <widenKeys>").toList());
        if (!f.boundObjects().isEmpty()) {
            throw PartitionException.databaseState("PostgreSQL binds these to " + t + " by its identity, not its name: at the swap they"
                    + " would follow it to " + names(t).old() + " and go on reading it (or typing their values with its row type) while"
                    + " the application writes the new " + t + ": " + String.join("; ", f.boundObjects("convert")) + ". Then convert.");
        }
        if (!f.carried().tablespaceGrants().isEmpty()) {
            throw PartitionException.databaseState(t + " or its indexes live in tablespaces the plugin's role may not create in, and the"
                    + " new table and its indexes go where they are: run " + String.join("; ", f.carried().tablespaceGrants())
                    + " (as their owner or a superuser), then convert.");
        }
        List<String> publishing = f.carried().publicationProblems("the conversion's own tables (the partitions of " + names(t).shadow()
                + (strategy == ConvertOptions.Strategy.COPY ? ", the change log" : "") + ", the progress table)", true);
        if (!publishing.isEmpty()) {
            throw PartitionException.databaseState(t + " is published by logical replication, and " + String.join("; ", publishing)
                    + ". Then convert.");
        }
        if (!f.carried().children().isEmpty()) {
            throw PartitionException.databaseState(t + " is an inheritance parent of " + String.join(", ", f.carried().children())
                    + ": after the swap they would keep inheriting from " + names(t).old() + " (their rows read twice or lost to readers of "
                    + t + "). Detach them first (ALTER TABLE <child> NO INHERIT " + t.sql() + "), or move their rows into " + t
                    + ", then convert.");
        }
        if (strategy == ConvertOptions.Strategy.ATTACH && !policy.conversion().equals(TableConversion.NONE)) {
            // attach keeps the old table, rows and column types as they are, as the first partition
            throw PartitionException.configuration("Table " + t + " sets " + (policy.conversion().nullTimesToDefault()
                    ? "<nullTimes>default</nullTimes>, which strategy attach cannot follow: the old table becomes a range partition,"
                    + " whose bound excludes NULL" : "<widenKeys> or <addNotNull>, which strategy attach cannot follow: the old table"
                    + " becomes the first partition as it is, and a partition has its parent's column types") + ". Use"
                    + " <strategy>copy</strategy>, or remove them. " + PartitionException.NOTHING_CHANGED);
        }
        ConvertFacts.KeyStats stats = f.stats();
        EpochValues.require(policy, state, stats);
        if (stats.nullRows() > 0 && !policy.conversion().nullTimesToDefault()) {
            KeyType type = state.keyType();
            java.time.LocalDate oldest = policy.interval().floor(stats.min().map(m -> type.dayOf(m, settings.zone()))
                    .orElse(settings.now().toLocalDate()));
            throw PartitionException.databaseState(NullTimes.refusal(t, k, stats.nullRows(), type.literal(oldest, settings.zone()),
                    "the start of the oldest " + policy.interval().unit() + " that holds rows, so they join its partition"));
        }
        if (stats.futureRows() > 0) {
            KeyType type = state.keyType();
            throw PartitionException.databaseState(stats.futureRows() + " row(s) of " + t + " have " + Sql.ident(k) + " at or after "
                    + ConvertCatalogReader.futureLimit(policy, settings) + ", past the " + policy.premake() + " " + policy.interval().unit()
                    + "(s) kept ahead of now (" + settings.now().toLocalDate() + "); the latest is " + stats.max().map(m -> type.display(m,
                    settings.zone())).orElse("?") + ". Examples (key at " + k + "): " + stats.futureSample() + ". Correct or delete these"
                    + " rows, or raise <premake> if they are real, then convert.");
        }
        if (strategy == ConvertOptions.Strategy.COPY) {
            if (f.primaryKey().isEmpty()) {
                throw PartitionException.databaseState(t + " has no primary key: strategy copy needs one to copy in batches and replay"
                        + " changes made meanwhile. Add one (ALTER TABLE " + t + " ADD PRIMARY KEY (...)), or use <strategy>attach</strategy>"
                        + " (-Dpartition.strategy=attach), which copies nothing and needs no key.");
            }
            if (f.primaryKey().size() > 1 || !KEY_TYPES.contains(f.primaryKey().get(0).type().replaceAll("\\(.*\\)", ""))) {
                throw PartitionException.databaseState("The primary key of " + t + " is (" + String.join(", ", f.primaryKey().stream()
                        .map(col -> col.name() + " " + col.type()).toList()) + "); strategy copy batches by a single column of type"
                        + " smallint, integer, bigint, uuid, text or varchar. Use <strategy>attach</strategy> (-Dpartition.strategy=attach)"
                        + " instead, which copies nothing.");
            }
        }
        for (ConvertFacts.IndexDef index : f.indexes()) {
            boolean keyConstraint = index.constraint().isPresent();
            if (index.unique() && !keyConstraint && !index.columns().contains(k)) {
                throw PartitionException.databaseState(uniqueIndexWithoutTime(t, k, index));
            }
            if (strategy == ConvertOptions.Strategy.ATTACH && index.unique() && !index.primary() && !index.columns().contains(k)) {
                throw PartitionException.databaseState("Unique constraint " + Sql.ident(index.constraint().orElse(index.name())) + " on " + t
                        + " does not include " + Sql.ident(k) + "; strategy attach keeps only the primary key (extended with " + Sql.ident(k)
                        + "). Use <strategy>copy</strategy>, which extends every unique key, or drop the constraint.");
            }
        }
    }
}
