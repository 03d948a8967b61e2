package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.core.Sql;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The comment prune writes on a partition before detaching it, naming its parent and range. A
 * detached table carrying it is prune's unfinished work: the next run finds it with one query and
 * completes it (export, drop or move), because the catalog forgets the bounds on detach.
 *
 * @param lower lower bound in KeyType micros
 * @param upper upper bound in KeyType micros
 * @param bound the partition bound as PostgreSQL printed it ({@code FOR VALUES FROM (...) TO (...)})
 */
public record DetachMarker(TableName parent, long lower, long upper, String bound) {

    static final String PENDING_PREFIX = io.github.partitionmaven.catalog.PruneMarks.PENDING_PREFIX;
    private static final String KEPT_PREFIX = "partition-maven-plugin: kept by prune (retentionMode detach), was a partition of ";
    private static final Pattern PENDING = Pattern.compile(Pattern.quote(PENDING_PREFIX)
            + "(.+); range micros (-?\\d+)\\.\\.(-?\\d+); (FOR VALUES .*)$", Pattern.DOTALL);

    /** The comment of a table prune has still to finish. */
    private String pending() {
        return PENDING_PREFIX + parent.sql() + "; range micros " + lower + ".." + upper + "; " + bound;
    }

    /** The comment of a table prune has finished with and keeps (retentionMode detach). */
    private String kept() {
        return KEPT_PREFIX + parent.sql() + " " + bound;
    }

    public String commentPending(TableName table) {
        return "COMMENT ON TABLE " + table.sql() + " IS " + Sql.literal(pending());
    }

    public String commentKept(TableName table) {
        return "COMMENT ON TABLE " + table.sql() + " IS " + Sql.literal(kept());
    }

    public static Optional<DetachMarker> parse(String comment) {
        if (comment == null) {
            return Optional.empty();
        }
        Matcher m = PENDING.matcher(comment);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new DetachMarker(TableName.parse(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                m.group(4)));
    }
}
