package io.github.partitionmaven.plan;

import io.github.partitionmaven.core.Sql;
import io.github.partitionmaven.core.TableName;
import java.util.List;

/**
 * What publications ask of the goals that create tables, in the words premake, check, convert and restore give them.
 * <p>
 * With {@code publish_via_partition_root} off, a publication publishes each partition under its own name, and a subscriber
 * applies changes only to the tables its subscription knew at its last refresh. Seen on Debian's PostgreSQL 15: rows written
 * to a partition created on both sides were skipped without a word until {@code ALTER SUBSCRIPTION ... REFRESH PUBLICATION},
 * whose initial copy then brought them; on 18, a subscriber that lacked the partition stopped at its first change
 * ("logical replication target relation ... does not exist"), and every table of the subscription with it. Through the parent
 * ({@code publish_via_partition_root = true}) a subscriber routes the rows into its own partitions: one it lacks stops its apply
 * worker ("no partition of relation ... found for row") until it is created, and then nothing is lost.
 * <p>
 * FOR ALL TABLES and FOR TABLES IN SCHEMA publish every table created in their reach, under its own name, from its first row.
 */
public final class Publications {

    private Publications() {
    }

    /**
     * What the partitions a run creates ({@code created}, e.g. "the 3 partition(s) this run creates") miss on a subscriber of
     * {@code publications} (a table's {@code TableState.leafPublications()}).
     */
    public static String leafConsequence(TableName table, List<String> publications, String created) {
        return publications(publications) + " the partitions of " + table + " under their own names (publish_via_partition_root is off):"
                + " a subscriber receives no change to " + created + " until it has the same partitions and has run ALTER SUBSCRIPTION"
                + " <subscription> REFRESH PUBLICATION, whose initial copy then brings the rows written before; while it lacks one, the"
                + " first change to it stops the subscription's apply worker, every table of it (\"logical replication target relation"
                + " ... does not exist\").";
    }

    /** The two ways out: keep each subscriber's partitions and subscription in step, or publish through the parent. */
    public static String leafRemedy(TableName table, List<String> publications) {
        return "Create the same partitions on every subscriber (e.g. partition:premake against it) and refresh its subscription after"
                + " each run; or publish through the parent: in a window where nothing writes " + table + ", "
                + String.join("; ", publications.stream()
                        .map(p -> "ALTER PUBLICATION " + Sql.ident(p) + " SET (publish_via_partition_root = true)").toList())
                + ", then ALTER SUBSCRIPTION <subscription> REFRESH PUBLICATION WITH (copy_data = false) on every subscriber (a row"
                + " written between the two is never sent); a new partition then only has to exist on a subscriber before rows come"
                + " for it.";
    }

    /**
     * A FOR ALL TABLES or FOR TABLES IN SCHEMA publication made to name the tables it publishes now, in one transaction that
     * keeps its operations ({@code publish}, as pg_publication has them: "insert, update, delete"): a partition is named by
     * its root (pg_partition_root, NULL for a table that is no partition), so partitions created later are still published
     * with their parent, while other tables created later no longer join it by themselves.
     */
    public static String namedInstead(String publication, String publish, boolean viaRoot) {
        return "Have it name its tables instead (tables created later then no longer join it by themselves), in one transaction that"
                + " keeps what it publishes: DO $pub$ BEGIN EXECUTE (SELECT pg_catalog.format('DROP PUBLICATION %1$I; CREATE PUBLICATION"
                + " %1$I%2$s WITH (publish = %3$L, publish_via_partition_root = " + viaRoot + ")', " + Sql.literal(publication)
                + ", ' FOR TABLE ' || pg_catalog.string_agg(DISTINCT coalesce(pg_catalog.pg_partition_root(t), t)::text, ', '), "
                + Sql.literal(publish) + ") FROM pg_catalog.pg_publication_tables,"
                + " pg_catalog.to_regclass(pg_catalog.format('%I.%I', schemaname, tablename)) t"
                + " WHERE pubname = " + Sql.literal(publication) + "); END $pub$";
    }

    private static String publications(List<String> publications) {
        String names = String.join(", ", publications.stream().map(Sql::ident).toList());
        return publications.size() == 1 ? "Publication " + names + " publishes" : "Publications " + names + " publish";
    }
}
