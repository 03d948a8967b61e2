package io.github.partitionmaven.policy;

/** What prune does with partitions older than {@code period}. */
public record RetentionPolicy(RetentionPeriod period, RetentionMode mode, String detachSchema) {
}
