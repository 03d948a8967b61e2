package io.github.partitionmaven.check;

import io.github.partitionmaven.catalog.ReplicaIdentity;
import io.github.partitionmaven.core.TableName;
import java.util.List;

/**
 * Partitions whose replica identity differs from that of the latest partition having FULL, NOTHING or USING INDEX: PostgreSQL gives a partition none of its
 * parent's, so one made without setting it (by hand, or by a tool that does not carry it) is DEFAULT, and logical
 * replication logs less of its rows' changes than of the others' (or, without a primary key, refuses their UPDATEs and
 * DELETEs in a publication).
 */
public record ReplicaIdentityDrift(TableName table, TableName latest, ReplicaIdentity expected, List<TableName> partitions)
        implements HealthFinding {

    public ReplicaIdentityDrift {
        partitions = List.copyOf(partitions);
    }

    @Override
    public Check check() {
        return Check.REPLICA_IDENTITY;
    }

    @Override
    public String message() {
        return partitions.size() + " partition(s) of " + table + " (" + String.join(", ", partitions.stream().map(TableName::toString).toList())
                + ") differ from " + latest + ", the latest partition with " + expected.describe().orElse("a replica identity")
                + ": logical replication logs less of their rows' changes, or more";
    }

    @Override
    public String remedy() {
        return "make them alike, e.g. " + String.join("; ", partitions.stream().flatMap(p -> expected.statements(p).stream()).toList()) + ";";
    }
}
