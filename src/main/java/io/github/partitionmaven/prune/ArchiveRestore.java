package io.github.partitionmaven.prune;

import io.github.partitionmaven.catalog.ReplicaIdentity;
import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.InputPlanner;
import io.github.partitionmaven.plan.Publications;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.catalog.TableAccess;
import io.github.partitionmaven.core.Sql;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * Brings an archive back, in one transaction: either re-creates the partition (a table like the
 * parent, loaded, counted, attached with its original bound) or loads the rows into a table the
 * user names (created from the manifest's columns when it does not exist). The file's size and
 * SHA-256 and the loaded row count must equal the manifest, or nothing is committed. The manifest
 * is a path or an {@code s3://bucket/key} URL; the data file is the one it names beside it.
 */
public final class ArchiveRestore {

    private ArchiveRestore() {
    }

    /** The restore of one archive in a local directory. */
    public static InputPlanner planner(Path manifestPath, Optional<TableName> target) {
        return planner(manifestPath.toString(), target, PruneOptions.defaults());
    }

    /**
     * The restore of one archive as a goal the engine plans and applies: {@code manifest} is a path or an
     * {@code s3://bucket/key} URL, read with the bucket options (region, endpoint, credentials) of {@code options}.
     */
    public static InputPlanner planner(String manifest, Optional<TableName> target, PruneOptions options) {
        PruneOptions at;
        String name;
        if (S3Settings.isS3(manifest)) {
            String[] bucketAndKey = S3Settings.split(manifest);
            String key = bucketAndKey[1];
            int slash = key.lastIndexOf('/');
            S3Settings base = options.s3() != null ? options.s3()
                    : S3Settings.of("s3://" + bucketAndKey[0] + "/", null, null, null, null, null, null, null);
            at = options.withS3(base.at(bucketAndKey[0], slash < 0 ? "" : key.substring(0, slash + 1)));
            name = key.substring(slash + 1);
        } else {
            Path path = Path.of(manifest).toAbsolutePath();
            at = new PruneOptions(path.getParent(), options.compression(), options.compressionLevel(), options.pluginVersion());
            name = path.getFileName().toString();
        }
        return new InputPlanner() {
            @Override
            public Goal goal() {
                return Goal.RESTORE;
            }

            @Override
            public List<Step> plan(Connection c) throws SQLException {
                try (ArchiveStore store = at.store()) {
                    return List.of(ArchiveRestore.plan(c, at, store, name, target));
                }
            }
        };
    }

    static Step plan(Connection c, PruneOptions at, ArchiveStore store, String manifestName, Optional<TableName> target) throws SQLException {
        String manifestPath = store.where(manifestName);
        if (!present(store, manifestName)) {
            throw PartitionException.configuration("The manifest " + manifestPath + " does not exist: set -Dpartition.manifest to the"
                    + " .manifest.json file (or s3://bucket/key of it) prune wrote beside the archive.");
        }
        ArchiveManifest m = ArchiveManifest.read(store, manifestName);
        String file = m.file();
        if (file == null || file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals(".") || file.equals("..")) {
            // a manifest names its data file beside it; "../x" or "/etc/x" would load (and trust) a file it never wrote
            throw PartitionException.configuration("The manifest " + manifestPath + " names the data file \"" + file + "\", which is"
                    + " not a file in the manifest's own directory " + store.where("") + ": prune writes both side by side, so the"
                    + " manifest was edited or is not prune's. Put the archive beside its manifest under its own name. "
                    + PartitionException.NOTHING_CHANGED);
        }
        String data = store.where(file);
        if (!present(store, file)) {
            throw PartitionException.configuration("The archive " + data + " named by " + manifestPath + " is missing: put it back beside"
                    + " its manifest.");
        }
        List<String> columns = m.columns().stream().map(ArchiveManifest.Column::name).toList();
        String copy = "COPY %s (" + Sql.identList(columns) + ") FROM STDIN WITH (FORMAT csv, HEADER)  -- from " + data
                + ", SHA-256 must equal the manifest's";
        List<String> sql = new ArrayList<>();
        TableName into;
        Optional<TableName> attachTo = Optional.empty();
        Optional<String> create = Optional.empty();
        Optional<List<String>> indexes = Optional.empty();
        if (target.isEmpty()) {
            into = m.table();
            requireRelation(c, m.parent(), "The parent table " + m.parent() + " of the archived partition does not exist: restore into a"
                    + " table of your choice with -Dpartition.restoreTarget=schema.table.");
            if (exists(c, into)) {
                throw PartitionException.databaseState(into + " already exists: restore into another table with"
                        + " -Dpartition.restoreTarget=schema.table, or drop or rename " + into + " first.");
            }
            indexes = indexes(c, m.parent(), into);
            create = Optional.of("CREATE " + (m.properties().unlogged() ? "UNLOGGED " : "") + "TABLE " + into.sql() + " (LIKE "
                    + m.parent().sql() + " INCLUDING ALL EXCLUDING IDENTITY" + (indexes.isPresent() ? " EXCLUDING INDEXES" : "") + ")"
                    + m.properties().storage().withClause() + tablespace(c, m.parent()).map(ts -> " TABLESPACE " + Sql.ident(ts)).orElse(""));
            attachTo = Optional.of(m.parent());
        } else {
            into = qualified(c, target.get());
            if (!exists(c, into)) {
                requireTypes(c, m, manifestPath);
                create = Optional.of("CREATE TABLE " + into.sql() + " (" + String.join(", ", m.columns().stream()
                        .map(col -> Sql.ident(col.name()) + " " + col.type()).toList()) + ")");
            }
        }
        List<Published> publications = create.isPresent() ? publications(c, into, attachTo) : List.of();
        List<Published> sending = publications.stream().filter(p -> p.implicitly().isPresent() && p.insert()).toList();
        if (!sending.isEmpty()) {
            throw PartitionException.databaseState(sendingRefusal(into, attachTo, m.rows(), sending));
        }
        create.ifPresent(sql::add);
        sql.add(copy.formatted(into.sql()));
        sql.add("SELECT pg_catalog.count(*) FROM " + into.sql() + "  -- the rows loaded must equal the manifest's " + m.rows());
        List<String> builds = indexes.orElse(List.of());
        sql.addAll(builds);
        // its statistics before the ATTACH, so that the parent's queries plan with them at once (a partition without any, of
        // 625k seed rows, made every UPDATE by id on the parent plan for 50,000 rows and be JIT-compiled: 16-60 ms instead
        // of 1-2 ms), and under the parent's lock for no longer than the ATTACH (and a move out of the default partition).
        // An archived month no longer changes, so the whole ANALYZE, whose statistics autovacuum then leaves as they are.
        String analyze = "ANALYZE " + into.sql();
        sql.add(analyze);
        Optional<DefaultPartition> fallback = attachTo.isPresent() ? defaultPartition(c, m, into, columns) : Optional.empty();
        List<String> move = fallback.map(DefaultPartition::move).orElse(List.of());
        sql.addAll(move);
        attachTo.ifPresent(p -> sql.add("ALTER TABLE " + p.sql() + " ATTACH PARTITION " + into.sql() + " " + m.bound()));
        Optional<String> attach = attachTo.map(p -> sql.get(sql.size() - 1));
        // the restored partition gets the parent's grants and owner, as premade ones do, so the owner's later prune works,
        // and the replica identity it was archived with
        List<String> access = new ArrayList<>();
        String why = "partition:restore of the archive " + manifestPath;
        if (attachTo.isPresent()) {
            access.addAll(TableAccess.of(c, m.parent()).statements(into));
            Optional<ReplicaIdentity> identity = identity(c, m);
            identity.ifPresent(ri -> access.addAll(ri.statements(into)));
            why += described(m, identity);
            if (!move.isEmpty()) {
                why += "; moves the " + fallback.get().rows() + " row(s) of its range out of the default partition " + fallback.get().name()
                        + " first (written after the archive, they would fail the ATTACH). The archive lacks them: a later prune of "
                        + into + " stops before its DROP until " + manifestPath + " and its data file are moved away, and then exports"
                        + " the month again, with them";
            }
            List<String> leaf = publications.stream().filter(p -> !p.viaRoot()).map(Published::name).toList();
            if (!leaf.isEmpty()) {
                why += ". " + Publications.leafConsequence(m.parent(), leaf, "the restored partition " + into) + " "
                        + Publications.leafRemedy(m.parent(), leaf);
            }
        }
        sql.addAll(access);
        List<Lock> locks = new ArrayList<>(List.of(new Lock(into, LockMode.ACCESS_EXCLUSIVE)));
        attachTo.ifPresent(p -> locks.add(new Lock(p, LockMode.SHARE_UPDATE_EXCLUSIVE)));
        // the ATTACH scans the default partition for rows of the new range, holding it
        fallback.ifPresent(d -> locks.add(new Lock(d.name(), LockMode.ACCESS_EXCLUSIVE)));
        String action = "restore " + m.rows() + " rows of " + m.table() + " [" + m.lower() + ", " + m.upper() + ") from " + data
                + (attachTo.isPresent() ? " as a partition of " + m.parent() : " into " + into);
        return new Step(Goal.RESTORE, attachTo.orElse(into), action, why, sql, locks,
                m.rows(), true, Optional.of(new Load(m, at, m.file(), into, columns, create, builds, analyze, move, attach, access)), Optional.empty(),
                create.isPresent() ? List.of(into) : List.of(), Optional.empty());
    }

    /**
     * The parent's keys and indexes as statements that build them on the loaded table, for the ATTACH to take as its
     * partition's; empty to have LIKE create them before the load instead, for an index in a tablespace of its own
     * (pg_get_indexdef leaves it out) or a definition not printed as expected. Loading first and building after took 3.2 s
     * instead of 4.6 s for 828k seed rows (276 MB of CSV) on Debian's PostgreSQL 15: the COPY 1.8 s instead of 4.1 s, the
     * three builds 0.9 s. A key is added as a constraint: the ATTACH matches a parent's key only with one, and would build
     * another index beside a plain unique one.
     */
    private static Optional<List<String>> indexes(Connection c, TableName parent, TableName into) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_catalog.pg_get_indexdef(i.indexrelid), i.indisunique, pg_catalog.pg_get_constraintdef(con.oid),
                       pg_catalog.format(' ON ONLY %I.%I USING ', n.nspname, t.relname), ci.reltablespace <> 0
                  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                  JOIN pg_class ci ON ci.oid = i.indexrelid
                  LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
                 WHERE i.indrelid = pg_catalog.to_regclass(?::pg_catalog.text)
                 ORDER BY con.oid IS NULL, ci.relname""")) {
            ps.setString(1, parent.sql());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String definition = rs.getString(1);
                    String on = rs.getString(4);
                    int at = definition.indexOf(on);
                    if (rs.getBoolean(5) || (rs.getString(3) == null && at < 0)) {
                        return Optional.empty();
                    }
                    out.add(rs.getString(3) != null ? "ALTER TABLE " + into.sql() + " ADD " + rs.getString(3)
                            : "CREATE " + (rs.getBoolean(2) ? "UNIQUE " : "") + "INDEX ON " + into.sql() + " USING "
                            + definition.substring(at + on.length()));
                }
            }
        }
        return Optional.of(out);
    }

    /** The parent's default partition, and the statements that move the rows of the restored range out of it (none when none). */
    private record DefaultPartition(TableName name, long rows, List<String> move) {
    }

    /**
     * A row of the archived month written after the archive lands in the default partition, where it would fail the ATTACH
     * ("updated partition constraint for default partition ... would be violated by some row"), after the whole load. Its
     * rows move into the restored month, as premake moves them into a new partition, under the locks the ATTACH takes anyway
     * (taken first: the DELETE's lock on the default would otherwise be raised to the ATTACH's). The range is read from the
     * bound the manifest keeps, for a one-column key: its literals ('2026-01-01 00:00:00+01', or an epoch's number).
     */
    private static Optional<DefaultPartition> defaultPartition(Connection c, ArchiveManifest m, TableName into, List<String> columns)
            throws SQLException {
        TableName name;
        Optional<String> key;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT dn.nspname, dc.relname, CASE WHEN pt.partnatts = 1 THEN a.attname::text END
                  FROM pg_partitioned_table pt JOIN pg_class dc ON dc.oid = pt.partdefid JOIN pg_namespace dn ON dn.oid = dc.relnamespace
                  LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
                 WHERE pt.partrelid = pg_catalog.to_regclass(?::pg_catalog.text)""")) {
            ps.setString(1, m.parent().sql());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                name = new TableName(rs.getString(1), rs.getString(2));
                key = Optional.ofNullable(rs.getString(3));
            }
        }
        Matcher bound = BOUND.matcher(m.bound());
        if (key.isEmpty() || !bound.matches()) {
            return Optional.of(new DefaultPartition(name, 0, List.of()));
        }
        String range = Sql.ident(key.get()) + " >= " + bound.group(1) + " AND " + Sql.ident(key.get()) + " < " + bound.group(2);
        long rows = Jdbc.queryLong(c, "SELECT pg_catalog.count(*) FROM " + name.sql() + " WHERE " + range);
        if (rows == 0) {
            return Optional.of(new DefaultPartition(name, 0, List.of()));
        }
        String cols = Sql.identList(columns);
        return Optional.of(new DefaultPartition(name, rows, List.of("LOCK TABLE " + m.parent().sql() + " IN SHARE UPDATE EXCLUSIVE MODE",
                "LOCK TABLE " + name.sql() + " IN ACCESS EXCLUSIVE MODE",
                "WITH moved AS (DELETE FROM " + name.sql() + " WHERE " + range + " RETURNING " + cols + ") INSERT INTO " + into.sql()
                        + " (" + cols + ") SELECT " + cols + " FROM moved")));
    }

    /** A one-column range bound as pg_get_expr prints it: a quoted literal or a number at each end. */
    private static final Pattern BOUND = Pattern.compile("FOR VALUES FROM \\(('[^']*'|-?[0-9]+)\\) TO \\(('[^']*'|-?[0-9]+)\\)");

    /**
     * A publication that would publish the table the restore creates: {@code implicitly} (FOR ALL TABLES, or FOR TABLES IN
     * SCHEMA of its schema) from its first row, or, through the parent the restore attaches it to, from the ATTACH on.
     */
    private record Published(String name, Optional<String> implicitly, boolean viaRoot, boolean insert, String publish) {
    }

    /** FOR TABLES IN SCHEMA and pg_publication_namespace came with PostgreSQL 15. */
    private static List<Published> publications(Connection c, TableName into, Optional<TableName> parent) throws SQLException {
        String inSchema = c.getMetaData().getDatabaseMajorVersion() >= 15 ? "EXISTS (SELECT 1 FROM pg_publication_namespace pn JOIN pg_namespace n"
                + " ON n.oid = pn.pnnspid WHERE pn.pnpubid = p.oid AND n.nspname = t.schema)" : "false";
        String sql = """
                WITH t AS (SELECT ?::text AS schema, pg_catalog.to_regclass(?::text) AS parent)
                SELECT p.pubname, CASE WHEN p.puballtables THEN 'all' WHEN %1$s THEN 'schema' END,
                       p.pubviaroot, p.pubinsert,
                       pg_catalog.array_to_string(ARRAY[CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
                                                        CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END], ', ')
                  FROM pg_publication p, t
                 WHERE p.puballtables OR %1$s OR EXISTS (SELECT 1 FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = t.parent)
                 ORDER BY 1
                """.formatted(inSchema);
        List<Published> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, into.schema());
            ps.setString(2, parent.map(TableName::sql).orElse(null));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Optional<String> implicitly = Optional.ofNullable(rs.getString(2))
                            .map(how -> how.equals("all") ? "FOR ALL TABLES" : "FOR TABLES IN SCHEMA " + Sql.ident(into.schema()));
                    out.add(new Published(rs.getString(1), implicitly, rs.getBoolean(3), rs.getBoolean(4), rs.getString(5)));
                }
            }
        }
        return out;
    }

    /**
     * Seen on PostgreSQL 18 with a subscription beside: the COPY into the table before its ATTACH went out as inserts into a
     * table of its name, with publish_via_partition_root on or off. A subscriber without one stopped at them and applied
     * nothing more, retrying every 5 s; with the month kept as a partition it subscribed to, it stopped on their keys.
     */
    private static String sendingRefusal(TableName into, Optional<TableName> parent, long rows, List<Published> sending) {
        boolean onlySchemas = sending.stream().noneMatch(p -> p.implicitly().get().equals("FOR ALL TABLES"));
        return "partition:restore would create " + into + " and load the archive's " + rows + " rows into it"
                + parent.map(p -> " before it attaches it to " + p).orElse("") + ", but "
                + String.join(" and ", sending.stream().map(p -> "publication " + Sql.ident(p.name()) + " publishes it " + p.implicitly().get()).toList())
                + ": the rows would go to " + (sending.size() == 1 ? "its" : "their") + " subscribers as inserts into a table of that"
                + " name, whatever publish_via_partition_root says (it is no partition until the ATTACH). A subscriber that lacks"
                + " such a table stops applying any change (\"logical replication target relation ... does not exist\") until it has"
                + " one, and one that kept the month as a partition it subscribes to receives the rows again and stops on their keys. "
                + String.join(" ", sending.stream().map(p -> (sending.size() == 1 ? "" : "For " + Sql.ident(p.name()) + ": ")
                        + Publications.namedInstead(p.name(), p.publish(), p.viaRoot()) + ".").toList())
                + (onlySchemas ? " Or restore into a table of a schema it does not publish, with -Dpartition.restoreTarget=schema.table." : "")
                + " " + PartitionException.NOTHING_CHANGED;
    }

    /**
     * The replica identity the partition was archived with, as the restored one can have it: FULL and NOTHING as they were;
     * USING INDEX by its index attached to the parent's index that the other partitions' identity indexes are attached to
     * (the archived partition's own link to it went with the DETACH); empty for DEFAULT, or USING INDEX with no such index.
     */
    private static Optional<ReplicaIdentity> identity(Connection c, ArchiveManifest m) throws SQLException {
        char mode = m.properties().replicaIdentity();
        if (mode != 'i') {
            return mode == 'd' ? Optional.empty() : Optional.of(new ReplicaIdentity(mode, Optional.empty()));
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pn.nspname, pc.relname FROM pg_inherits i"
                + " JOIN pg_index x ON x.indrelid = i.inhrelid AND x.indisreplident JOIN pg_inherits ih ON ih.inhrelid = x.indexrelid"
                + " JOIN pg_class pc ON pc.oid = ih.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
                + " WHERE i.inhparent = pg_catalog.to_regclass(?::pg_catalog.text) GROUP BY 1, 2 ORDER BY pg_catalog.count(*) DESC, 1, 2 LIMIT 1")) {
            ps.setString(1, m.parent().sql());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ReplicaIdentity('i', Optional.of(new TableName(rs.getString(1), rs.getString(2)))))
                        : Optional.empty();
            }
        }
    }

    /** What the reason says of the properties the partition gets back; empty for none. */
    private static String described(ArchiveManifest m, Optional<ReplicaIdentity> identity) {
        List<String> parts = new ArrayList<>();
        ArchiveManifest.Properties p = m.properties();
        if (p.unlogged()) {
            parts.add("UNLOGGED");
        }
        if (!p.storage().isEmpty()) {
            parts.add("storage parameters " + p.storage().describe());
        }
        identity.flatMap(ReplicaIdentity::describe).ifPresent(parts::add);
        String lost = p.replicaIdentity() == 'i' && identity.isEmpty() ? "; its REPLICA IDENTITY USING INDEX is not given back: no other"
                + " partition of " + m.parent() + " has one attached to an index of the parent to follow (set it with ALTER TABLE ..."
                + " REPLICA IDENTITY USING INDEX after the restore)" : "";
        return (parts.isEmpty() ? "" : "; as it was archived: " + String.join(", ", parts)) + lost;
    }

    /**
     * The work of the restore step: create, load with the checksum on the way, count, build the keys and indexes, analyze, move
     * the month's rows out of the default partition, attach.
     */
    private record Load(ArchiveManifest manifest, PruneOptions at, String name, TableName into, List<String> columns,
                        Optional<String> create, List<String> builds, String analyze, List<String> move, Optional<String> attach,
                        List<String> access) implements StepWork {

        @Override
        public void run(Connection c, EngineLog log) throws Exception {
            try (Statement s = c.createStatement()) {
                if (create.isPresent()) {
                    s.execute(create.get());
                }
                long loaded;
                try (ArchiveStore store = at.store()) {
                    loaded = load(c, store, log);
                }
                if (attach.isPresent()) {
                    long held = Jdbc.queryLong(c, "SELECT pg_catalog.count(*) FROM " + into.sql());
                    if (held != manifest.rows()) {
                        throw PartitionException.environment(into + " holds " + held + " rows after loading, not "
                                + manifest.rows() + ". The restore was rolled back; nothing was changed.", null);
                    }
                }
                // each build reads the whole month (0.2-0.4 s for 302 MB, so a minute or more for a 10 GB one): a line after each
                for (int i = 0; i < builds.size(); i++) {
                    long started = System.nanoTime();
                    s.execute(builds.get(i));
                    log.info("      built " + (i + 1) + "/" + builds.size() + " of the parent's keys and indexes on " + into + " in "
                            + Durations.format(Duration.ofNanos(System.nanoTime() - started)));
                }
                s.execute(analyze);
                for (String sql : move) {
                    s.execute(sql);
                }
                if (attach.isPresent()) {
                    s.execute(attach.get());
                }
                for (String sql : access) {
                    s.execute(sql);
                }
                log.info("      loaded " + loaded + " rows into " + into + "; SHA-256 and row count match the manifest");
            }
        }

        /** COPY FROM the stored file, hashing it on the way; its size, SHA-256 and rows must equal the manifest's. */
        private long load(Connection c, ArchiveStore store, EngineLog log) throws Exception {
            String data = store.where(name);
            long loaded;
            long size;
            String sha;
            try {
                size = store.size(name);
                try (ArchiveInput archive = ArchiveInput.open(store.open(name), size, name, manifest.compressionKind(), "loading", log)) {
                    loaded = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + into.sql() + " (" + Sql.identList(columns)
                            + ") FROM STDIN WITH (FORMAT csv, HEADER)", archive.csv(), 1 << 16);
                    sha = archive.sha256();
                }
            } catch (IOException e) {
                throw PartitionException.environment("Cannot read the archive " + data + ": " + e.getMessage()
                        + ". The restore was rolled back; nothing was changed.", e);
            }
            if (!sha.equals(manifest.sha256()) || loaded != manifest.rows() || size != manifest.bytes()) {
                throw PartitionException.environment("The archive " + data + " does not match its manifest (SHA-256 " + sha + " vs "
                        + manifest.sha256() + ", " + loaded + " rows vs " + manifest.rows() + ", " + size + " bytes vs "
                        + manifest.bytes() + "). The restore was rolled back; nothing was changed.", null);
            }
            return loaded;
        }
    }

    /** The manifest's type names go into CREATE TABLE as written, so each must parse as a type this database knows. */
    private static void requireTypes(Connection c, ArchiveManifest m, String manifestPath) throws SQLException {
        for (ArchiveManifest.Column col : m.columns()) {
            boolean known;
            try {
                known = Jdbc.queryBoolean(c, "SELECT pg_catalog.to_regtype(?::pg_catalog.text) IS NOT NULL", col.type());
            } catch (SQLException e) {
                known = false;
            }
            if (!known || col.type().contains(";")) {
                throw PartitionException.configuration("The manifest " + manifestPath + " gives column " + Sql.ident(col.name())
                        + " the type '" + col.type() + "', which this database does not know: create the table named by"
                        + " -Dpartition.restoreTarget yourself, then restore into it.");
            }
        }
    }

    private static boolean present(ArchiveStore store, String name) {
        try {
            return store.exists(name);
        } catch (IOException e) {
            throw PartitionException.environment(e.getMessage() + " Nothing was changed.", e);
        }
    }

    private static void requireRelation(Connection c, TableName name, String message) throws SQLException {
        if (!exists(c, name)) {
            throw PartitionException.databaseState(message);
        }
    }

    /** Where the partitioned table creates its partitions, when not in the default tablespace: LIKE does not say. */
    private static Optional<String> tablespace(Connection c, TableName parent) throws SQLException {
        return Optional.ofNullable(Jdbc.queryString(c, "SELECT (SELECT s.spcname FROM pg_catalog.pg_class c JOIN"
                + " pg_catalog.pg_tablespace s ON s.oid = c.reltablespace WHERE c.oid = ?::pg_catalog.text::pg_catalog.regclass)", parent.sql()));
    }

    private static boolean exists(Connection c, TableName name) throws SQLException {
        return Jdbc.queryBoolean(c, "SELECT pg_catalog.to_regclass(?::pg_catalog.text) IS NOT NULL", name.sql());
    }

    /**
     * A target given without a schema goes where an unqualified CREATE TABLE of the user's would: the first existing schema
     * of the user's own path (sessions run with a pinned path, so the name is qualified here, never left to it).
     */
    private static TableName qualified(Connection c, TableName target) throws SQLException {
        if (target.schema() != null) {
            return target;
        }
        try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT (" + Sql.USER_SCHEMAS + ")[1]")) {
            rs.next();
            if (rs.getString(1) == null) {
                throw PartitionException.configuration("-Dpartition.restoreTarget=" + target + " names no schema and the user's"
                        + " search_path has none that exists: write it as schema.table. " + PartitionException.NOTHING_CHANGED);
            }
            return target.inSchema(rs.getString(1));
        }
    }
}
