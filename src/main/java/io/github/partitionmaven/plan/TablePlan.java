package io.github.partitionmaven.plan;

import io.github.partitionmaven.catalog.TableState;
import io.github.partitionmaven.policy.TablePolicy;
import java.util.ArrayList;
import java.util.List;

/** The steps and findings for one table. */
public record TablePlan(TablePolicy policy, TableState state, List<Step> steps, List<Finding> findings) {

    public TablePlan {
        steps = List.copyOf(steps);
        findings = List.copyOf(findings);
    }

    public TablePlan plus(TablePlan other) {
        List<Step> s = new ArrayList<>(steps);
        s.addAll(other.steps);
        List<Finding> f = new ArrayList<>(findings);
        f.addAll(other.findings);
        return new TablePlan(policy, state, s, f);
    }
}
