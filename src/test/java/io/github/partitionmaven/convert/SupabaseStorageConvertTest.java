package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.MirroredWriter;
import io.github.partitionmaven.testing.TableSnapshot;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Supabase Storage's real storage.objects (src/test/resources/zoo/supabase.sql, verbatim: row-level security with seven
 * policies, the updated_at trigger, a text_pattern_ops index, the generated path_tokens), refused for its unique index
 * bucketid_objname, converted after exactly the fix the refusal names, with strategy copy under a writer. Every security and
 * replication property the application relies on is then asserted on the partitioned table as it behaves, not only as the
 * catalog lists it: a restricted role sees exactly its rows through the parent and cannot write outside its policies. And
 * auth.audit_log_entries, with the row-level security but no policy that supabase/auth gives it, stays closed to a granted role.
 */
@DatabaseTest
class SupabaseStorageConvertTest {

    private static final String T = "storage.objects";
    /** The user the restricted role acts as (the policies read it through auth.uid(), i.e. request.jwt.claim.sub). */
    private static final String OWNER = "5a0c6f35-2b7e-4f1a-9d52-0e7c1b1d4a11";
    /** What the policies let that user see: crud_public_folder, crud_public_file and crud_owner_only. */
    private static final String VISIBLE = "bucket_id = 'bucket2' AND ((storage.foldername(name))[1] = 'public' OR name ="
            + " 'folder/subfolder/public-all-permissions.png' OR ((storage.foldername(name))[1] = 'only_owner' AND owner = '" + OWNER + "'))";
    private static final String TIME = ZooTest.ts(3000).replace("timestamp", "timestamptz");

    private static final List<String> FILL = List.of(
            "INSERT INTO storage.buckets (id, name) VALUES ('bucket2', 'bucket2'), ('bucket4', 'bucket4')",
            // folders public / only_owner / private, in both buckets, half of them owned by OWNER
            "INSERT INTO storage.objects (bucket_id, name, owner, created_at, metadata) SELECT CASE WHEN i % 2 = 0 THEN 'bucket2' ELSE"
                    + " 'bucket4' END, (ARRAY['public', 'only_owner', 'private'])[1 + i % 3] || '/sub/file' || i || '.png', CASE WHEN i % 4 < 2"
                    + " THEN '" + OWNER + "'::uuid ELSE gen_random_uuid() END, " + TIME + ", '{\"size\": 1}' FROM generate_series(0, 2999) i",
            "DO $$ BEGIN CREATE ROLE supa_user; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            "DO $$ BEGIN CREATE ROLE supa_admin; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            "GRANT USAGE ON SCHEMA storage, auth TO supa_user",
            "GRANT SELECT, INSERT ON storage.objects TO supa_user",
            "GRANT UPDATE (metadata, last_accessed_at) ON storage.objects TO supa_user",
            "GRANT SELECT, UPDATE ON storage.objects TO supa_admin WITH GRANT OPTION",
            "GRANT REFERENCES (name) ON storage.objects TO supa_admin WITH GRANT OPTION");

    private static final ZooTest.Case OBJECTS = ZooTest.Case.converts("storage.objects", "supabase", T, "id", "created_at", FILL,
            "INSERT INTO " + T + " (bucket_id, name, owner, created_at, metadata) VALUES (CASE WHEN random() < 0.5 THEN 'bucket2' ELSE"
                    + " 'bucket4' END, (ARRAY['public', 'only_owner', 'private'])[1 + floor(random() * 3)::int] || '/new/' || md5(random()::text)"
                    + " || '.png', '" + OWNER + "', " + ZooTest.RECENT + ", '{\"size\": 2}')",
            // updated_at set by hand: the trigger update_objects_updated_at overwrites it with now(), before and after the swap
            "UPDATE " + T + " SET metadata = jsonb_build_object('size', floor(random() * 100)::int), updated_at = '2001-01-01'"
                    + " WHERE id = " + ZooTest.pick(T, "id"));

    @Test
    void storageObjectsConvertsAfterTheFixItsRefusalNamesWithEverySecurityAndReplicationPropertyInForce() throws Exception {
        TestDb db = ZooTest.load("supabase", FILL);
        PartitionException refusal = assertThrows(PartitionException.class, () -> ZooTest.engine(db, OBJECTS, EngineLog.STDOUT)
                .apply(Goal.CONVERT));
        System.out.println(refusal.getMessage());
        String message = refusal.getMessage();
        assertTrue(message.contains("keeps only (bucket_id, name, created_at) unique") && message.contains("ON CONFLICT (bucket_id, name)")
                && message.endsWith("Nothing was changed."), message);
        String replace = "Replace it by one that includes \"created_at\": ";
        String fix = message.substring(message.indexOf(replace) + replace.length(), message.indexOf("; then convert"));
        assertEquals(List.of("CREATE UNIQUE INDEX CONCURRENTLY \"bucketid_objname_created_at\" ON \"storage\".\"objects\" USING btree (bucket_id,"
                        + " name, \"created_at\")", "DROP INDEX CONCURRENTLY \"storage\".\"bucketid_objname\"",
                "ALTER INDEX \"storage\".\"bucketid_objname_created_at\" RENAME TO \"bucketid_objname\""), List.of(fix.split("; ")));
        db.exec(fix.split("; "));
        // what the source lacks, set so that each is carried over: FORCE, a replica identity, a publication through the root
        // from PostgreSQL 18 an update fails while replica identity FULL includes a generated column (path_tokens) the
        // publication does not publish ("Replica identity must not contain unpublished generated columns"): publish it
        boolean publishesGenerated = db.queryLong("SELECT current_setting('server_version_num')::int") >= 180000;
        db.exec("ALTER TABLE storage.objects FORCE ROW LEVEL SECURITY", "ALTER TABLE storage.objects REPLICA IDENTITY FULL",
                "CREATE PUBLICATION storage_pub FOR TABLE storage.objects WITH (publish_via_partition_root = true"
                        + (publishesGenerated ? ", publish_generated_columns = stored" : "") + ")");
        long visibleBefore = visibleTo(db);
        assertEquals(db.queryLong("SELECT count(*) FROM " + T + " WHERE " + VISIBLE), visibleBefore, "the policies as the source enforces them");
        assertTrue(visibleBefore > 0 && visibleBefore < 1000, "the policies hide most rows: " + visibleBefore);

        TableSnapshot before = TableSnapshot.of(db, T);
        List<String> policies = policies(db);
        assertEquals(7, policies.size(), policies.toString());
        String acl = db.queryStrings("SELECT array_to_string(relacl, ',') FROM pg_class WHERE oid = 'storage.objects'::regclass").get(0);
        assertTrue(acl.contains("supa_admin=r*w*/"), acl);
        String plan = ZooTest.printed(db, OBJECTS);
        MirroredWriter writer = new MirroredWriter(db, T, "id", "public.zoo_mirror", 25, OBJECTS.inserts(), OBJECTS.updates(),
                OBJECTS.deletes()).after(5);
        Engines.RecordingLog log = new Engines.RecordingLog();
        try {
            ZooTest.engine(db, OBJECTS, log).apply(Goal.CONVERT);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        } finally {
            System.out.println(log.text());
        }
        String swapped = db.queryStrings("SELECT now()::text").get(0);
        writer.after(writer.ops() + 20);
        writer.finishAfter(10);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'storage.objects'::regclass").get(0));
        writer.assertTableEqualsMirror();
        TableSnapshot after = TableSnapshot.of(db, T);
        System.out.println("storage.objects schema differences: " + before.differences(after));
        ZooTest.assertAnnounced(before, after, plan);

        assertEquals("true true", db.queryStrings("SELECT relrowsecurity || ' ' || relforcerowsecurity FROM pg_class"
                + " WHERE oid = 'storage.objects'::regclass").get(0));
        assertEquals(policies, policies(db), "every policy on the parent, with its command, roles and expressions");
        assertEquals(db.queryLong("SELECT count(*) FROM " + T + " WHERE " + VISIBLE), visibleTo(db),
                "a restricted role sees through the parent exactly the rows its policies allow");
        assertEquals(acl, db.queryStrings("SELECT array_to_string(relacl, ',') FROM pg_class WHERE oid = 'storage.objects'::regclass").get(0),
                "grants with their grant options");
        assertEquals(List.of("last_accessed_at {supa_user=w/postgres}", "metadata {supa_user=w/postgres}", "name {supa_admin=x*/postgres}"),
                db.queryStrings("SELECT attname || ' ' || attacl::text FROM pg_attribute WHERE attrelid = 'storage.objects'::regclass"
                        + " AND attacl IS NOT NULL ORDER BY attname").stream().map(s -> s.replaceAll("/[a-z_]+}", "/postgres}")).toList(),
                "column-level grants");
        assertEquals(List.of("f"), db.queryStrings("SELECT DISTINCT relreplident::text FROM pg_class WHERE oid = 'storage.objects'::regclass"
                + " OR oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'storage.objects'::regclass)"), "replica identity FULL everywhere");
        assertEquals(List.of("storage.objects"), db.queryStrings("SELECT prrelid::regclass::text FROM pg_publication_rel r JOIN pg_publication p"
                + " ON p.oid = r.prpubid WHERE p.pubname = 'storage_pub'"));
        assertEquals(List.of("storage_pub storage objects true"), db.queryStrings("SELECT t.pubname || ' ' || t.schemaname || ' ' || t.tablename"
                + " || ' ' || p.pubviaroot FROM pg_publication_tables t JOIN pg_publication p ON p.pubname = t.pubname"), "published through the root");

        assertEquals(0, db.queryLong("SELECT count(*) FROM " + T + " WHERE updated_at = '2001-01-01'"), "update_objects_updated_at fired for"
                + " every update of the writer, before and after the swap");
        assertTrue(db.queryLong("SELECT count(*) FROM " + T + " WHERE updated_at >= '" + swapped + "'") > 0, "the writer updated rows after the swap");
        assertEquals(List.of("name_prefix_search text_pattern_ops"), db.queryStrings("SELECT c.relname || ' ' || o.opcname FROM pg_index i"
                + " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_opclass o ON o.oid = i.indclass[0] WHERE i.indrelid = 'storage.objects'::regclass"
                + " AND c.relname = 'name_prefix_search'"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM " + T + " WHERE path_tokens IS DISTINCT FROM string_to_array(name, '/')"));
        assertTrue(db.queryLong("SELECT count(*) FROM " + T + " WHERE name LIKE '%/new/%' AND created_at >= '2026-10-01'") > 0,
                "rows the writer inserted, with their generated path_tokens");
        assertEquals(List.of("{public,x,y.png}"), db.queryStrings("INSERT INTO " + T + " (bucket_id, name, created_at) VALUES ('bucket2',"
                + " 'public/x/y.png', '2026-11-23') RETURNING path_tokens::text"));

        // the restricted role writes through the parent only what its policies allow
        IllegalStateException denied = assertThrows(IllegalStateException.class, () -> asUser(db, "INSERT INTO " + T
                + " (bucket_id, name, created_at) VALUES ('bucket2', 'private/mine.png', '2026-11-23')"));
        assertTrue(denied.getMessage().contains("new row violates row-level security policy"), denied.getMessage());
        asUser(db, "INSERT INTO " + T + " (bucket_id, name, created_at) VALUES ('bucket4', 'private/mine.png', '2026-11-23')");

        ZooTest.engine(db, OBJECTS, EngineLog.STDOUT).apply(Goal.ROLLBACK);
        assertEquals(List.of(), before.differences(TableSnapshot.of(db, T)), "rollback gives the table back as it was");
        assertEquals(List.of("storage.objects"), db.queryStrings("SELECT prrelid::regclass::text FROM pg_publication_rel r JOIN pg_publication p"
                + " ON p.oid = r.prpubid WHERE p.pubname = 'storage_pub'"), "the rolled back table is published again");
    }

    @Test
    void authAuditLogEntriesKeepsRowLevelSecurityWithoutAPolicySoTheGrantedRoleStillSeesNoRow() {
        ZooTest.Case audit = ZooTest.convertible().filter(c -> c.table().equals("auth.audit_log_entries")).findFirst().orElseThrow();
        TestDb db = ZooTest.load(audit.app(), audit.fill());
        // RLS on and no policy, as supabase/auth sets it: a role granted SELECT reads nothing, the owner reads all
        assertEquals("0 3000", seenBy(db, "zoo_auth_admin") + " " + db.queryLong("SELECT count(*) FROM auth.audit_log_entries"));
        ZooTest.engine(db, audit, EngineLog.STDOUT).apply(Goal.CONVERT);
        assertEquals("p true", db.queryStrings("SELECT relkind::text || ' ' || relrowsecurity FROM pg_class"
                + " WHERE oid = 'auth.audit_log_entries'::regclass").get(0));
        assertTrue(db.queryStrings("SELECT array_to_string(relacl, ',') FROM pg_class WHERE oid = 'auth.audit_log_entries'::regclass").get(0)
                .contains("zoo_auth_admin=r*/"), "SELECT WITH GRANT OPTION kept");
        assertEquals("0 3000", seenBy(db, "zoo_auth_admin") + " " + db.queryLong("SELECT count(*) FROM auth.audit_log_entries"),
                "through the partitioned parent the granted role still reads nothing");
    }

    private static long seenBy(TestDb db, String role) {
        return Long.parseLong(as(db, role, null, "SELECT count(*) FROM auth.audit_log_entries"));
    }

    private static List<String> policies(TestDb db) {
        return db.queryStrings("SELECT polname || ' ' || polpermissive || ' ' || polcmd::text || ' ' || polroles::regrole[]::text || ' '"
                + " || coalesce(pg_get_expr(polqual, polrelid), '-') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '-')"
                + " FROM pg_policy WHERE polrelid = 'storage.objects'::regclass ORDER BY polname");
    }

    /** How many rows supa_user, acting as user {@link #OWNER}, sees through storage.objects. */
    private static long visibleTo(TestDb db) {
        return Long.parseLong(asUser(db, "SELECT count(*) FROM " + T));
    }

    /** Runs {@code sql} as the restricted role supa_user, with OWNER's claims set as PostgREST sets them. */
    private static String asUser(TestDb db, String sql) {
        return as(db, "supa_user", OWNER, sql);
    }

    /** Runs {@code sql} as {@code role}, acting as user {@code sub} when given; the first column of its first row, if any. */
    private static String as(TestDb db, String role, String sub, String sql) {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET ROLE " + role);
            if (sub != null) {
                s.execute("SELECT set_config('request.jwt.claim.sub', '" + sub + "', false)");
            }
            if (!s.execute(sql)) {
                return "";
            }
            try (ResultSet rs = s.getResultSet()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
