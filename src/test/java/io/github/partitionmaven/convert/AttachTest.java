package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@DatabaseTest
class AttachTest {

    private static final ConvertOptions ATTACH = ConvertOptions.DEFAULTS.withStrategy(ConvertOptions.Strategy.ATTACH);

    @Test
    void oldTableBecomesOnePartitionThenNewPartitionsFollow() {
        TestDb db = ConvertTest.seeded(2000);
        String before = ConvertTest.fingerprint(db, "chat_history");
        long maxId = db.queryLong("SELECT max(id) FROM chat_history");
        Engines.RecordingLog log = new Engines.RecordingLog();
        try {
            ConvertTest.engine(db, ATTACH, log).apply(Goal.CONVERT);
        } finally {
            System.out.println(log.text());
        }
        assertEquals(List.of(
                "chat_history_2026_12 FOR VALUES FROM ('2026-12-01 00:00:00') TO ('2027-01-01 00:00:00')",
                "chat_history_2027_01 FOR VALUES FROM ('2027-01-01 00:00:00') TO ('2027-02-01 00:00:00')",
                "chat_history_2027_02 FOR VALUES FROM ('2027-02-01 00:00:00') TO ('2027-03-01 00:00:00')",
                "chat_history_old FOR VALUES FROM (MINVALUE) TO ('2026-12-01 00:00:00')"), db.partitions("chat_history"));
        assertEquals(before, ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(List.of("PRIMARY KEY (id, created_at)"), db.queryStrings(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'chat_history'::regclass AND contype = 'p'"));
        assertEquals(List.of("chat_history_pkey", "idx_chat_history_created", "idx_chat_history_user_created"), db.queryStrings(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'chat_history'::regclass ORDER BY 1"));
        assertEquals(3, db.queryLong("SELECT count(*) FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indexrelid"
                + " WHERE i.indrelid = 'chat_history_old'::regclass"), "the old table's indexes became the partition's indexes");
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_constraint WHERE conrelid = 'chat_history'::regclass AND contype = 'f'"));
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) VALUES (1, 'user', 'new', '2026-12-05'), (1, 'user', 'now', now())");
        assertTrue(db.queryLong("SELECT min(id) FROM chat_history WHERE content IN ('new', 'now')") > maxId, "ids continue");
        assertTrue(log.text().contains("ACCESS EXCLUSIVE held"), log.text());
        assertTrue(ConvertTest.engine(db, ATTACH, log).apply(Goal.CONVERT).isEmpty(), "a converted table is left alone");
    }

    @Test
    void worksWithoutPrimaryKeyAndWithIdentity() {
        TestDb db = TestDb.fresh(getClass());
        db.exec("CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY, note text, created_at timestamptz)",
                "INSERT INTO notes (note, created_at) SELECT 'n' || g, timestamptz '2026-06-01 00:00+00' + g * interval '1 hour'"
                        + " FROM generate_series(1, 500) g");
        String before = ConvertTest.fingerprint(db, "notes");
        Engines.RecordingLog log = new Engines.RecordingLog();
        try {
            ConvertTest.engineFor(db, ATTACH, log, Engines.month("notes")).apply(Goal.CONVERT);
        } finally {
            System.out.println(log.text());
        }
        assertEquals(before, ConvertTest.fingerprint(db, "notes"));
        db.exec("INSERT INTO notes (note, created_at) VALUES ('after', '2026-12-02 00:00+00')");
        assertEquals(501, db.queryLong("SELECT id FROM notes WHERE note = 'after'"));
    }

    @Test
    void killedBetweenAndInsideStepsThenCompleted() {
        TestDb db = ConvertTest.seeded(2000);
        String before = ConvertTest.fingerprint(db, "chat_history");
        for (ResumeTest.KillingLog kill : List.of(new ResumeTest.KillingLog(": validate", 1), new ResumeTest.KillingLog(": build unique index", 1),
                new ResumeTest.KillingLog("swap: locked", 1))) {
            ResumeTest.assertKilled(() -> ConvertTest.engine(db, ATTACH, kill).apply(Goal.CONVERT), kill);
            assertEquals("r", db.queryStrings("SELECT relkind::text FROM pg_class WHERE relname = 'chat_history'").get(0));
        }
        ConvertTest.engine(db, ATTACH, new Engines.RecordingLog()).apply(Goal.CONVERT);
        assertEquals(before, ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(4, db.partitions("chat_history").size());
    }

    /**
     * The swap reads no row: run as the plan prints it with client_min_messages = debug1, PostgreSQL reports that the validated
     * CHECK proves the seed's nullable created_at NOT NULL and the partition bound, and never "verifying table" (the scan of every
     * row under ACCESS EXCLUSIVE: 1.9 s on the seed's 2M rows while the swap dropped the CHECK before its ATTACH).
     */
    @Test
    void swapProvesTheNotNullAndTheBoundFromTheCheckWithoutReadingARow() throws SQLException {
        TestDb db = ConvertTest.seeded(2000);
        String before = ConvertTest.fingerprint(db, "chat_history");
        ResumeTest.KillingLog kill = new ResumeTest.KillingLog("swap: locked", 1);
        ResumeTest.assertKilled(() -> ConvertTest.engine(db, ATTACH, kill).apply(Goal.CONVERT), kill);
        Step swap = ConvertTest.engine(db, ATTACH, new Engines.RecordingLog()).plan(Set.of(Goal.CONVERT)).steps().stream()
                .filter(s -> s.action().startsWith("swap:")).findFirst().orElseThrow();
        List<String> messages = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL client_min_messages = debug1");
            for (String sql : swap.statements()) {
                st.execute(sql);
                for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                    messages.add(w.getMessage());
                }
                st.clearWarnings();
            }
            c.commit();
        }
        assertTrue(messages.contains("existing constraints on column \"chat_history.created_at\" are sufficient to prove that it does not"
                + " contain nulls"), String.join("\n", messages));
        assertTrue(messages.contains("partition constraint for table \"chat_history_old\" is implied by existing constraints"),
                String.join("\n", messages));
        assertFalse(messages.stream().anyMatch(m -> m.startsWith("verifying table")), String.join("\n", messages));
        assertEquals(before, ConvertTest.fingerprint(db, "chat_history"));
        assertEquals(List.of(), db.queryStrings("SELECT conname::text FROM pg_constraint WHERE conrelid = 'chat_history_old'::regclass"
                + " AND contype = 'c' AND conname <> 'role_known'"), "the bound CHECK is dropped once the partition constraint holds");
    }
}
