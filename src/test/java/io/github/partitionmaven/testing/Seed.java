package io.github.partitionmaven.testing;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's schema. {@link #plainTables()} is the seed's "current structure" verbatim (from
 * ../shared/seed/000_7e097a5cb1cad6b7.txt: {@code SERIAL} keys, every other column nullable, the FK to
 * {@code users}, the indexes its migration names), the state before conversion. {@link #friendlyPlainTables()}
 * is a friendlier variant (BIGSERIAL, NOT NULL everywhere) for tests that are not about the seed's
 * own definition; {@link #partitionedTables} is the seed's target, partitioned by month, plus a key.
 */
public final class Seed {

    private Seed() {
    }

    /** The seed does not show {@code users}; its tables reference users(id), so this is the least it needs. */
    public static final String USERS = "CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL)";

    /** The seed's "current structure" of chat_history and cost_tracking, with the indexes its migration creates, as written there. */
    public static List<String> plainTables() {
        return List.of(USERS,
                """
                CREATE TABLE chat_history (
                    id SERIAL PRIMARY KEY,
                    user_id INTEGER REFERENCES users(id),
                    role VARCHAR(20),
                    content TEXT,
                    created_at TIMESTAMP DEFAULT NOW()
                )""",
                "CREATE INDEX idx_chat_history_user_created ON chat_history (user_id, created_at DESC)",
                "CREATE INDEX idx_chat_history_created ON chat_history (created_at DESC)",
                """
                CREATE TABLE cost_tracking (
                    id SERIAL PRIMARY KEY,
                    user_id INTEGER REFERENCES users(id),
                    model VARCHAR(50),
                    input_tokens INTEGER,
                    output_tokens INTEGER,
                    cost_usd NUMERIC(10, 6),
                    created_at TIMESTAMP DEFAULT NOW()
                )""",
                "CREATE INDEX idx_cost_tracking_user_created ON cost_tracking (user_id, created_at DESC)",
                "CREATE INDEX idx_cost_tracking_created ON cost_tracking (created_at DESC)");
    }

    /** Not the seed's definition: BIGSERIAL keys and NOT NULL on every column, for tests about something else. */
    public static List<String> friendlyPlainTables() {
        return List.of(USERS,
                """
                CREATE TABLE chat_history (
                    id BIGSERIAL PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users(id),
                    role VARCHAR(20) NOT NULL,
                    content TEXT NOT NULL,
                    created_at TIMESTAMP NOT NULL DEFAULT NOW())""",
                "CREATE INDEX idx_chat_history_user_created ON chat_history (user_id, created_at DESC)",
                "CREATE INDEX idx_chat_history_created ON chat_history (created_at DESC)",
                """
                CREATE TABLE cost_tracking (
                    id BIGSERIAL PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users(id),
                    model VARCHAR(50) NOT NULL,
                    input_tokens INTEGER NOT NULL,
                    output_tokens INTEGER NOT NULL,
                    cost_usd NUMERIC(10, 6) NOT NULL,
                    created_at TIMESTAMP NOT NULL DEFAULT NOW())""",
                "CREATE INDEX idx_cost_tracking_user_created ON cost_tracking (user_id, created_at DESC)");
    }

    /** Both tables partitioned by month on created_at, with partitions for the months {@code from} to {@code to}. */
    public static List<String> partitionedTables(YearMonth from, YearMonth to) {
        List<String> sql = new ArrayList<>(List.of(USERS,
                """
                CREATE TABLE chat_history (
                    id BIGSERIAL,
                    user_id INTEGER NOT NULL REFERENCES users(id),
                    role VARCHAR(20) NOT NULL,
                    content TEXT NOT NULL,
                    created_at TIMESTAMP NOT NULL DEFAULT NOW(),
                    PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)""",
                "CREATE INDEX idx_chat_history_user_created ON chat_history (user_id, created_at DESC)",
                "CREATE INDEX idx_chat_history_created ON chat_history (created_at DESC)",
                """
                CREATE TABLE cost_tracking (
                    id BIGSERIAL,
                    user_id INTEGER NOT NULL REFERENCES users(id),
                    model VARCHAR(50) NOT NULL,
                    input_tokens INTEGER NOT NULL,
                    output_tokens INTEGER NOT NULL,
                    cost_usd NUMERIC(10, 6) NOT NULL,
                    created_at TIMESTAMP NOT NULL DEFAULT NOW(),
                    PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)""",
                "CREATE INDEX idx_cost_tracking_user_created ON cost_tracking (user_id, created_at DESC)"));
        for (YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
            for (String t : List.of("chat_history", "cost_tracking")) {
                sql.add(String.format("CREATE TABLE %s_%d_%02d PARTITION OF %s FOR VALUES FROM ('%s') TO ('%s')", t, m.getYear(),
                        m.getMonthValue(), t, m.atDay(1), m.plusMonths(1).atDay(1)));
            }
        }
        return sql;
    }

    /** Inserts {@code users} users and {@code rows} rows into each table, spread evenly over [from, to). */
    public static List<String> rows(int users, long rows, LocalDate from, LocalDate to) {
        String span = "(TIMESTAMP '" + to + "' - TIMESTAMP '" + from + "')";
        return List.of(
                "INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, " + users + ") g",
                "INSERT INTO chat_history (user_id, role, content, created_at) SELECT 1 + g % " + users
                        + ", CASE WHEN g % 2 = 0 THEN 'user' ELSE 'assistant' END, repeat(md5(g::text), 4), TIMESTAMP '" + from
                        + "' + " + span + " * (g::float8 / " + rows + ") FROM generate_series(0, " + (rows - 1) + ") g",
                "INSERT INTO cost_tracking (user_id, model, input_tokens, output_tokens, cost_usd, created_at) SELECT 1 + g % " + users
                        + ", 'gpt-4o-mini', 100 + g % 900, 50 + g % 400, (g % 1000) / 100000.0, TIMESTAMP '" + from + "' + " + span
                        + " * (g::float8 / " + rows + ") FROM generate_series(0, " + (rows - 1) + ") g");
    }
}
