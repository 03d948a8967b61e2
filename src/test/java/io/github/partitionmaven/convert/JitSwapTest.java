package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.execute.Connections;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** With the server compiling every statement (jit on, every threshold 0), the plugin's sessions do not: the swap stays short. */
@DatabaseTest
class JitSwapTest {

    @Test
    void thePluginsSessionsTurnJitOffWhereTheDatabaseTurnsItOn() throws Exception {
        TestDb db = TestDb.fresh(JitSwapTest.class);
        db.exec("ALTER DATABASE " + db.name() + " SET jit = on");
        assertEquals("on", db.queryStrings("SHOW jit").get(0));
        RunSettings run = PolicyReader.settings("UTC", ConvertTest.NOW, "300ms", 3, Clock.systemUTC());
        try (Connection c = Connections.open(db.settings(), run); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW jit")) {
            rs.next();
            assertEquals("off", rs.getString(1));
        }
    }

    @Test
    void theSwapsExclusiveWindowPaysNoJitCompilationWhenTheServerHasJitOn() {
        TestDb db = TestDb.fresh(JitSwapTest.class);
        Assumptions.assumeTrue("t".equals(db.queryStrings("SELECT pg_jit_available()::text").get(0).substring(0, 1)),
                "this PostgreSQL build has no LLVM JIT provider, so jit = on compiles nothing");
        db.exec(Seed.plainTables().toArray(String[]::new));
        db.exec(Seed.rows(50, 50_000, LocalDate.of(2026, 1, 3), LocalDate.of(2026, 11, 20)).toArray(String[]::new));
        db.exec("ANALYZE", "ALTER DATABASE " + db.name() + " SET jit = on", "ALTER DATABASE " + db.name() + " SET jit_above_cost = 0",
                "ALTER DATABASE " + db.name() + " SET jit_optimize_above_cost = 0", "ALTER DATABASE " + db.name() + " SET jit_inline_above_cost = 0");
        assertEquals("on", db.queryStrings("SHOW jit").get(0), "a new session of the application gets jit = on");
        Engines.RecordingLog log = new Engines.RecordingLog();
        ConvertTest.engine(db, ConvertOptions.DEFAULTS, log).apply(Goal.CONVERT);
        Matcher m = Pattern.compile("ACCESS EXCLUSIVE held (\\d+) ms").matcher(log.text());
        assertTrue(m.find(), log.text());
        long held = Long.parseLong(m.group(1));
        System.out.println("swap with the server's jit on: ACCESS EXCLUSIVE held " + held + " ms");
        assertTrue(held < 50, "held " + held + " ms: " + log.text());
    }
}
