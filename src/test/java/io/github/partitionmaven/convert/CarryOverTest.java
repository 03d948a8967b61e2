package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.DebianPostgres;
import io.github.partitionmaven.testing.LabelProvider;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Security and replication properties of the seed's literal chat_history survive the swap, with either strategy. The table is
 * the seed's DDL as written (testing/Seed: id SERIAL PRIMARY KEY, nullable columns, created_at TIMESTAMP DEFAULT NOW()).
 */
@DatabaseTest
class CarryOverTest {

    private static TestDb seeded(String... extra) {
        return seeded(TestDb.fresh(CarryOverTest.class), extra);
    }

    private static TestDb seeded(TestDb db, String... extra) {
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(20, 1000, LocalDate.of(2026, 6, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        db.exec("DO $$ BEGIN CREATE ROLE carry_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                "DO $$ BEGIN CREATE ROLE carry_admin; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        db.exec(extra);
        db.exec("ANALYZE");
        return db;
    }

    private static String convert(TestDb db, ConvertOptions.Strategy strategy) {
        String plan = new io.github.partitionmaven.report.PlanReport(ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy),
                EngineLog.STDOUT).plan(Set.of(Goal.CONVERT)), "test").json();
        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy).withBatchSize(300), EngineLog.STDOUT).apply(Goal.CONVERT);
        assertEquals("p", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        return plan.replace("\\\"", "\"");
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void rowLevelSecurityForcedAndEveryPolicyApplyToTheNewTable(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("ALTER TABLE chat_history ENABLE ROW LEVEL SECURITY", "ALTER TABLE chat_history FORCE ROW LEVEL SECURITY",
                "CREATE POLICY \"Public read of user 1\" ON chat_history FOR SELECT TO carry_reader USING (user_id = 1)",
                "CREATE POLICY only_own_role ON chat_history AS RESTRICTIVE FOR INSERT TO PUBLIC WITH CHECK (role IN ('user', 'assistant'))");
        String plan = convert(db, strategy);
        assertTrue(plan.contains("row-level security (enabled and forced) with 2 polic(ies)"), plan);
        assertEquals("true true", db.queryStrings("SELECT relrowsecurity || ' ' || relforcerowsecurity FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
        List<String> policies = db.queryStrings("SELECT policyname || ' ' || permissive || ' ' || roles::text || ' ' || cmd || ' ' || coalesce(qual, 'null') || ' '"
                + " || coalesce(with_check, 'null') FROM pg_policies WHERE tablename = 'chat_history' ORDER BY policyname COLLATE \"C\"");
        assertEquals(2, policies.size(), policies.toString());
        assertEquals("Public read of user 1 PERMISSIVE {carry_reader} SELECT (user_id = 1) null", policies.get(0));
        assertTrue(policies.get(1).startsWith("only_own_role RESTRICTIVE {public} INSERT null ((role)::text = ANY ")
                && policies.get(1).contains("'assistant'"), policies.get(1));
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void grantsKeepTheirGrantOptionAndColumnGrantsFollow(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("GRANT SELECT, INSERT ON chat_history TO carry_admin WITH GRANT OPTION", "GRANT UPDATE ON chat_history TO carry_admin",
                "GRANT SELECT (id, created_at) ON chat_history TO carry_reader", "GRANT UPDATE (content) ON chat_history TO carry_reader WITH GRANT OPTION");
        String before = db.queryStrings("SELECT array_to_string(relacl, ',') FROM pg_class WHERE oid = 'chat_history'::regclass").get(0);
        String columnsBefore = String.join(";", db.queryStrings("SELECT attname || ' ' || array_to_string(attacl, ',') FROM pg_attribute"
                + " WHERE attrelid = 'chat_history'::regclass AND attacl IS NOT NULL ORDER BY attnum"));
        assertTrue(before.contains("carry_admin=a*r*w/"), before);
        String plan = convert(db, strategy);
        assertTrue(plan.contains("3 column-level grant(s)") || strategy == ConvertOptions.Strategy.ATTACH || plan.contains("column-level"), plan);
        assertEquals(before, db.queryStrings("SELECT array_to_string(relacl, ',') FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
        assertEquals(columnsBefore, String.join(";", db.queryStrings("SELECT attname || ' ' || array_to_string(attacl, ',') FROM pg_attribute"
                + " WHERE attrelid = 'chat_history'::regclass AND attacl IS NOT NULL ORDER BY attnum")));
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void replicaIdentityFullReachesTheParentAndEveryPartition(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("ALTER TABLE chat_history REPLICA IDENTITY FULL");
        String plan = convert(db, strategy);
        assertTrue(plan.contains("replica identity FULL"), plan);
        assertEquals(List.of("f"), db.queryStrings("SELECT DISTINCT relreplident::text FROM pg_class WHERE oid = 'chat_history'::regclass"
                + " OR oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'chat_history'::regclass)"));
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void publicationMembershipMovesToTheNewTableAndBackWithARollback(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("CREATE PUBLICATION chat_pub FOR TABLE chat_history, users WITH (publish_via_partition_root = true)");
        String plan = convert(db, strategy);
        assertTrue(plan.contains("membership of publication(s) \"chat_pub\""), plan);
        String published = "SELECT c.relname || ' ' || c.relkind::text FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid"
                + " JOIN pg_class c ON c.oid = r.prrelid WHERE p.pubname = 'chat_pub' ORDER BY 1";
        assertEquals(List.of("chat_history p", "users r"), db.queryStrings(published));
        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy), EngineLog.STDOUT).apply(Goal.ROLLBACK);
        assertEquals(List.of("chat_history r", "users r"), db.queryStrings(published), "the rolled back table rejoins the publication");
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void columnStatisticsTuningAndExtendedStatisticsReachEveryPartitionThePremadeOnesToo(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("ALTER TABLE chat_history ALTER COLUMN user_id SET STATISTICS 800",
                "ALTER TABLE chat_history ALTER COLUMN user_id SET (n_distinct = 700)", "ALTER TABLE chat_history ALTER COLUMN role SET (n_distinct = -0.5)",
                "CREATE SCHEMA stats", "CREATE STATISTICS stats.chat_user_role (dependencies) ON user_id, role FROM chat_history");
        String plan = convert(db, strategy);
        String named = "SELECT c.relname || ' ' || n.nspname || '.' || s.stxname FROM pg_statistic_ext s JOIN pg_class c ON c.oid = s.stxrelid"
                + " JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE c.relname IN ('chat_history', 'chat_history_old') ORDER BY 1";
        assertEquals(List.of("chat_history stats.chat_user_role", "chat_history_old stats." + (strategy == ConvertOptions.Strategy.COPY
                ? "chat_user_role_old" : "chat_history_old_stat1")), db.queryStrings(named), "the parent's object keeps the name a migration knows");
        assertTrue(plan.contains("the statistics tuning of column(s) \"user_id\" (statistics 800, n_distinct=700), \"role\" (n_distinct=-0.5)"), plan);
        assertTrue(plan.contains("1 extended statistics object(s) (on every partition"), plan);
        String extended = "SELECT DISTINCT (SELECT string_agg(pg_get_statisticsobjdef(s.oid), '; ') FROM pg_statistic_ext s WHERE s.stxrelid = i.inhrelid)"
                + " FROM pg_inherits i WHERE i.inhparent = 'chat_history'::regclass";
        assertEquals(1, db.queryStrings(extended.replace("pg_get_statisticsobjdef(s.oid)", "regexp_replace(pg_get_statisticsobjdef(s.oid),"
                + " '^CREATE STATISTICS \\S+ | FROM \\S+$', '', 'g')")).size(), "one object per partition, the same everywhere");
        assertTrue(db.queryStrings(extended).stream().allMatch(d -> d != null && d.contains("(dependencies) ON user_id, role FROM")),
                db.queryStrings(extended).toString());
        String partitions = "SELECT DISTINCT a.attname || ' ' || coalesce(CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::text END, '-') || ' '"
                + " || coalesce(array_to_string(a.attoptions, ','), '-') FROM pg_attribute a WHERE a.attname IN ('user_id', 'role')"
                + " AND a.attrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'chat_history'::regclass) ORDER BY 1";
        List<String> tuned = List.of("role - n_distinct=-0.5", "user_id 800 n_distinct=700");
        assertEquals(tuned, db.queryStrings(partitions));
        // the parent's statistics are of the whole table, which the old table's n_distinct described
        assertEquals(List.of("role - n_distinct_inherited=-0.5", "user_id 800 n_distinct_inherited=700"), db.queryStrings(partitions
                .replace("a.attrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'chat_history'::regclass)",
                        "a.attrelid = 'chat_history'::regclass")));
        db.exec("DROP TABLE chat_history_2027_02");
        ConvertTest.engine(db, ConvertOptions.DEFAULTS, EngineLog.STDOUT).apply(Goal.PREMAKE);
        assertEquals(tuned, db.queryStrings(partitions), "the premade partition is tuned like the latest one");
        assertTrue(db.queryStrings(extended).stream().allMatch(d -> d != null && d.contains("(dependencies) ON user_id, role FROM")),
                db.queryStrings(extended).toString());
        db.exec("ANALYZE chat_history");
        assertEquals(List.of("700"), db.queryStrings("SELECT DISTINCT n_distinct::text FROM pg_stats WHERE attname = 'user_id'"
                + " AND tablename LIKE 'chat_history%' AND tablename <> 'chat_history_old'"), "ANALYZE takes it, partitions and parent alike");
        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy), EngineLog.STDOUT).apply(Goal.ROLLBACK);
        assertEquals(List.of("chat_history stats.chat_user_role"), db.queryStrings(named.replace(" WHERE c.relname IN ('chat_history', 'chat_history_old')",
                "")), "the rolled back table has its object back, under its name, and no other is left");
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void theTablesOwnRulesApplyToTheNewTable(ConvertOptions.Strategy strategy) {
        // an append-only guard and an audit, the way older applications wrote them
        TestDb db = seeded("CREATE TABLE chat_audit (content text)",
                "CREATE RULE keep_user_1 AS ON DELETE TO chat_history WHERE OLD.user_id = 1 DO INSTEAD NOTHING",
                "CREATE RULE audit_insert AS ON INSERT TO chat_history DO ALSO INSERT INTO chat_audit VALUES (NEW.content)");
        long kept = db.queryLong("SELECT count(*) FROM chat_history WHERE user_id = 1");
        String plan = convert(db, strategy);
        assertTrue(plan.contains("rule(s) \"audit_insert\", \"keep_user_1\" (recreated on the new table in the swap"), plan);
        assertEquals(0, db.queryLong("SELECT count(*) FROM chat_audit"), "the copy did not fire it");
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (2, 'user', 'audited', '2026-11-10')",
                "DELETE FROM chat_history WHERE user_id = 1");
        assertEquals(List.of("audited"), db.queryStrings("SELECT content FROM chat_audit"));
        assertEquals(kept, db.queryLong("SELECT count(*) FROM chat_history WHERE user_id = 1"), "the guard holds after the swap");
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void viewsReadingTheTableFollowItToTheNewTableAndBackWithARollback(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("CREATE SCHEMA reports",
                "CREATE VIEW reports.recent_chat WITH (security_barrier) AS SELECT id, user_id, content, created_at FROM chat_history"
                        + " WHERE created_at >= '2026-06-01'",
                "CREATE VIEW reports.user_one AS SELECT * FROM chat_history WHERE user_id = 1 WITH LOCAL CHECK OPTION",
                "CREATE VIEW reports.per_user AS SELECT user_id, count(*) AS messages FROM reports.recent_chat GROUP BY user_id",
                "COMMENT ON VIEW reports.recent_chat IS 'the last months'", "GRANT SELECT ON reports.recent_chat TO carry_reader WITH GRANT OPTION");
        String properties = "SELECT c.relname || ' ' || coalesce(array_to_string(c.reloptions, ','), '-') || ' ' || coalesce(array_to_string(c.relacl,"
                + " ','), '-') || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '-') FROM pg_class c WHERE c.relnamespace = 'reports'::regnamespace"
                + " ORDER BY 1";
        List<String> before = db.queryStrings(properties);
        String reads = "SELECT DISTINCT v.relname || ' ' || t.relname || ' ' || t.relkind::text FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
                + " JOIN pg_class v ON v.oid = r.ev_class JOIN pg_class t ON t.oid = d.refobjid WHERE d.classid = 'pg_rewrite'::regclass"
                + " AND v.relnamespace = 'reports'::regnamespace AND t.relname LIKE 'chat_history%' ORDER BY 1";
        String plan = convert(db, strategy);
        assertTrue(plan.contains("view \"reports\".\"recent_chat\", view \"reports\".\"user_one\" read it and are defined again"), plan);
        assertEquals(List.of("recent_chat chat_history p", "user_one chat_history p"), db.queryStrings(reads));
        assertEquals(before, db.queryStrings(properties), "their options, grants (with the grant option) and comments as before");
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'after the swap', '2026-11-30 12:00')");
        assertEquals(1, db.queryLong("SELECT count(*) FROM reports.user_one WHERE content = 'after the swap'"));
        assertThrows(RuntimeException.class, () -> db.exec("INSERT INTO reports.user_one (user_id, role, content) VALUES (2, 'user', 'x')"),
                "the check option holds");
        assertEquals(db.queryLong("SELECT count(*) FROM chat_history WHERE user_id = 1 AND created_at >= '2026-06-01'"),
                db.queryLong("SELECT messages FROM reports.per_user WHERE user_id = 1"), "the view on the view reads the new table too");

        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy), EngineLog.STDOUT).apply(Goal.ROLLBACK);
        assertEquals(List.of("recent_chat chat_history r", "user_one chat_history r"), db.queryStrings(reads));
        assertEquals(before, db.queryStrings(properties));
        assertEquals(1, db.queryLong("SELECT count(*) FROM reports.recent_chat WHERE content = 'after the swap'"),
                "the row written after the conversion, read through the rolled back table");
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void anotherTablesPolicyAndAnAtomicFunctionReadingTheTableFollowItAndBackWithARollback(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("CREATE TABLE notes (id serial PRIMARY KEY, user_id int, body text)", "ALTER TABLE notes ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY only_chatters ON notes USING (EXISTS (SELECT 1 FROM chat_history c WHERE c.user_id = notes.user_id))"
                        + " WITH CHECK (user_id IN (SELECT user_id FROM chat_history))",
                "CREATE FUNCTION message_count(u int) RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM chat_history WHERE user_id = u; END");
        String reads = "SELECT DISTINCT CASE WHEN d.classid = 'pg_policy'::regclass THEN 'policy' ELSE 'function' END || ' ' || t.relname || ' '"
                + " || t.relkind::text FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid WHERE d.classid IN ('pg_policy'::regclass,"
                + " 'pg_proc'::regclass) AND d.refclassid = 'pg_class'::regclass AND t.relname LIKE 'chat_history%' AND d.deptype = 'n' ORDER BY 1";
        String plan = convert(db, strategy);
        assertTrue(plan.contains("policy \"only_chatters\" on public.notes, function public.message_count(integer) read it and are defined again"), plan);
        assertEquals(List.of("function chat_history p", "policy chat_history p"), db.queryStrings(reads));
        // a user with messages only after the swap: the function counts them
        db.exec("INSERT INTO users (id, email) VALUES (999, 'late@example.com')",
                "INSERT INTO chat_history (user_id, role, content, created_at) VALUES (999, 'user', 'after the swap', '2026-11-30 12:00')");
        assertEquals(1, db.queryLong("SELECT message_count(999)"));
        assertTrue(db.queryStrings("SELECT qual || ' ' || with_check FROM pg_policies WHERE policyname = 'only_chatters'").get(0)
                .contains("FROM chat_history c"), "the policy's expressions are as they were");

        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy), EngineLog.STDOUT).apply(Goal.ROLLBACK);
        assertEquals(List.of("function chat_history r", "policy chat_history r"), db.queryStrings(reads));
        assertEquals(1, db.queryLong("SELECT message_count(999)"), "the row written after the conversion, in the rolled back table");
    }

    @Test
    void anotherTablesRuleNamingTheTableIsRefusedAsAViewIs() {
        TestDb db = seeded("CREATE TABLE chat_import (content text)",
                "CREATE RULE into_chat AS ON INSERT TO chat_import DO INSTEAD INSERT INTO chat_history (user_id, role, content) VALUES (1, 'user', NEW.content)");
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(db, ConvertOptions.DEFAULTS, EngineLog.STDOUT).apply(Goal.CONVERT));
        assertTrue(e.getMessage().startsWith("Materialized views (or other tables' rules) name \"public\".\"chat_history\": \"public\".\"chat_import\" (its rule"
                + " into_chat)."), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void commentsOnTheKeysAndIndexesStayWithThem(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("COMMENT ON CONSTRAINT chat_history_pkey ON chat_history IS 'one row a message'",
                "COMMENT ON INDEX chat_history_pkey IS 'the key''s index'", "COMMENT ON INDEX idx_chat_history_created IS 'for the timeline'");
        String comments = "SELECT coalesce(obj_description('chat_history_pkey'::regclass, 'pg_class'), '-') || ' / ' || coalesce((SELECT"
                + " obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE conrelid = 'chat_history'::regclass AND contype = 'p'), '-')"
                + " || ' / ' || coalesce(obj_description('idx_chat_history_created'::regclass, 'pg_class'), '-')";
        List<String> before = db.queryStrings(comments);
        assertEquals(List.of("the key's index / one row a message / for the timeline"), before);
        convert(db, strategy);
        assertEquals(before, db.queryStrings(comments));
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void aCoveringPrimaryKeyKeepsItsIncludedColumnsAndStorageThroughConversionAndRollback(ConvertOptions.Strategy strategy) {
        // INCLUDE columns were read as key columns: the key would have become (id, user_id, created_at), weaker than (id, created_at)
        TestDb db = seeded("ALTER TABLE chat_history DROP CONSTRAINT chat_history_pkey",
                "ALTER TABLE chat_history ADD CONSTRAINT chat_history_pkey PRIMARY KEY (id) INCLUDE (user_id) WITH (fillfactor = 70)");
        String key = "SELECT pg_get_constraintdef(c.oid) || ' ' || coalesce(array_to_string(i.reloptions, ','), '-') FROM pg_constraint c"
                + " JOIN pg_class i ON i.oid = c.conindid WHERE c.conrelid = 'chat_history'::regclass AND c.contype = 'p'";
        List<String> before = db.queryStrings(key);
        assertEquals(List.of("PRIMARY KEY (id) INCLUDE (user_id) fillfactor=70"), before);
        convert(db, strategy);
        assertEquals(List.of("PRIMARY KEY (id, created_at) INCLUDE (user_id) fillfactor=70"), db.queryStrings(key));
        assertEquals(List.of("fillfactor=70"), db.queryStrings("SELECT DISTINCT coalesce(array_to_string(i.reloptions, ','), '-') FROM pg_index x"
                + " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_inherits h ON h.inhrelid = x.indrelid WHERE h.inhparent = 'chat_history'::regclass"
                + " AND x.indisprimary"), "every partition's key too");
        ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy), EngineLog.STDOUT).apply(Goal.ROLLBACK);
        assertEquals(before, db.queryStrings(key));
    }

    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void theTablesOwnRowTriggersFireOnTheNewTable(ConvertOptions.Strategy strategy) {
        TestDb db = seeded("ALTER TABLE chat_history ADD COLUMN updated_at timestamptz",
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := '2001-01-01'; RETURN NEW; END $$",
                "CREATE TRIGGER chat_touch BEFORE UPDATE ON chat_history FOR EACH ROW EXECUTE FUNCTION touch()");
        String plan = convert(db, strategy);
        assertTrue(plan.contains("trigger(s) \"chat_touch\" (recreated on the new table"), plan);
        assertEquals(0, db.queryLong("SELECT count(*) FROM chat_history WHERE updated_at IS NOT NULL"), "the copy did not fire it");
        db.exec("UPDATE chat_history SET content = 'x' WHERE id = 5");
        assertEquals(1, db.queryLong("SELECT count(*) FROM chat_history WHERE updated_at = '2001-01-01'"), "it fires after the swap");
    }

    @Test
    void aSelfReferencingForeignKeyIsRefusedNamingTheConstraintAndTheFixBeforeAnyChange() {
        TestDb db = seeded("ALTER TABLE chat_history ADD COLUMN reply_to integer",
                "ALTER TABLE chat_history ADD CONSTRAINT fk_reply FOREIGN KEY (reply_to) REFERENCES chat_history(id)");
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(db, ConvertOptions.DEFAULTS, EngineLog.STDOUT).apply(Goal.CONVERT));
        assertTrue(e.getMessage().startsWith("Foreign key \"fk_reply\" of \"public\".\"chat_history\" references \"public\".\"chat_history\" itself"),
                e.getMessage());
        assertTrue(e.getMessage().contains("ALTER TABLE \"public\".\"chat_history\" DROP CONSTRAINT \"fk_reply\""), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    @Test
    void anInheritanceParentIsRefusedBeforeAnyChange() {
        TestDb db = seeded("CREATE TABLE chat_history_archive () INHERITS (chat_history)");
        String before = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> ConvertTest.engine(db, ConvertOptions.DEFAULTS, EngineLog.STDOUT).apply(Goal.CONVERT));
        assertTrue(e.getMessage().contains("is an inheritance parent of public.chat_history_archive"), e.getMessage());
        assertTrue(e.getMessage().contains("NO INHERIT"), e.getMessage());
        assertEquals(before, db.snapshot());
    }

    /**
     * On Debian's PostgreSQL 15 with the tests' label provider loaded (sepgsql needs an SELinux kernel): the labels of the
     * table and of its columns, in pg_seclabel, are those of the converted table, and of the table rolled back.
     */
    @ParameterizedTest
    @EnumSource(ConvertOptions.Strategy.class)
    void securityLabelsOfTheTableAndItsColumnsAreCarriedThroughConvertAndRollback(ConvertOptions.Strategy strategy) throws Exception {
        try (DebianPostgres pg = LabelProvider.start()) {
            TestDb db = seeded(TestServer.of(pg).createDatabase("labels_" + strategy.name().toLowerCase(java.util.Locale.ROOT)),
                    "SECURITY LABEL FOR " + LabelProvider.NAME + " ON TABLE chat_history IS 'system_u:object_r:sepgsql_table_t:s0:c1'",
                    "SECURITY LABEL FOR " + LabelProvider.NAME + " ON COLUMN chat_history.content IS 'system_u:object_r:sepgsql_secret_table_t:s0'");
            String labels = "SELECT coalesce(a.attname, '(table)') || ' ' || l.provider || ' ' || l.label FROM pg_seclabel l"
                    + " LEFT JOIN pg_attribute a ON a.attrelid = l.objoid AND a.attnum = l.objsubid AND l.objsubid > 0"
                    + " WHERE l.classoid = 'pg_class'::regclass AND l.objoid = 'chat_history'::regclass ORDER BY 1";
            List<String> before = db.queryStrings(labels);
            assertEquals(List.of("(table) partition_test system_u:object_r:sepgsql_table_t:s0:c1",
                    "content partition_test system_u:object_r:sepgsql_secret_table_t:s0"), before);
            String plan = convert(db, strategy);
            assertTrue(plan.contains("2 security label(s)"), plan);
            assertEquals(before, db.queryStrings(labels), "the partitioned chat_history");
            ConvertTest.engine(db, ConvertOptions.DEFAULTS.withStrategy(strategy), EngineLog.STDOUT).apply(Goal.ROLLBACK);
            assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE oid = 'chat_history'::regclass").get(0));
            assertEquals(before, db.queryStrings(labels), "the rolled back chat_history");
        }
    }
}
