package io.github.partitionmaven.plan;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.util.List;

/**
 * What a publication with {@code publish_via_partition_root} off asks of its subscribers whenever a partition is created: it
 * publishes each partition under its own name, and a subscriber applies changes only to the tables its subscription knew at
 * its last refresh. Seen on Debian's PostgreSQL 15: rows written to a partition created on both sides were skipped without a
 * word until {@code ALTER SUBSCRIPTION ... REFRESH PUBLICATION}, whose initial copy then brought them. Through the parent
 * ({@code publish_via_partition_root = true}) a subscriber routes the rows into its own partitions: one it lacks stops its
 * apply worker ("no partition of relation ... found for row") until it is created, and then nothing is lost.
 */
public final class LeafPublications {

    private LeafPublications() {
    }

    /**
     * What the partitions a run creates ({@code created}, e.g. "the 3 partition(s) this run creates") miss on a subscriber of
     * {@code publications} (a table's {@code TableState.leafPublications()}).
     */
    public static String consequence(TableName table, List<String> publications, String created) {
        return publications(publications) + " the partitions of " + table + " under their own names (publish_via_partition_root is off):"
                + " a subscriber receives no change to " + created + " until it has the same partitions and has run ALTER SUBSCRIPTION"
                + " <subscription> REFRESH PUBLICATION, whose initial copy then brings the rows written before.";
    }

    /** The two ways out: keep each subscriber's partitions and subscription in step, or publish through the parent. */
    public static String remedy(TableName table, List<String> publications) {
        return "Create the same partitions on every subscriber (e.g. partition:premake against it) and refresh its subscription after"
                + " each run; or publish through the parent: in a window where nothing writes " + table + ", "
                + String.join("; ", publications.stream()
                        .map(p -> "ALTER PUBLICATION " + Sql.ident(p) + " SET (publish_via_partition_root = true)").toList())
                + ", then ALTER SUBSCRIPTION <subscription> REFRESH PUBLICATION WITH (copy_data = false) on every subscriber (a row"
                + " written between the two is never sent); a new partition then only has to exist on a subscriber before rows come"
                + " for it.";
    }

    private static String publications(List<String> publications) {
        String names = String.join(", ", publications.stream().map(Sql::ident).toList());
        return publications.size() == 1 ? "Publication " + names + " publishes" : "Publications " + names + " publish";
    }
}
