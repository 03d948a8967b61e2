package io.github.partitionmaven.plan;

/** PostgreSQL table lock modes, weakest first. */
public enum LockMode {
    ACCESS_SHARE, ROW_SHARE, ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE;

    public String sqlName() {
        return name().replace('_', ' ');
    }

    /** What the application notices while the lock is held. */
    public String effect() {
        return switch (this) {
            case ACCESS_SHARE, ROW_SHARE, ROW_EXCLUSIVE -> "reads and writes continue";
            case SHARE_UPDATE_EXCLUSIVE -> "reads and writes continue; other DDL and VACUUM wait";
            case SHARE, SHARE_ROW_EXCLUSIVE -> "reads continue, writes wait";
            case EXCLUSIVE -> "reads continue, writes wait";
            case ACCESS_EXCLUSIVE -> "everything waits, reads included";
        };
    }
}
