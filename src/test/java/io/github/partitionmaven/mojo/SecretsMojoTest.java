package io.github.partitionmaven.mojo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Seed;
import io.github.partitionmaven.testing.TestDb;
import io.github.partitionmaven.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password, given in each form a configuration can carry it, appears in no output: log lines, plan.sql, plan.json,
 * check.json, the metrics file, and the exceptions Maven prints with -e (message, causes, their messages).
 */
@MojoTest
@DatabaseTest
class SecretsMojoTest {

    private static final String POM = "src/test/resources/unit/plan/pom.xml";
    private static final String SECRET = TestServer.PASSWORD;

    @TempDir
    Path out;

    private final List<String> outputs = new ArrayList<>();

    private TestDb seeded() {
        TestDb db = TestDb.fresh(getClass());
        assumeTrue(db.server().passwordUserReady(), "needs a server where the test bed can enforce passwords (embedded or container)");
        db.exec(Seed.partitionedTables(YearMonth.of(2026, 10), YearMonth.of(2026, 11)).toArray(String[]::new));
        return db;
    }

    private void run(AbstractMojo mojo, String url, String password, Map<String, String> properties, boolean succeeds) throws Exception {
        MojoExtension.setVariableValueToObject(mojo, "url", url);
        MojoExtension.setVariableValueToObject(mojo, "user", TestServer.PASSWORD_USER);
        MojoExtension.setVariableValueToObject(mojo, "password", password);
        MojoExtension.setVariableValueToObject(mojo, "jdbcProperties", properties);
        MojoExtension.setVariableValueToObject(mojo, "outputDirectory", out.toFile());
        MojoExtension.setVariableValueToObject(mojo, "pluginVersion", "test");
        if (mojo instanceof CheckMojo) {
            MojoExtension.setVariableValueToObject(mojo, "prometheusFile", out.resolve("partition.prom").toFile());
        }
        mojo.setLog(new SystemStreamLog() {
            @Override
            public void info(CharSequence content) {
                outputs.add(content.toString());
            }

            @Override
            public void warn(CharSequence content) {
                outputs.add(content.toString());
            }

            @Override
            public void debug(CharSequence content) {
                outputs.add(content.toString());
            }

            @Override
            public boolean isDebugEnabled() {
                return true;
            }
        });
        if (succeeds) {
            mojo.execute();
        } else {
            Exception e = assertThrows(Exception.class, mojo::execute);
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            outputs.add(trace.toString());
            assertTrue(e.getCause() != null, "the cause goes along for -e: " + trace);
        }
    }

    private void assertNoSecretAnywhere() throws Exception {
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                outputs.add(f.getFileName() + ": " + Files.readString(f));
            }
        }
        String all = String.join("\n", outputs);
        assertTrue(all.contains("plan.json: ") || all.contains("check.json: "), "the goal wrote its reports: " + all);
        assertFalse(all.contains(SECRET), all);
        assertFalse(all.contains(SECRET.substring(0, SECRET.length() - 1)), "not even a prefix: " + all);
    }

    @Test
    @InjectMojo(goal = "plan", pom = POM)
    void planNeverShowsThePasswordGivenInAnyForm(PlanMojo mojo) throws Exception {
        TestDb db = seeded();
        run(mojo, db.url(), SECRET, Map.of(), true);
        run(mojo, db.url() + "?password=" + SECRET + "&ApplicationName=x", null, Map.of(), true);
        run(mojo, db.url(), null, Map.of("password", SECRET), true);
        run(mojo, db.url() + "?PassWord=" + SECRET, null, Map.of(), false);
        run(mojo, db.url().replace("//", "//" + TestServer.PASSWORD_USER + ":" + SECRET + "@"), null, Map.of(), false);
        run(mojo, "jdbc:postgresql://127.0.0.1:1/app?password=" + SECRET, SECRET, Map.of("sslpassword", SECRET), false);
        run(mojo, db.url(), "wrong-" + SECRET, Map.of(), false);
        assertTrue(String.join("\n", outputs).contains("password required"), "the missing-password refusal ran");
        assertNoSecretAnywhere();
    }

    @Test
    @InjectMojo(goal = "check", pom = POM)
    void checkNeverShowsThePasswordInItsReports(CheckMojo mojo) throws Exception {
        TestDb db = seeded();
        run(mojo, db.url() + "?password=" + SECRET, SECRET, Map.of("password", SECRET), true);
        run(mojo, db.url().replace("//", "//" + TestServer.PASSWORD_USER + ":" + SECRET + "@"), null, Map.of(), false);
        assertTrue(Files.exists(out.resolve("partition.prom")));
        assertNoSecretAnywhere();
    }
}
