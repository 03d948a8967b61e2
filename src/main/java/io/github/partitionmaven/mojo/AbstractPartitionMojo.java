package io.github.partitionmaven.mojo;

import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.execute.ConnectionSettings;
import io.github.partitionmaven.policy.PolicyReader;
import io.github.partitionmaven.policy.RunSettings;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * What every goal shares: the connection and the run settings, turned into an engine; engine errors
 * become Maven failures with their message and no stack trace wall. The goals' own options live in
 * families below it (as in maven-dependency-plugin), so each goal validates, and {@code help -Ddetail}
 * lists, only what it reads: {@link AbstractTablesMojo} adds {@code <tables>} (every goal but
 * restore), {@link AbstractApplyMojo} {@code dryRun} and the dry-run/apply pattern, {@link
 * AbstractConvertMojo} the convert options (convert, rollback), {@link PruneMojo} the archive options;
 * {@link PlanMojo} takes every goal's options because it shows every goal's steps.
 */
public abstract class AbstractPartitionMojo extends AbstractMojo {

    /** JDBC URL of the database, e.g. {@code jdbc:postgresql://localhost:5432/app}. */
    @Parameter(property = "partition.url")
    protected String url;

    /** Database user. */
    @Parameter(property = "partition.user")
    protected String user;

    /** Database password; prefer {@code serverId} so it stays out of the POM. */
    @Parameter(property = "partition.password")
    protected String password;

    /** Id of a {@code <server>} in settings.xml holding user and (possibly encrypted) password. */
    @Parameter(property = "partition.serverId")
    protected String serverId;

    /** Extra JDBC connection properties (sslmode, ...). */
    @Parameter
    protected Map<String, String> jdbcProperties;

    /** Skips the goal. */
    @Parameter(property = "partition.skip", defaultValue = "false")
    protected boolean skip;

    /** The zone every session is pinned to; interval boundaries are midnights in it. */
    @Parameter(property = "partition.timeZone", defaultValue = "UTC")
    protected String timeZone;


    /** How long any DDL waits for its lock before giving up and retrying (e.g. 500ms, 2s). */
    @Parameter(property = "partition.lockTimeout", defaultValue = "500ms")
    protected String lockTimeout;

    /** How many times a step is tried when it cannot get its locks. */
    @Parameter(property = "partition.maxAttempts", defaultValue = "5")
    protected Integer maxAttempts;

    @Parameter(defaultValue = "${settings}", readonly = true)
    protected Settings settings;

    @Parameter(defaultValue = "${plugin.version}", readonly = true)
    protected String pluginVersion;

    @Component
    protected SettingsDecrypter settingsDecrypter;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping " + goalName() + " (partition.skip is true).");
            return;
        }
        try {
            launch();
        } catch (PartitionException e) {
            // the cause goes along for -e (Maven prints the stack only then), as a copy with every secret masked
            ConnectionSettings secrets = secrets();
            String message = secrets.redact(e.getMessage());
            if (e.kind() == PartitionException.Kind.ENVIRONMENT) {
                throw new MojoExecutionException(message, secrets.redact(e));
            }
            throw new MojoFailureException(message, secrets.redact(e));
        }
    }

    /** What the masking of messages knows of the secrets; the configuration that names none masks nothing. */
    private ConnectionSettings secrets() {
        try {
            return connectionSettings();
        } catch (MojoFailureException unreadable) {
            return new ConnectionSettings(url, user, password, jdbcProperties);
        }
    }

    protected abstract String goalName();

    /** Runs the goal: on the configured database; the goals on {@code <tables>} also on a fleet of them. */
    protected void launch() throws MojoExecutionException, MojoFailureException {
        run(engine());
    }

    protected abstract void run(PartitionEngine engine) throws MojoExecutionException, MojoFailureException;

    /** The engine of a goal that reads no {@code <tables>}: the connection and the run settings. */
    protected PartitionEngine engine() throws MojoFailureException {
        return new PartitionEngine(connectionSettings(), runSettings(), List.of(), engineLog());
    }

    /** Parses {@code onStandby} of the goals that change the database: fail (the default) or skip. */
    static PartitionEngine.OnStandby onStandby(String value) throws MojoFailureException {
        return switch (value == null ? "fail" : value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "fail" -> PartitionEngine.OnStandby.FAIL;
            case "skip" -> PartitionEngine.OnStandby.SKIP;
            default -> throw new MojoFailureException("<onStandby>" + value + "</onStandby> must be fail or skip. Nothing was changed.");
        };
    }

    /** The run settings; a goal on {@code <tables>} also reads {@code now} (see AbstractTablesMojo). */
    protected RunSettings runSettings() {
        return runSettings(null, false);
    }

    protected RunSettings runSettings(String now, boolean allowFarNow) {
        return PolicyReader.settings(timeZone, now, lockTimeout, maxAttempts, Clock.systemUTC(), allowFarNow);
    }

    ConnectionSettings connectionSettings() throws MojoFailureException {
        String u = user;
        String p = password;
        if (serverId != null && !serverId.isBlank()) {
            Server decrypted;
            try {
                decrypted = decryptedServer(serverId, "serverId");
            } catch (PartitionException e) {
                throw new MojoFailureException(e.getMessage());
            }
            u = u == null ? decrypted.getUsername() : u;
            p = p == null ? decrypted.getPassword() : p;
        }
        return new ConnectionSettings(url, u, p, jdbcProperties);
    }

    /** The {@code <server>} named by {@code <parameter>id</parameter>}, its password decrypted; refuses, naming the fix, when it cannot. */
    Server decryptedServer(String id, String parameter) {
        Server server = settings == null ? null : settings.getServer(id);
        if (server == null) {
            throw PartitionException.configuration("<" + parameter + ">" + id + "</" + parameter + "> names no <server> in settings.xml:"
                    + " add <server><id>" + id + "</id><username>...</username><password>...</password></server> to"
                    + " ~/.m2/settings.xml, or fix <" + parameter + ">. Nothing was changed.");
        }
        SettingsDecryptionResult result = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        for (SettingsProblem problem : result.getProblems()) {
            if (problem.getSeverity() != SettingsProblem.Severity.WARNING) {
                throw PartitionException.configuration("Cannot decrypt the password of <server> '" + id + "' in settings.xml: "
                        + problem.getMessage() + ". Check ~/.m2/settings-security.xml. Nothing was changed.");
            }
        }
        return result.getServer();
    }

    protected EngineLog engineLog() {
        return new EngineLog() {
            @Override
            public void info(String message) {
                getLog().info(message);
            }

            @Override
            public void warn(String message) {
                getLog().warn(message);
            }

            @Override
            public void debug(String message) {
                getLog().debug(message);
            }
        };
    }
}
