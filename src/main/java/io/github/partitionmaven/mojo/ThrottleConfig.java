package io.github.partitionmaven.mojo;

import io.github.partitionmaven.execute.ThrottleLimits;

/**
 * The {@code <throttle>} of partition:convert (and of partition:plan, which shows it): when the copy and the index builds
 * wait for the database to be healthy again. Every element is optional; without {@code <throttle>} the defaults hold.
 *
 * <pre>{@code
 * <throttle>
 *   <maxReplicaLag>60s</maxReplicaLag>          <!-- pause while a standby's replay lag is above it; 0s: never -->
 *   <maxArchiveBacklog>256</maxArchiveBacklog>  <!-- pause while more WAL segments wait for archive_command; 0: never -->
 *   <maxWalRate>0</maxWalRate>                  <!-- e.g. 50MB/s: the server's WAL kept to it on average; 0: no limit -->
 *   <pauseForAutovacuum>true</pauseForAutovacuum> <!-- pause while autovacuum works on the table being copied -->
 *   <timeout>30min</timeout>                    <!-- one pause longer than this fails the goal (run it again to go on) -->
 * </throttle>
 * }</pre>
 */
public class ThrottleConfig {

    private String maxReplicaLag;
    private Integer maxArchiveBacklog;
    private String maxWalRate;
    private Boolean pauseForAutovacuum;
    private String timeout;

    static ThrottleLimits limits(ThrottleConfig config) {
        return config == null ? ThrottleLimits.DEFAULTS
                : ThrottleLimits.of(config.maxReplicaLag, config.maxArchiveBacklog, config.maxWalRate, config.pauseForAutovacuum, config.timeout);
    }
}
