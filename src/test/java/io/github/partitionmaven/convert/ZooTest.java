package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.MirroredWriter;
import io.github.partitionmaven.testing.TableSnapshot;
import io.github.partitionmaven.testing.TestDb;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schema zoo (src/test/resources/zoo, real applications' own DDL, verbatim): every big time-ordered table that is not an
 * epoch one (those are EpochZooTest's) is loaded alone into a fresh database, filled with a few thousand rows over twelve
 * months, and then either converted with strategy copy while a writer inserts, updates and deletes through the table's own
 * columns (the result must equal the mirror the writer kept, and every schema difference must be one the plan announced),
 * or refused before any change, with a message naming what to do. docs/zoo.md lists the outcomes.
 */
@DatabaseTest
class ZooTest {

    /** Rows spread over [2025-12-01, 2026-11-20): {@code ts(n)} is row i's time among n, in the timestamp type. */
    static String ts(int n) {
        return "(timestamp '2025-12-01' + (i::float8 / " + n + ") * interval '354 days')";
    }

    /** A time the writer gives its rows: the last seven weeks, in the table's existing partitions. */
    static final String RECENT = "(timestamp '2026-10-01' + random() * interval '50 days')";

    static String pick(String table, String key) {
        return "(SELECT " + key + " FROM " + table + " ORDER BY random() LIMIT 1)";
    }

    /**
     * One zoo table: its application file, the policy column, the rows to load, and either the writer's statements (it
     * converts) or the phrases the refusal must contain.
     */
    record Case(String name, String app, String table, String key, String column, List<String> fill, List<String> inserts,
                List<String> updates, List<String> deletes, List<String> refusal, String why, String epochUnit) {

        static Case converts(String name, String app, String table, String key, String column, List<String> fill, String insert,
                             String update) {
            return new Case(name, app, table, key, column, fill, List.of(insert), List.of(update), List.of("DELETE FROM " + table + " WHERE "
                    + key + " = " + pick(table, key)), List.of(), "", null);
        }

        static Case refused(String name, String app, String table, String column, List<String> fill, String why, String... refusal) {
            return new Case(name, app, table, "", column, fill, List.of(), List.of(), List.of(), List.of(refusal), why, null);
        }

        /** The same table with its integer time column configured as epoch time ({@code <epochUnit>}). */
        Case epoch(String unit) {
            return new Case(name, app, table, key, column, fill, inserts, updates, deletes, refusal, why, unit);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<String> GUACAMOLE_BASE = List.of(
            "INSERT INTO guacamole.guacamole_user (username, password_hash) SELECT 'user' || i, '\\x00'::bytea FROM generate_series(1, 20) i",
            "INSERT INTO guacamole.guacamole_connection_group (connection_group_name) VALUES ('root')",
            "INSERT INTO guacamole.guacamole_connection (connection_name, parent_id, protocol) SELECT 'conn' || i, 1, 'rdp' FROM generate_series(1, 10) i");

    private static final List<String> LEMMY_BASE = List.of(
            "INSERT INTO lemmy.user_ (name, fedi_name, password_encrypted) SELECT 'user' || i, 'lemmy.ml', 'x' FROM generate_series(1, 50) i",
            "INSERT INTO lemmy.category (name) VALUES ('Discussion')",
            "INSERT INTO lemmy.community (name, title, category_id, creator_id) VALUES ('main', 'Main', 1, 1)",
            "INSERT INTO lemmy.post (name, creator_id, community_id, published) SELECT 'post ' || i, 1 + i % 50, 1, " + ts(500)
                    + " FROM generate_series(0, 499) i",
            "INSERT INTO lemmy.comment (creator_id, post_id, content, published) SELECT 1 + i % 50, 1 + i % 500, 'comment ' || i, " + ts(500)
                    + " FROM generate_series(0, 499) i",
            "UPDATE lemmy.comment SET parent_id = id - 1 WHERE id % 3 = 0");

    private static final String HARBOR_JOBS = "INSERT INTO harbor.replication_job (status, policy_id, repository, operation, creation_time)"
            + " SELECT 'finished', 1 + i % 5, 'library/app' || i % 40, 'transfer', TIME FROM generate_series(0, 2999) i";

    private static final String EVENT_LOG = "INSERT INTO hdb_catalog.event_log (schema_name, table_name, trigger_name, payload, created_at)"
            + " SELECT 'public', 'orders', 'on_order_' || i % 3, jsonb_build_object('op', 'INSERT', 'n', i), TIME FROM generate_series(0, 2999) i";

    private static final String AUDIT = "INSERT INTO auth.audit_log_entries (instance_id, id, payload, created_at) SELECT"
            + " '00000000-0000-0000-0000-000000000000', gen_random_uuid(), json_build_object('action', 'login', 'n', i), TIME"
            + " FROM generate_series(0, 2999) i";

    /**
     * What supabase/auth's migrations/20240612123726_enable_rls_update_grants.up.sql (commit 7dbe422) does to the table: row-level
     * security on, with no policy (only the owner reads it), and SELECT WITH GRANT OPTION to the auth service's user, here a
     * role of the test's own.
     */
    private static final List<String> AUDIT_SECURITY = List.of(
            "DO $$ BEGIN CREATE ROLE zoo_auth_admin; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            "ALTER TABLE auth.audit_log_entries ENABLE ROW LEVEL SECURITY",
            "GRANT SELECT ON auth.audit_log_entries TO zoo_auth_admin WITH GRANT OPTION",
            // what the role needs to name the table at all (SupabaseStorageConvertTest reads it as that role)
            "GRANT USAGE ON SCHEMA auth TO zoo_auth_admin");

    private static final List<String> STORAGE_BASE = List.of(
            "INSERT INTO storage.buckets (id, name) VALUES ('bucket2', 'bucket2'), ('bucket4', 'bucket4')");

    private static final String OBJECTS = "INSERT INTO storage.objects (bucket_id, name, owner, created_at, metadata) SELECT"
            + " CASE WHEN i % 2 = 0 THEN 'bucket2' ELSE 'bucket4' END, 'folder/public/file' || i || '.png', gen_random_uuid(), TIME,"
            + " '{\"size\": 1}' FROM generate_series(0, 2999) i";

    private static final String VISIBILITY = "INSERT INTO temporal.executions_visibility (namespace_id, run_id, start_time, execution_time,"
            + " workflow_id, workflow_type_name, status, close_time, encoding, search_attributes) SELECT 'ns', md5(i::text), " + ts(3000)
            + ", " + ts(3000) + ", 'wf' || i, 'type', 1, TIME, 'proto3', jsonb_build_object('Keyword01', 'k' || i % 9, 'Int01', i)"
            + " FROM generate_series(0, 2999) i";

    private static final List<String> LISTMONK_BASE = List.of(
            "INSERT INTO listmonk.templates (name, body, is_default) VALUES ('default', '{{ template \"content\" . }}', true)",
            "INSERT INTO listmonk.campaigns (uuid, name, subject, from_email, body, messenger, template_id) SELECT gen_random_uuid(),"
                    + " 'c' || i, 's', 'a@b.c', 'body', 'email', 1 FROM generate_series(1, 5) i",
            "INSERT INTO listmonk.subscribers (uuid, email, name, created_at) SELECT gen_random_uuid(), 's' || i || '@x.org', 'S ' || i,"
                    + " CASE WHEN i % 40 = 0 THEN NULL ELSE " + ts(3000).replace("timestamp", "timestamptz") + " END"
                    + " FROM generate_series(0, 2999) i",
            "INSERT INTO listmonk.links (uuid, url) VALUES (gen_random_uuid(), 'https://listmonk.app')");

    /** Every 50th row has no time, as the real applications' rows that were written before the column got its default. */
    private static String sometimesNull(String time) {
        return "CASE WHEN i % 50 = 0 THEN NULL ELSE " + time + " END";
    }

    private static final String NULL_TIME = "its time column allows NULL and some rows hold NULL, which no range partition takes";

    static Stream<Case> convertible() {
        String history = "guacamole.guacamole_connection_history";
        String jobs = "harbor.replication_job";
        String events = "hdb_catalog.event_log";
        String cleanups = "hdb_catalog.hdb_event_log_cleanups";
        String likes = "lemmy.comment_like";
        String reads = "lemmy.post_read";
        String audit = "auth.audit_log_entries";
        String models = "rudder.event_models";
        return Stream.of(
                Case.converts("rudder.event_models (serial key; autovacuum storage parameters, as RudderStack's migration sets them)", "rudderstack",
                        models, "id", "created_at", List.of("INSERT INTO " + models + " (uuid, write_key, event_type, event_model_identifier, created_at)"
                                + " SELECT gen_random_uuid(), 'wk' || i % 7, 'track', 'event ' || i, " + ts(3000) + " FROM generate_series(0, 2999) i"),
                        "INSERT INTO " + models + " (uuid, write_key, event_type, created_at) VALUES (gen_random_uuid(), 'wk1', 'identify', " + RECENT + ")",
                        "UPDATE " + models + " SET event_model_identifier = md5(random()::text) WHERE id = " + pick(models, "id")),
                Case.converts("guacamole.guacamole_connection_history", "guacamole", history, "history_id", "start_date",
                        concat(GUACAMOLE_BASE, "INSERT INTO " + history + " (user_id, connection_id, start_date, end_date) SELECT 1 + i % 20,"
                                + " 1 + i % 10, " + ts(3000) + ", " + ts(3000) + " + interval '1 hour' FROM generate_series(0, 2999) i"),
                        "INSERT INTO " + history + " (user_id, connection_id, start_date) VALUES (1 + floor(random() * 20)::int,"
                                + " 1 + floor(random() * 10)::int, " + RECENT + ")",
                        "UPDATE " + history + " SET end_date = now() WHERE history_id = " + pick(history, "history_id")),
                Case.converts("harbor.replication_job (creation_time without NULLs; BEFORE UPDATE trigger)", "harbor", jobs, "id",
                        "creation_time", List.of(timed(HARBOR_JOBS, ts(3000))),
                        "INSERT INTO " + jobs + " (status, policy_id, repository, operation, creation_time) VALUES ('pending',"
                                + " 1 + floor(random() * 5)::int, 'library/new', 'transfer', " + RECENT + ")",
                        "UPDATE " + jobs + " SET status = 'running', tags = md5(random()::text) WHERE id = " + pick(jobs, "id")),
                Case.converts("hdb_catalog.event_log (created_at without NULLs; text key from gen_hasura_uuid(), partial index)", "hasura",
                        events, "id", "created_at", List.of(timed(EVENT_LOG, ts(3000))),
                        "INSERT INTO " + events + " (schema_name, table_name, trigger_name, payload, created_at) VALUES ('public', 'orders',"
                                + " 'on_order_1', '{\"op\": \"UPDATE\"}', " + RECENT + ")",
                        "UPDATE " + events + " SET delivered = true, tries = tries + 1, locked = now() WHERE id = " + pick(events, "id")),
                Case.converts("hdb_catalog.hdb_event_log_cleanups (check constraint, unique key with the time column)", "hasura", cleanups,
                        "id", "scheduled_at", List.of("INSERT INTO " + cleanups + " (trigger_name, scheduled_at, status) SELECT 'on_order_' || i % 7, "
                                + ts(3000) + ", 'completed' FROM generate_series(0, 2999) i"),
                        "INSERT INTO " + cleanups + " (trigger_name, scheduled_at, status) VALUES ('on_order_' || floor(random() * 1e9)::bigint, "
                                + RECENT + ", 'scheduled')",
                        "UPDATE " + cleanups + " SET status = 'paused', deleted_event_logs = floor(random() * 100)::int WHERE id = "
                                + pick(cleanups, "id")),
                Case.converts("lemmy.comment_like (identity key, unique key without the time column, ON UPDATE/DELETE CASCADE)", "lemmy",
                        likes, "id", "published", concat(LEMMY_BASE, "INSERT INTO " + likes + " (user_id, comment_id, post_id, score, published)"
                                + " SELECT 1 + i / 500, c.id, c.post_id, 1, " + ts(3000) + " FROM generate_series(0, 2999) i"
                                + " JOIN lemmy.comment c ON c.id = 1 + i % 500"),
                        "INSERT INTO " + likes + " (user_id, comment_id, post_id, score, published) SELECT u.id, c.id, c.post_id, -1, " + RECENT
                                + " FROM (SELECT id FROM lemmy.user_ ORDER BY random() LIMIT 1) u, (SELECT id, post_id FROM lemmy.comment ORDER BY"
                                + " random() LIMIT 1) c WHERE NOT EXISTS (SELECT FROM " + likes + " l WHERE l.comment_id = c.id AND l.user_id = u.id)",
                        "UPDATE " + likes + " SET score = -score WHERE id = " + pick(likes, "id")),
                Case.converts("lemmy.post_read (identity key, unique key without the time column; read by Lemmy's post_view)", "lemmy", reads, "id", "published",
                        concat(LEMMY_BASE, "INSERT INTO " + reads + " (post_id, user_id, published) SELECT 1 + i % 500, 1 + i / 500, " + ts(3000)
                                + " FROM generate_series(0, 2999) i"),
                        "INSERT INTO " + reads + " (post_id, user_id, published) SELECT p.id, u.id, " + RECENT + " FROM (SELECT id FROM"
                                + " lemmy.user_ ORDER BY random() LIMIT 1) u, (SELECT id FROM lemmy.post ORDER BY random() LIMIT 1) p WHERE NOT EXISTS"
                                + " (SELECT FROM " + reads + " r WHERE r.post_id = p.id AND r.user_id = u.id)",
                        // a new time: after the swap the row moves to another partition
                        "UPDATE " + reads + " SET published = " + RECENT + " WHERE id = " + pick(reads, "id")),
                Case.converts("auth.audit_log_entries (created_at without NULLs; uuid key, json column, table comment; row-level security"
                                + " without a policy and a grant option, as supabase/auth sets them)", "supabase", audit,
                        "id", "created_at", concat(AUDIT_SECURITY, timed(AUDIT, ts(3000))),
                        "INSERT INTO " + audit + " (instance_id, id, payload, created_at) VALUES (NULL, gen_random_uuid(),"
                                + " json_build_object('action', 'logout'), " + RECENT + ")",
                        "UPDATE " + audit + " SET payload = json_build_object('action', 'token_refreshed', 'r', random()) WHERE id = "
                                + pick(audit, "id")));
    }

    static Stream<Case> refused() {
        return Stream.of(
                Case.refused("harbor.access_log (NULL op_time)", "harbor", "harbor.access_log", "op_time",
                        List.of("INSERT INTO harbor.access_log (username, project_id, operation, op_time) SELECT 'u' || i % 9, 1 + i % 4, 'push', "
                                + sometimesNull(ts(3000)) + " FROM generate_series(0, 2999) i"), NULL_TIME, "\"op_time\""),
                Case.refused("harbor.replication_job (NULL creation_time)", "harbor", "harbor.replication_job", "creation_time",
                        List.of(timed(HARBOR_JOBS, sometimesNull(ts(3000)))), NULL_TIME, "\"creation_time\""),
                Case.refused("harbor.img_scan_job (NULL creation_time)", "harbor", "harbor.img_scan_job", "creation_time",
                        List.of("INSERT INTO harbor.img_scan_job (status, repository, tag, creation_time) SELECT 'finished', 'library/app', 'v' || i, "
                                + sometimesNull(ts(3000)) + " FROM generate_series(0, 2999) i"), NULL_TIME, "\"creation_time\""),
                Case.refused("hdb_catalog.event_log (NULL created_at)", "hasura", "hdb_catalog.event_log", "created_at",
                        List.of(timed(EVENT_LOG, sometimesNull(ts(3000)))), NULL_TIME, "\"created_at\""),
                Case.refused("hdb_catalog.event_invocation_logs (NULL created_at)", "hasura", "hdb_catalog.event_invocation_logs", "created_at",
                        List.of("INSERT INTO hdb_catalog.event_invocation_logs (trigger_name, event_id, status, request, response, created_at)"
                                + " SELECT 'on_order', md5(i::text), 200, '{}', '{}', " + sometimesNull(ts(3000)) + " FROM generate_series(0, 2999) i"),
                        NULL_TIME, "\"created_at\""),
                Case.refused("lemmy.comment (self-referencing parent_id by id alone)", "lemmy", "lemmy.comment", "published", LEMMY_BASE,
                        "its foreign key parent_id references the table's own id, which the partitioned table's key (id, published) does not"
                                + " match; the fix adds the parent's time to the reference",
                        "\"comment_parent_id_fkey\"", "ADD COLUMN \"parent_published\" timestamp",
                        "FOREIGN KEY (\"parent_id\", \"parent_published\") REFERENCES \"lemmy\".\"comment\" (\"id\", \"published\")"
                                + " ON UPDATE CASCADE ON DELETE CASCADE", "Nothing was changed."),
                Case.refused("lemmy.post (referenced by comment, post_like, post_read, post_saved, comment_like)", "lemmy", "lemmy.post", "published",
                        LEMMY_BASE, "other tables' foreign keys reference its id, which cannot follow the conversion",
                        "Foreign keys of other tables reference \"lemmy\".\"post\"", "DROP CONSTRAINT"),
                Case.refused("listmonk.campaign_views (NULL created_at, no primary key)", "listmonk", "listmonk.campaign_views", "created_at",
                        concat(LISTMONK_BASE, "INSERT INTO listmonk.campaign_views (campaign_id, subscriber_id, created_at) SELECT 1 + i % 5, 1 + i,"
                                + " " + sometimesNull(ts(3000).replace("timestamp", "timestamptz")) + " FROM generate_series(0, 2998) i"),
                        NULL_TIME, "\"created_at\""),
                Case.refused("listmonk.link_clicks (NULL created_at, no primary key)", "listmonk", "listmonk.link_clicks", "created_at",
                        concat(LISTMONK_BASE, "INSERT INTO listmonk.link_clicks (campaign_id, link_id, subscriber_id, created_at) SELECT 1 + i % 5,"
                                + " 1, 1 + i, " + sometimesNull(ts(3000).replace("timestamp", "timestamptz")) + " FROM generate_series(0, 2998) i"),
                        NULL_TIME, "\"created_at\""),
                Case.refused("listmonk.subscribers (referenced by subscriber_lists, campaign_views, link_clicks; NULL created_at)", "listmonk",
                        "listmonk.subscribers", "created_at", LISTMONK_BASE, "other tables' foreign keys reference its id (checked before its NULLs)",
                        "Foreign keys of other tables reference \"listmonk\".\"subscribers\"", "\"created_at\""),
                Case.refused("rudder.schema_versions (unique index (event_model_id, schema_hash) without first_seen)", "rudderstack",
                        "rudder.schema_versions", "first_seen", List.of("INSERT INTO rudder.schema_versions (uuid, event_model_id, schema_hash,"
                                + " schema, first_seen, last_seen) SELECT gen_random_uuid(), 'm' || i % 40, md5(i::text), jsonb_build_object('n', 'int'), "
                                + ts(3000) + ", " + ts(3000) + " FROM generate_series(0, 2999) i"),
                        "its unique index (event_model_id, schema_hash) does not include first_seen: a partitioned table cannot enforce it",
                        "Unique index \"event_model_id_schema_hash_index\"", "does not include \"first_seen\"", "CREATE UNIQUE INDEX CONCURRENTLY"
                                + " \"event_model_id_schema_hash_index_first_seen\"", "Nothing was changed."),
                Case.refused("storage.objects (NULL created_at)", "supabase", "storage.objects", "created_at",
                        concat(STORAGE_BASE, timed(OBJECTS, sometimesNull(ts(3000).replace("timestamp", "timestamptz")))), NULL_TIME,
                        "\"created_at\""),
                Case.refused("storage.objects (created_at without NULLs; unique index bucketid_objname)", "supabase", "storage.objects",
                        "created_at", concat(STORAGE_BASE, timed(OBJECTS, ts(3000).replace("timestamp", "timestamptz"))),
                        "its unique index (bucket_id, name) does not include created_at: a partitioned table cannot enforce it",
                        "Unique index \"bucketid_objname\"", "does not include \"created_at\"", "CREATE UNIQUE INDEX CONCURRENTLY"
                                + " \"bucketid_objname_created_at\"", "Nothing was changed."),
                Case.refused("auth.audit_log_entries (NULL created_at)", "supabase", "auth.audit_log_entries", "created_at",
                        List.of(timed(AUDIT, sometimesNull(ts(3000).replace("timestamp", "timestamptz")))), NULL_TIME, "\"created_at\""),
                Case.refused("temporal.executions_visibility by start_time (composite primary key)", "temporal", "temporal.executions_visibility",
                        "start_time", List.of(timed(VISIBILITY, ts(3000) + " + interval '5 minutes'")),
                        "its primary key (namespace_id, run_id) has two columns; strategy copy batches and replays by one. Strategy attach is"
                                + " the fix the message names",
                        "The primary key of \"temporal\".\"executions_visibility\" is (namespace_id character(64), run_id character(64))",
                        "<strategy>attach</strategy>"),
                Case.refused("temporal.executions_visibility by close_time (NULL close_time: running workflows)", "temporal",
                        "temporal.executions_visibility", "close_time", List.of(timed(VISIBILITY, sometimesNull(ts(3000)))), NULL_TIME,
                        "\"close_time\""),
                Case.refused("synapse.refresh_tokens (epoch ms expiry_ts; self-referencing next_token_id)", "synapse", "synapse.refresh_tokens",
                        "expiry_ts", List.of("INSERT INTO synapse.refresh_tokens (id, user_id, device_id, token, next_token_id, expiry_ts) SELECT i,"
                                + " '@u' || i % 20 || ':hs', 'D', md5(i::text), NULL, (extract(epoch FROM " + ts(3000) + ") * 1000)::bigint"
                                + " FROM generate_series(0, 2999) i", "UPDATE synapse.refresh_tokens SET next_token_id = id + 1 WHERE id % 2 = 0"),
                        "its foreign key next_token_id references (id), which the partitioned table's key (id, expiry_ts) does not match;"
                                + " the fix adds the referenced token's expiry_ts to the reference",
                        "\"refresh_tokens_next_token_id_fkey\"", "Nothing was changed.").epoch("milliseconds"),
                Case.refused("synapse.event_txn_id (epoch ms inserted_ts; no primary key)", "synapse", "synapse.event_txn_id", "inserted_ts",
                        List.of(), "no primary key: strategy copy batches and replays by the primary key", "\"synapse\".\"event_txn_id\"",
                        "primary key").epoch("milliseconds"));
    }

    private static String timed(String template, String time) {
        return template.replace("TIME", time);
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }

    static TestDb load(String app, List<String> fill) {
        TestDb db = TestDb.fresh(ZooTest.class);
        try (InputStream in = ZooTest.class.getResourceAsStream("/zoo/" + app + ".sql")) {
            db.exec(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        db.exec(fill.toArray(String[]::new));
        db.exec("ANALYZE");
        return db;
    }

    static PartitionEngine engine(TestDb db, Case c, EngineLog log) {
        ConvertOptions options = ConvertOptions.DEFAULTS.withBatchSize(500);
        return Engines.engine(db, ConvertTest.NOW, "UTC", log, List.of(new ConvertPlanner(options), new RollbackPlanner(options)),
                c.epochUnit() == null ? Engines.spec(c.table(), c.column(), "month", null)
                        : Engines.spec(c.table(), c.column(), "month", null).withEpochUnit(c.epochUnit()));
    }

    /** The plan as `partition:plan` prints it (actions, reasons, SQL), identifiers unquoted for matching catalog text. */
    static String printed(TestDb db, Case c) {
        List<String> lines = new ArrayList<>();
        new PlanReport(engine(db, c, EngineLog.STDOUT).plan(Set.of(Goal.CONVERT)), "test").print(lines::add, lines::add);
        return String.join("\n", lines);
    }

    /**
     * What the plan must say for a changed schema item: NOT NULL added is the ALTER COLUMN ... SET NOT NULL (or, from
     * PostgreSQL 18, ADD CONSTRAINT ... NOT NULL) it runs; any other
     * item's new definition must appear as the plan's SQL prints it.
     */
    static void assertAnnounced(TableSnapshot before, TableSnapshot after, String plan) {
        String unquoted = plan.replace("\"", "");
        List<String> unannounced = new ArrayList<>();
        for (String item : before.changedItems(after)) {
            String now = after.get(item);
            boolean notNull = item.startsWith("column ") && item.endsWith(" not null") && "true".equals(now);
            String column = notNull ? item.substring("column ".length(), item.length() - " not null".length()) : "";
            String phrase = notNull ? "ALTER COLUMN " + column + " SET NOT NULL" : now == null ? "DROP " + item : now.replaceAll(" -> .*$", "");
            if (!unquoted.contains(phrase) && !(notNull && unquoted.contains(" NOT NULL " + column))) {
                unannounced.add(item + ": " + before.get(item) + " => " + now + " (looked for: " + phrase + ")");
            }
        }
        assertEquals(List.of(), unannounced, "schema changes the plan did not announce; all differences: " + before.differences(after));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convertible")
    void aZooTableConvertsUnderAWriterEqualToItsMirrorWithOnlyTheSchemaChangesThePlanAnnouncedAndRollsBackToItsSchema(Case c) throws Exception {
        TestDb db = load(c.app(), c.fill());
        TableSnapshot before = TableSnapshot.of(db, c.table());
        List<String> views = db.queryStrings(viewsReading(c.table()));
        assertTrue(!c.name().contains("read by ") || !views.isEmpty(), c.name() + ": no view reads it");
        String plan = printed(db, c);
        MirroredWriter writer = new MirroredWriter(db, c.table(), c.key(), "public.zoo_mirror", 25, c.inserts(), c.updates(), c.deletes())
                .after(5);
        Engines.RecordingLog log = new Engines.RecordingLog();
        try {
            engine(db, c, log).apply(Goal.CONVERT);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        } finally {
            System.out.println(log.text());
        }
        // the writer goes on after the swap, on the partitioned table (a fast conversion is over before it wrote 10 times)
        writer.finishAfter(10);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = '" + c.table() + "'::regclass").get(0));
        writer.assertTableEqualsMirror();
        TableSnapshot after = TableSnapshot.of(db, c.table());
        System.out.println(c.table() + " schema differences: " + before.differences(after));
        assertAnnounced(before, after, plan);
        assertEquals(List.of(), db.queryStrings("SELECT conrelid::regclass || ' ' || conname FROM pg_constraint WHERE contype = 'f'"
                + " AND confrelid = to_regclass('" + c.table() + "_old') AND conrelid <> confrelid"), "nothing references the old table");
        assertEquals(views, db.queryStrings(viewsReading(c.table())), "its views read the partitioned table");
        assertEquals(List.of(), db.queryStrings(viewsReading(c.table() + "_old")), "no view reads the old table");

        engine(db, c, EngineLog.STDOUT).apply(Goal.ROLLBACK);
        assertEquals(List.of(), before.differences(TableSnapshot.of(db, c.table())), "rollback gives the table back as it was");
        assertEquals(views, db.queryStrings(viewsReading(c.table())), "its views read the rolled back table");
        writer.assertTableEqualsMirror();
    }

    /** The views whose rules name {@code table} (none when it does not exist). */
    private static String viewsReading(String table) {
        return "SELECT DISTINCT r.ev_class::regclass::text FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid WHERE d.classid ="
                + " 'pg_rewrite'::regclass AND d.refobjid = to_regclass('" + table + "') AND r.ev_class <> d.refobjid ORDER BY 1";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aZooTableThePluginCannotConvertIsRefusedBeforeAnyChangeNamingTheFix(Case c) {
        TestDb db = load(c.app(), c.fill());
        String before = db.snapshot() + "\n" + TableSnapshot.of(db, c.table());
        PartitionException e = assertThrows(PartitionException.class, () -> engine(db, c, EngineLog.STDOUT).apply(Goal.CONVERT),
                "refused because " + c.why());
        System.out.println(c.name() + ": " + e.getMessage());
        for (String phrase : c.refusal()) {
            assertTrue(e.getMessage().contains(phrase), "the refusal names " + phrase + ": " + e.getMessage());
        }
        assertEquals(before, db.snapshot() + "\n" + TableSnapshot.of(db, c.table()), "nothing was changed, no helper was created");
    }
}
