package io.github.partitionmaven.mojo;

import io.github.partitionmaven.catalog.ExternalManagers;
import io.github.partitionmaven.catalog.ExternalManagers.PartmanConfig;
import io.github.partitionmaven.core.TableName;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.partman.PartmanImport;
import io.github.partitionmaven.plan.InputPlanner;
import io.github.partitionmaven.plan.Step;
import java.util.List;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Moves tables from pg_partman to the plugin: prints the {@code <table>} configuration equivalent to each table in
 * pg_partman's part_config (interval, premake, retention and its keep-table/schema as retentionMode), and with
 * {@code handOver} removes the tables from pg_partman's configuration, keeping every partition. Needs no {@code <tables>}.
 */
@Mojo(name = "import-partman", threadSafe = true, requiresProject = false)
public class ImportPartmanMojo extends AbstractPartitionMojo {

    /** With handOver: prints the hand-over statements instead of running them. */
    @Parameter(property = "partition.dryRun", defaultValue = "false")
    protected boolean dryRun;

    /** Remove the tables from pg_partman's configuration (after printing their configuration); partitions stay. */
    @Parameter(property = "partition.handOver", defaultValue = "false")
    private boolean handOver;

    /** Only these pg_partman tables (schema.table, comma-separated); all of them when empty. */
    @Parameter(property = "partition.partmanTables")
    private List<String> partmanTables;

    @Override
    protected String goalName() {
        return "partition:import-partman";
    }

    @Override
    protected void run(PartitionEngine engine) {
        ExternalManagers managers = engine.externalManagers();
        if (managers.partmanSchema().isEmpty()) {
            getLog().info("pg_partman is not installed in this database: nothing to import.");
            return;
        }
        List<TableName> only = partmanTables == null ? List.of() : partmanTables.stream().flatMap(t -> List.of(t.split(",")).stream())
                .map(String::trim).filter(t -> !t.isEmpty()).map(TableName::parse).toList();
        getLog().info("pg_partman " + managers.partmanVersion().orElse("") + " in schema " + managers.partmanSchema().get() + " manages "
                + managers.partman().size() + " table(s). The equivalent configuration, for <tables> of this plugin:");
        for (PartmanConfig c : managers.partman().values()) {
            PartmanImport.tableXml(c, managers.partmanVersion()).lines().forEach(getLog()::info);
        }
        InputPlanner planner = PartmanImport.handOver(only);
        List<Step> steps = engine.plan(planner);
        if (!handOver || dryRun) {
            getLog().info("To hand " + (steps.size() == 1 ? "it" : "them") + " over (pg_partman stops managing, every partition stays):"
                    + " add the configuration above, stop pg_partman's maintenance for " + (steps.size() == 1 ? "it" : "them")
                    + " if it runs from cron, then run `mvn partition:import-partman -Dpartition.handOver=true`. That runs:");
            steps.forEach(s -> s.statements().forEach(sql -> getLog().info("  " + s.table() + ": " + sql + ";")));
            return;
        }
        for (Step step : engine.apply(planner)) {
            getLog().info("Handed over " + step.table() + ": removed from pg_partman's configuration, every partition kept."
                    + " Run `mvn partition:plan` to see what the plugin will do with it.");
        }
    }
}
