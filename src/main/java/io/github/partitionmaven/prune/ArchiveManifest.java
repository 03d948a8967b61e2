package io.github.partitionmaven.prune;

import io.github.partitionmaven.catalog.StorageParameters;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.AtomicFiles;
import io.github.partitionmaven.core.Json;
import io.github.partitionmaven.core.JsonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an archive holds, written beside its data file: which table and range, its columns, how many
 * rows, and the SHA-256 of the file, so the file can be checked before the DROP and restored later.
 *
 * @param file the data file's name, in the manifest's directory
 * @param database the database the table was in
 * @param lower the lower bound for people to read; {@code bound} is what restore re-attaches with
 * @param s3ChecksumSha256 for an object in S3: the checksum S3 keeps for it, the SHA-256 of its parts' SHA-256s, base64, then
 *        {@code -N} for N parts (computed here while uploading; the drop step compares it with HeadObject's); null for a local
 *        file and for manifests written before it was kept (those are read back)
 */
public record ArchiveManifest(String file, String database, TableName table, TableName parent, String bound, String lower, String upper,
                              List<Column> columns, long rows, String sha256, long bytes, String compression,
                              String pluginVersion, String createdAt, String s3ChecksumSha256, Properties properties) {

    /** A column as it was in the partition. */
    public record Column(String name, String type) {
    }

    /**
     * What the partition had that neither {@code LIKE} of its parent nor the ATTACH gives back, so a restore brings it back as
     * it was archived: its persistence, storage parameters and replica identity ('d', 'f', 'n' or 'i' for USING INDEX). A
     * manifest written before they were kept has {@link #NONE}.
     */
    public record Properties(boolean unlogged, StorageParameters storage, char replicaIdentity) {
        public static final Properties NONE = new Properties(false, StorageParameters.NONE, 'd');

        private static final Map<Character, String> IDENTITIES = Map.of('d', "default", 'f', "full", 'n', "nothing", 'i', "index");

        String identityName() {
            return IDENTITIES.getOrDefault(replicaIdentity, "default");
        }

        static char identity(Object name) {
            return IDENTITIES.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).findFirst().orElse('d');
        }
    }

    private Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("format", "csv with header");
        m.put("compression", compression);
        m.put("database", database);
        m.put("schema", table.schema());
        m.put("table", table.name());
        m.put("parentSchema", parent.schema());
        m.put("parent", parent.name());
        m.put("bound", bound);
        m.put("lower", lower);
        m.put("upper", upper);
        m.put("columns", columns.stream().map(c -> {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("type", c.type());
            return cm;
        }).toList());
        m.put("rows", rows);
        m.put("sha256", sha256);
        m.put("bytes", bytes);
        m.put("pluginVersion", pluginVersion);
        m.put("createdAt", createdAt);
        if (s3ChecksumSha256 != null) {
            m.put("s3ChecksumSha256", s3ChecksumSha256);
        }
        m.put("unlogged", properties.unlogged());
        m.put("storageParameters", new LinkedHashMap<>(properties.storage().values()));
        m.put("replicaIdentity", properties.identityName());
        return m;
    }

    /** Why this manifest is not the archive of {@code table} (with this parent and bound, in {@code database}); empty when it is. */
    public Optional<String> mismatch(String database, TableName table, TableName parent, String bound) {
        if (!Objects.equals(database, this.database)) {
            return Optional.of("it is of " + this.table + " in database " + this.database + ", not in " + database);
        }
        if (!table.equals(this.table) || !parent.equals(this.parent) || !bound.equals(this.bound)) {
            return Optional.of("it describes " + this.table + " " + this.bound + " of " + this.parent + ", not " + table + " " + bound);
        }
        return Optional.empty();
    }

    public void write(Path path, java.util.Set<java.nio.file.attribute.PosixFilePermission> mode) throws IOException {
        AtomicFiles.write(path, toJson(), mode);
    }

    String toJson() {
        return Json.write(toMap());
    }

    public Path dataFile(Path manifestPath) {
        return manifestPath.toAbsolutePath().getParent().resolve(file);
    }

    public static ArchiveManifest read(Path path) {
        String json;
        try {
            json = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw PartitionException.environment("Cannot read the archive manifest " + path + ": " + e.getMessage()
                    + ". Check the path and its permissions.", e);
        }
        return parse(json, path.toString());
    }

    /** Reads the manifest stored under {@code name}; {@code store.where(name)} names it in errors. */
    static ArchiveManifest read(ArchiveStore store, String name) {
        String json;
        try {
            json = store.readText(name);
        } catch (IOException e) {
            throw PartitionException.environment("Cannot read the archive manifest " + store.where(name) + ": " + e.getMessage()
                    + " Check the location and its permissions.", e);
        }
        return parse(json, store.where(name));
    }

    @SuppressWarnings("unchecked")
    static ArchiveManifest parse(String json, String where) {
        try {
            Map<String, Object> m = (Map<String, Object>) JsonReader.read(json);
            List<Column> columns = ((List<Object>) m.get("columns")).stream()
                    .map(o -> (Map<String, Object>) o).map(c -> new Column((String) c.get("name"), (String) c.get("type"))).toList();
            return new ArchiveManifest((String) m.get("file"), (String) m.get("database"), new TableName((String) m.get("schema"), (String) m.get("table")),
                    new TableName((String) m.get("parentSchema"), (String) m.get("parent")), (String) m.get("bound"),
                    (String) m.get("lower"), (String) m.get("upper"), columns, ((Number) m.get("rows")).longValue(),
                    (String) m.get("sha256"), ((Number) m.get("bytes")).longValue(), (String) m.get("compression"),
                    (String) m.get("pluginVersion"), (String) m.get("createdAt"), (String) m.get("s3ChecksumSha256"), properties(m));
        } catch (RuntimeException e) {
            throw PartitionException.configuration("The archive manifest " + where + " cannot be read (" + e.getMessage()
                    + "): it is not a manifest written by partition-maven-plugin, or it was edited. Name the .manifest.json file"
                    + " written beside the archive.");
        }
    }

    @SuppressWarnings("unchecked")
    private static Properties properties(Map<String, Object> m) {
        Map<String, String> storage = new LinkedHashMap<>();
        ((Map<String, Object>) m.getOrDefault("storageParameters", Map.of())).forEach((k, v) -> storage.put(k, String.valueOf(v)));
        return new Properties(Boolean.TRUE.equals(m.get("unlogged")), new StorageParameters(storage),
                Properties.identity(m.getOrDefault("replicaIdentity", "default")));
    }

    public PruneOptions.Compression compressionKind() {
        return PruneOptions.Compression.parse(compression);
    }
}
