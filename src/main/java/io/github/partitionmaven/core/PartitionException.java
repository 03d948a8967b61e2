package io.github.partitionmaven.core;

/**
 * A problem the engine reports to its caller. {@link #kind()} tells who can fix it: the user
 * (configuration, database state) or the environment (server unreachable, busy, I/O).
 */
public class PartitionException extends RuntimeException {

    /** Who has to act on the problem. */
    public enum Kind {
        /** The plugin configuration is wrong. */
        CONFIGURATION,
        /** The database is not in a state the requested goal can work with. */
        DATABASE_STATE,
        /** The environment failed: connection, locks held by others, files. */
        ENVIRONMENT
    }

    /** The sentence every refusal ends with, so a reader knows the database was left as it was. */
    public static final String NOTHING_CHANGED = "Nothing was changed.";

    private final Kind kind;

    public PartitionException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public PartitionException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static PartitionException configuration(String message) {
        return new PartitionException(Kind.CONFIGURATION, withNothingChanged(message));
    }

    public static PartitionException databaseState(String message) {
        return new PartitionException(Kind.DATABASE_STATE, withNothingChanged(message));
    }

    public static PartitionException environment(String message, Throwable cause) {
        return new PartitionException(Kind.ENVIRONMENT, message, cause);
    }

    private static String withNothingChanged(String message) {
        return message.endsWith(NOTHING_CHANGED) ? message : message + " " + NOTHING_CHANGED;
    }
}
