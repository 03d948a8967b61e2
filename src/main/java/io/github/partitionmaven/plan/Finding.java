package io.github.partitionmaven.plan;

/** Something the planner noticed and will not change (a misaligned partition, stray default rows). */
public record Finding(Severity severity, String message) {

    public enum Severity { INFO, WARNING }

    public static Finding info(String message) {
        return new Finding(Severity.INFO, message);
    }

    public static Finding warning(String message) {
        return new Finding(Severity.WARNING, message);
    }
}
