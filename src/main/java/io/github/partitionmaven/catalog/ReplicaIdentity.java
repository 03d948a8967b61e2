package io.github.partitionmaven.catalog;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.util.List;
import java.util.Optional;

/**
 * A table's replica identity ({@code pg_class.relreplident}): what logical decoding writes of the old row of an UPDATE or
 * DELETE. PostgreSQL gives a partition none of its parent's: each has its own, DEFAULT when created, and logical decoding
 * reads the identity of the partition the row is in; a partition made later with the default logs only the primary key
 * where the others log the whole row (FULL) or an index's columns.
 *
 * @param mode        'd' DEFAULT, 'f' FULL, 'n' NOTHING, 'i' USING INDEX
 * @param parentIndex for USING INDEX: the partitioned index the identity index is attached to; empty when it is attached to
 *                    none
 */
public record ReplicaIdentity(char mode, Optional<TableName> parentIndex) {

    public static final ReplicaIdentity DEFAULT = new ReplicaIdentity('d', Optional.empty());

    /** What gives the attached {@code partition} this identity; empty for DEFAULT, or an index attached to no partitioned index. */
    public List<String> statements(TableName partition) {
        return switch (mode) {
            case 'f' -> List.of("ALTER TABLE " + partition.sql() + " REPLICA IDENTITY FULL");
            case 'n' -> List.of("ALTER TABLE " + partition.sql() + " REPLICA IDENTITY NOTHING");
            case 'i' -> parentIndex.map(ix -> List.of(usingAttachedIndexes(ix, Optional.of(partition)))).orElse(List.of());
            default -> List.of();
        };
    }

    /** How the plan names it; empty for DEFAULT. */
    public Optional<String> describe() {
        return switch (mode) {
            case 'f' -> Optional.of("REPLICA IDENTITY FULL");
            case 'n' -> Optional.of("REPLICA IDENTITY NOTHING");
            case 'i' -> parentIndex.map(ix -> "REPLICA IDENTITY USING its index of " + ix.sql());
            default -> Optional.empty();
        };
    }

    /**
     * Each partition whose index is attached to {@code parentIndex} (only {@code partition}, when given) takes that index as
     * its replica identity. The partition's index names are PostgreSQL's choice (CREATE TABLE ... LIKE, ATTACH), so they are
     * looked up when it runs.
     */
    public static String usingAttachedIndexes(TableName parentIndex, Optional<TableName> partition) {
        return "DO $ri$ DECLARE p record; BEGIN FOR p IN SELECT x.indrelid::pg_catalog.regclass AS t, c.relname FROM pg_catalog.pg_inherits h"
                + " JOIN pg_catalog.pg_index x ON x.indexrelid = h.inhrelid JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid"
                + " WHERE h.inhparent = " + Sql.literal(parentIndex.sql()) + "::pg_catalog.regclass"
                + partition.map(p -> " AND x.indrelid = " + Sql.literal(p.sql()) + "::pg_catalog.regclass").orElse("")
                + " LOOP EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', p.t, p.relname); END LOOP; END $ri$";
    }
}
