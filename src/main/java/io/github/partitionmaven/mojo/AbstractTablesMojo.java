package io.github.partitionmaven.mojo;

import io.github.partitionmaven.convert.ConvertOptions;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.engine.Planners;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.report.PlanReport;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The family of the goals that work on the configured {@code <tables>}: every goal but restore. A goal
 * validates only the options it reads: one that neither converts nor prunes plans with those goals'
 * defaults, so {@code partition:check} does not refuse a {@code batchSize} it never uses.
 */
public abstract class AbstractTablesMojo extends AbstractPartitionMojo {

    /** The tables to manage. */
    @Parameter
    protected List<TableConfig> tables;

    @Override
    protected PartitionEngine engine() throws MojoFailureException {
        RunSettings run = runSettings();
        List<TablePolicy> policies = PolicyReader.tables(tables == null ? List.of() : tables.stream().map(TableConfig::toSpec).toList(), run);
        return new PartitionEngine(connectionSettings(), run, policies, Planners.standard(convertOptions(), pruneOptions()), engineLog());
    }

    /** The convert options of this goal; the defaults for a goal that does not read them. */
    protected ConvertOptions convertOptions() {
        return ConvertOptions.DEFAULTS;
    }

    /** The prune (archive) options of this goal; the defaults for a goal that does not read them. */
    protected PruneOptions pruneOptions() {
        return PruneOptions.defaults();
    }

    protected void print(PartitionPlan plan) {
        new PlanReport(plan, pluginVersion).print(getLog()::info, getLog()::warn);
    }
}
