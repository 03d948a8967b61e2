package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.PartitionException;
import java.util.Locale;

/** What happens to a partition past retention. */
public enum RetentionMode {
    /** DROP TABLE. */
    DROP,
    /** Detach and keep it as a standalone table, optionally moved to another schema. */
    DETACH,
    /** Export to a verified file, then drop. */
    ARCHIVE;

    public static RetentionMode parse(String value) {
        if (value == null || value.isBlank()) {
            return DROP;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PartitionException.configuration("Unknown <retentionMode> '" + value + "': use drop, detach or archive.");
        }
    }
}
