package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.Jdbc;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.InputPlanner;
import io.github.partitionmaven.plan.Lock;
import io.github.partitionmaven.plan.LockMode;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.catalog.TableAccess;
import io.github.partitionmaven.core.Sql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.PGConnection;

/**
 * Brings an archive back, in one transaction: either re-creates the partition (a table like the
 * parent, loaded, counted, attached with its original bound) or loads the rows into a table the
 * user names (created from the manifest's columns when it does not exist). The file's SHA-256 and
 * the loaded row count must equal the manifest, or nothing is committed.
 */
public final class ArchiveRestore {

    private ArchiveRestore() {
    }

    /** The restore of one archive as a goal the engine plans and applies. */
    public static InputPlanner planner(Path manifestPath, Optional<TableName> target) {
        return new InputPlanner() {
            @Override
            public Goal goal() {
                return Goal.RESTORE;
            }

            @Override
            public List<Step> plan(Connection c) throws SQLException {
                return List.of(ArchiveRestore.plan(c, manifestPath, target));
            }
        };
    }

    static Step plan(Connection c, Path manifestPath, Optional<TableName> target) throws SQLException {
        if (!Files.isRegularFile(manifestPath)) {
            throw PartitionException.configuration("The manifest " + manifestPath + " does not exist: set -Dpartition.manifest to the"
                    + " .manifest.json file prune wrote beside the archive.");
        }
        ArchiveManifest m = ArchiveManifest.read(manifestPath);
        Path data = m.dataFile(manifestPath);
        Path dir = manifestPath.toAbsolutePath().normalize().getParent();
        if (!java.util.Objects.equals(data.normalize().getParent(), dir)) {
            // a manifest names its data file beside it; "../x" or "/etc/x" would load (and trust) a file it never wrote
            throw PartitionException.configuration("The manifest " + manifestPath + " names the data file \"" + m.file() + "\", which is"
                    + " not a file in the manifest's own directory " + dir + ": prune writes both side by side, so the manifest was"
                    + " edited or is not prune's. Put the archive beside its manifest under its own name. "
                    + PartitionException.NOTHING_CHANGED);
        }
        if (!Files.isRegularFile(data)) {
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
        if (target.isEmpty()) {
            into = m.table();
            requireRelation(c, m.parent(), "The parent table " + m.parent() + " of the archived partition does not exist: restore into a"
                    + " table of your choice with -Dpartition.restoreTarget=schema.table.");
            if (exists(c, into)) {
                throw PartitionException.databaseState(into + " already exists: restore into another table with"
                        + " -Dpartition.restoreTarget=schema.table, or drop or rename " + into + " first.");
            }
            create = Optional.of("CREATE TABLE " + into.sql() + " (LIKE " + m.parent().sql() + " INCLUDING ALL EXCLUDING IDENTITY)");
            attachTo = Optional.of(m.parent());
        } else {
            into = qualified(c, target.get());
            if (!exists(c, into)) {
                requireTypes(c, m, manifestPath);
                create = Optional.of("CREATE TABLE " + into.sql() + " (" + String.join(", ", m.columns().stream()
                        .map(col -> Sql.ident(col.name()) + " " + col.type()).toList()) + ")");
            }
        }
        create.ifPresent(sql::add);
        sql.add(copy.formatted(into.sql()));
        sql.add("SELECT count(*) FROM " + into.sql() + "  -- the rows loaded must equal the manifest's " + m.rows());
        attachTo.ifPresent(p -> sql.add("ALTER TABLE " + p.sql() + " ATTACH PARTITION " + into.sql() + " " + m.bound()));
        Optional<String> attach = attachTo.map(p -> sql.get(sql.size() - 1));
        // the restored partition gets the parent's grants and owner, as premade ones do, so the owner's later prune works
        List<String> access = attachTo.isPresent() ? TableAccess.of(c, m.parent()).statements(into) : List.of();
        sql.addAll(access);
        List<Lock> locks = new ArrayList<>(List.of(new Lock(into, LockMode.ACCESS_EXCLUSIVE)));
        attachTo.ifPresent(p -> locks.add(new Lock(p, LockMode.SHARE_UPDATE_EXCLUSIVE)));
        String action = "restore " + m.rows() + " rows of " + m.table() + " [" + m.lower() + ", " + m.upper() + ") from " + data
                + (attachTo.isPresent() ? " as a partition of " + m.parent() : " into " + into);
        return new Step(Goal.RESTORE, attachTo.orElse(into), action, "partition:restore of the archive " + manifestPath, sql, locks,
                m.rows(), true, Optional.of(new Load(m, data, into, columns, create, attach, access)), Optional.empty(),
                create.isPresent() ? List.of(into) : List.of(), Optional.empty());
    }

    /** The work of the restore step: create, load with the checksum on the way, count, attach. */
    private record Load(ArchiveManifest manifest, Path data, TableName into, List<String> columns, Optional<String> create,
                        Optional<String> attach, List<String> access) implements StepWork {

        @Override
        public void run(Connection c, EngineLog log) throws Exception {
            try (Statement s = c.createStatement()) {
                if (create.isPresent()) {
                    s.execute(create.get());
                }
                long loaded;
                String sha;
                try (ArchiveInput archive = ArchiveInput.open(data, manifest.compressionKind(), "loading", log)) {
                    loaded = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + into.sql() + " (" + Sql.identList(columns)
                            + ") FROM STDIN WITH (FORMAT csv, HEADER)", archive.csv(), 1 << 16);
                    sha = archive.sha256();
                } catch (IOException e) {
                    throw PartitionException.environment("Cannot read the archive " + data + ": " + e.getMessage()
                            + ". The restore was rolled back; nothing was changed.", e);
                }
                if (!sha.equals(manifest.sha256()) || loaded != manifest.rows()) {
                    throw PartitionException.environment("The archive " + data + " does not match its manifest (SHA-256 " + sha + " vs "
                            + manifest.sha256() + ", " + loaded + " rows vs " + manifest.rows() + "). The restore was rolled back;"
                            + " nothing was changed.", null);
                }
                if (attach.isPresent()) {
                    long held = Jdbc.queryLong(c, "SELECT count(*) FROM " + into.sql());
                    if (held != manifest.rows()) {
                        throw PartitionException.environment(into + " holds " + held + " rows after loading, not "
                                + manifest.rows() + ". The restore was rolled back; nothing was changed.", null);
                    }
                    s.execute(attach.get());
                }
                for (String sql : access) {
                    s.execute(sql);
                }
                log.info("      loaded " + loaded + " rows into " + into + "; SHA-256 and row count match the manifest");
            }
        }
    }

    /** The manifest's type names go into CREATE TABLE as written, so each must parse as a type this database knows. */
    private static void requireTypes(Connection c, ArchiveManifest m, Path manifestPath) throws SQLException {
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

    private static void requireRelation(Connection c, TableName name, String message) throws SQLException {
        if (!exists(c, name)) {
            throw PartitionException.databaseState(message);
        }
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
