package io.github.partitionmaven.engine;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.plan.Planner;
import io.github.partitionmaven.policy.RunSettings;
import io.github.partitionmaven.policy.TablePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One policy over many databases (one per tenant or region, the same tables): a {@link PartitionEngine} per database,
 * each run by itself, at most {@code parallel} at a time. A database that fails does not stop the others; the
 * {@link Results} say which did what, and {@link Results#requireAllSucceeded()} fails naming the ones that failed.
 * Each database's own refusals and plans are exactly those of a single-database run: the fleet adds no rule.
 */
public final class FleetEngine {

    public static final int DEFAULT_PARALLEL = 4;

    private final List<Member> members;
    private final int parallel;
    private final EngineLog log;

    /** One database of the fleet: the label every line and metric about it carries, and its engine. */
    public record Member(String database, PartitionEngine engine) {
    }

    /** What one database did: its label, how long it took, and the failure when it failed. */
    public record Outcome<T>(String database, Duration took, Optional<T> value, Optional<PartitionException> failure) {
        public boolean ok() {
            return failure.isEmpty();
        }
    }

    /** The work of one goal on one database. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Member member) throws PartitionException;
    }

    public FleetEngine(List<Member> members, int parallel, EngineLog log) {
        if (members.isEmpty()) {
            throw PartitionException.configuration("The fleet has no database: list JDBC URLs in <urls> or in the file"
                    + " -Dpartition.fleet names. Nothing was changed.");
        }
        if (parallel < 1) {
            throw PartitionException.configuration("<parallel>" + parallel + "</parallel> must be at least 1 (databases worked on at"
                    + " once). Nothing was changed.");
        }
        this.members = List.copyOf(members);
        this.parallel = parallel;
        this.log = log;
    }

    /**
     * A fleet over {@code urls} with the same credentials, settings and tables; each engine logs through {@code log} with
     * its database's label in front, so interleaved lines of parallel databases stay readable.
     */
    public static FleetEngine of(List<String> urls, ConnectionSettings credentials, RunSettings settings, List<TablePolicy> tables,
                                 List<Planner> planners, int parallel, EngineLog log) {
        List<Member> members = new ArrayList<>();
        List<String> labels = labels(urls);
        for (int i = 0; i < urls.size(); i++) {
            ConnectionSettings c = new ConnectionSettings(urls.get(i), credentials.user(), credentials.password(), credentials.properties());
            members.add(new Member(labels.get(i), new PartitionEngine(c, settings, tables, planners, prefixed(log, labels.get(i)))));
        }
        return new FleetEngine(members, parallel, log);
    }

    public List<Member> members() {
        return members;
    }

    /**
     * The fleet's URLs: {@code urls} first, then the fleet file's, one per line ({@code #} starts a comment, blank lines
     * are skipped). Every entry must be a PostgreSQL JDBC URL and appear once: a repeated database would be worked on twice
     * at the same time.
     */
    public static List<String> urls(List<String> urls, Path fleetFile) {
        List<String> all = new ArrayList<>();
        if (urls != null) {
            urls.stream().filter(u -> u != null && !u.isBlank()).map(String::trim).forEach(all::add);
        }
        if (fleetFile != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(fleetFile);
            } catch (IOException e) {
                throw PartitionException.configuration("Cannot read the fleet file " + fleetFile + " (-Dpartition.fleet): " + e
                        + ". Fix the path. Nothing was changed.");
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).replaceFirst("#.*$", "").trim();
                if (line.isEmpty()) {
                    continue;
                }
                if (!line.startsWith("jdbc:postgresql:")) {
                    throw PartitionException.configuration("Line " + (i + 1) + " of the fleet file " + fleetFile + " is not a JDBC URL"
                            + " (jdbc:postgresql://host:port/database): '" + safe(line) + "'. Fix that line. Nothing was changed.");
                }
                all.add(line);
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String u : all) {
            if (!seen.add(u)) {
                throw PartitionException.configuration("The fleet lists " + safe(u) + " twice (<urls> and the fleet file together):"
                        + " each database must appear once. Nothing was changed.");
            }
        }
        return List.copyOf(all);
    }

    /**
     * A short, stable name per URL, for log lines, report lines and the Prometheus {@code database} label: host:port/database
     * (no scheme, no parameters, so no password); made unique with #2, #3... when two URLs reduce to the same.
     */
    public static List<String> labels(List<String> urls) {
        Map<String, Integer> count = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        for (String u : urls) {
            String base = u.replaceFirst("^jdbc:postgresql:(//)?", "").replaceFirst("[?;].*$", "");
            int n = count.merge(base, 1, Integer::sum);
            out.add(n == 1 ? base : base + "#" + n);
        }
        return out;
    }

    private static String safe(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    /** Runs {@code work} on every database, at most {@code parallel} at a time; never throws for one database's failure. */
    public <T> Results<T> run(String goal, Work<T> work) {
        int threads = Math.min(parallel, members.size());
        log.info(goal + " on " + members.size() + " database(s), " + threads + " at a time");
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "partition-fleet");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger done = new AtomicInteger();
        long started = System.nanoTime();
        try {
            List<Future<Outcome<T>>> futures = new ArrayList<>();
            for (Member m : members) {
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    Outcome<T> outcome;
                    try {
                        outcome = new Outcome<>(m.database(), Duration.ofNanos(System.nanoTime() - t0), Optional.ofNullable(work.run(m)),
                                Optional.empty());
                    } catch (PartitionException e) {
                        outcome = new Outcome<>(m.database(), Duration.ofNanos(System.nanoTime() - t0), Optional.empty(), Optional.of(e));
                    } catch (RuntimeException e) {
                        outcome = new Outcome<>(m.database(), Duration.ofNanos(System.nanoTime() - t0), Optional.empty(),
                                Optional.of(PartitionException.environment(m.database() + ": " + e, e)));
                    }
                    int n = done.incrementAndGet();
                    long elapsed = System.nanoTime() - started;
                    long left = elapsed / n * (members.size() - n); // at the rate databases finished so far
                    log.info("[" + n + "/" + members.size() + " databases] " + m.database() + ": " + (outcome.ok() ? "ok" : "FAILED")
                            + " in " + outcome.took().toMillis() + " ms; " + Duration.ofNanos(elapsed).toSeconds() + " s so far, ~"
                            + Duration.ofNanos(left).toSeconds() + " s left");
                    return outcome;
                }));
            }
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (Future<Outcome<T>> f : futures) {
                outcomes.add(f.get());
            }
            return new Results<>(goal, outcomes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PartitionException.environment("Interrupted while running " + goal + " on the fleet", e);
        } catch (ExecutionException e) {
            throw PartitionException.environment("Could not run " + goal + " on the fleet: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The outcome of one goal on every database, in fleet order. */
    public record Results<T>(String goal, List<Outcome<T>> outcomes) {

        public List<Outcome<T>> failed() {
            return outcomes.stream().filter(o -> !o.ok()).toList();
        }

        /** One line per database and a summary, for the log. */
        public List<String> report() {
            List<String> lines = new ArrayList<>();
            for (Outcome<T> o : outcomes) {
                lines.add("  " + o.database() + ": " + (o.ok() ? "ok" : "FAILED (" + o.failure().get().kind().name().toLowerCase(java.util.Locale.ROOT)
                        + "): " + o.failure().get().getMessage()) + " [" + o.took().toMillis() + " ms]");
            }
            lines.add(summary());
            return lines;
        }

        public String summary() {
            List<Outcome<T>> failed = failed();
            return goal + " on " + outcomes.size() + " database(s): " + (outcomes.size() - failed.size()) + " ok, " + failed.size() + " failed"
                    + (failed.isEmpty() ? "" : " (" + String.join(", ", failed.stream().map(Outcome::database).toList()) + ")");
        }

        /**
         * Fails when any database failed, naming each with its reason. The kind is ENVIRONMENT only when every failure was
         * one (connection lost, lock not granted: retry later); a refusal (configuration, database state) outranks it.
         */
        public void requireAllSucceeded() {
            List<Outcome<T>> failed = failed();
            if (failed.isEmpty()) {
                return;
            }
            boolean environment = failed.stream().allMatch(o -> o.failure().get().kind() == PartitionException.Kind.ENVIRONMENT);
            String message = summary() + ". " + String.join(" ", failed.stream()
                    .map(o -> o.database() + ": " + o.failure().get().getMessage()).toList())
                    + " The other databases were " + (goal.endsWith("plan") || goal.endsWith("check") ? "read" : "applied") + " as reported.";
            throw new PartitionException(environment ? PartitionException.Kind.ENVIRONMENT : PartitionException.Kind.DATABASE_STATE, message,
                    failed.get(0).failure().get());
        }
    }

    static EngineLog prefixed(EngineLog log, String database) {
        String p = "[" + database + "] ";
        return new EngineLog() {
            @Override
            public void info(String message) {
                log.info(p + message);
            }

            @Override
            public void warn(String message) {
                log.warn(p + message);
            }

            @Override
            public void debug(String message) {
                log.debug(p + message);
            }
        };
    }
}
