package io.github.partitionmaven.catalog;

/** The server the plugin talks to. */
public record ServerInfo(int versionNum, String version) {

    public static final int MIN_VERSION_NUM = 140000;

    public int major() {
        return versionNum / 10000;
    }

    /** {@code ANALYZE ONLY} on a partitioned table: its own statistics, without analyzing every partition (18+). */
    public boolean analyzesParentOnly() {
        return major() >= 18;
    }

    /** A partitioned table can take a NOT VALID foreign key, validated later under a weaker lock (18+). */
    public boolean addsNotValidForeignKeysToPartitionedTables() {
        return major() >= 18;
    }
}
