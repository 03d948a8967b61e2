package io.github.partitionmaven.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.partitionmaven.testing.DebianPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoExtension;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** partition:import-partman on a real pg_partman: printing changes nothing, handOver removes the config and keeps the partitions. */
@MojoTest
class ImportPartmanMojoTest {

    private static final String POM = "src/test/resources/unit/plan/pom.xml";

    @TempDir
    Path out;

    private static long one(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @InjectMojo(goal = "import-partman", pom = POM)
    void printingChangesNothingAndHandOverKeepsEveryPartition(ImportPartmanMojo mojo) throws Exception {
        DebianPostgres.assumePartmanAvailable();
        try (DebianPostgres pg = DebianPostgres.start(Map.of())) {
            String url = pg.createDatabase("import_partman");
            try (Connection c = pg.connect("import_partman"); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA partman");
                s.execute("CREATE EXTENSION pg_partman SCHEMA partman");
                s.execute("CREATE TABLE public.events (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)");
                s.execute("SELECT partman.create_parent('public.events', 'created_at', 'native', 'monthly', p_premake := 3)");
                long partitions = one(c, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass");

                MojoExtension.setVariableValueToObject(mojo, "url", url);
                MojoExtension.setVariableValueToObject(mojo, "user", DebianPostgres.SUPERUSER);
                MojoExtension.setVariableValueToObject(mojo, "pluginVersion", "test");
                mojo.execute();
                assertEquals(1, one(c, "SELECT count(*) FROM partman.part_config"), "printing changes nothing");

                MojoExtension.setVariableValueToObject(mojo, "handOver", true);
                mojo.execute();
                assertEquals(0, one(c, "SELECT count(*) FROM partman.part_config"));
                assertEquals(partitions, one(c, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass"));
                assertEquals(0, one(c, "SELECT count(*) FROM pg_class WHERE relname = 'template_public_events'"), "template dropped");
            }
        }
    }
}
