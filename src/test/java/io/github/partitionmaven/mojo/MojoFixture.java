package io.github.partitionmaven.mojo;

import io.github.partitionmaven.testing.TestDb;
import java.nio.file.Path;
import org.apache.maven.api.plugin.testing.MojoExtension;

/** Points a mojo injected by the testing harness at a test database and a temporary output directory. */
final class MojoFixture {

    private MojoFixture() {
    }

    static void connect(AbstractPartitionMojo mojo, TestDb db, Path out) throws IllegalAccessException {
        MojoExtension.setVariableValueToObject(mojo, "url", db.url());
        MojoExtension.setVariableValueToObject(mojo, "user", db.server().user());
        if (mojo instanceof PlanMojo || mojo instanceof CheckMojo) {
            // the only goals that write reports
            MojoExtension.setVariableValueToObject(mojo, "outputDirectory", out.toFile());
        }
        MojoExtension.setVariableValueToObject(mojo, "pluginVersion", "test");
    }
}
