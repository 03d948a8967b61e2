package io.github.partitionmaven.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A second real S3 API server, for what S3Mock does not do: S3Proxy (org.gaul:s3proxy, jclouds with
 * its filesystem store), run as its own {@code java -jar} process from {@code target/s3mock/s3proxy.jar}
 * (copied there by the build). It checks every request's AWS signature (V2 or V4) against the one key
 * pair it is configured with, {@link #ACCESS_KEY} / {@link #SECRET_KEY}, and answers as S3 does: 403
 * SignatureDoesNotMatch to a wrong secret, 403 InvalidAccessKeyId to an unknown key.
 *
 * <p>Why not npm's s3rver, the first candidate: 3.7.1 checks only that the access key exists; its
 * Signature V4 check is not implemented (authentication.js: "Signature version 4 calculation is
 * unimplemented"), so a wrong secret is accepted, and the AWS SDK v2 signs V4 only.
 *
 * <p>One per JVM ({@link #shared()}), stopped when the JVM exits; empty when the jar is missing or the
 * server does not start, with {@link #describeUnavailable()} for the skipped test.
 */
public final class S3Proxy {

    public static final String ACCESS_KEY = "partition-proxy-key";
    public static final String SECRET_KEY = "partition-proxy-secret";
    public static final String BUCKET = "signed-archive";

    // S3Proxy starts in ~10 s on an idle 2-core machine; the shared machine can be 10x slower
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private static S3Proxy shared;
    private static String unavailable;

    private final int port;
    private final Process process;

    private S3Proxy(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** This JVM's server, started (with {@link #BUCKET}) on the first call; empty when it cannot run here. */
    public static synchronized Optional<S3Proxy> shared() {
        if (shared == null && unavailable == null) {
            try {
                shared = start();
                try (S3Client s3 = shared.client()) {
                    s3.createBucket(r -> r.bucket(BUCKET));
                }
            } catch (IOException | RuntimeException e) {
                unavailable = "S3Proxy cannot run here: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable = "S3Proxy: interrupted while starting";
            }
        }
        return Optional.ofNullable(shared);
    }

    /** One line for a skipped test. */
    public static synchronized String describeUnavailable() {
        return unavailable == null ? "S3Proxy available" : unavailable;
    }

    private static S3Proxy start() throws IOException, InterruptedException {
        String prop = System.getProperty("partition.test.s3proxy.jar");
        Path jar = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("target", "s3mock", "s3proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no S3Proxy jar at " + jar.toAbsolutePath() + " (the build copies it there in"
                    + " generate-test-resources; or set -Dpartition.test.s3proxy.jar)");
        }
        int port = Ports.free();
        Path dir = Files.createTempDirectory("s3proxy");
        Path data = Files.createDirectories(dir.resolve("data"));
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + data,
                // the backend's own keys: the filesystem store ignores them
                "jclouds.identity=local",
                "jclouds.credential=local", ""));
        Path log = dir.resolve("s3proxy.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--properties", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            p.destroy();
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }, "s3proxy-stop"));
        S3Proxy server = new S3Proxy(port, p);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!server.answers()) {
            if (!p.isAlive()) {
                throw new IOException("it exited with " + p.exitValue() + " on start: " + lastLine(log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("it did not answer within " + START_TIMEOUT.toSeconds() + " s: " + lastLine(log));
            }
            Thread.sleep(200);
        }
        return server;
    }

    /** Any HTTP answer (an unsigned request gets 403): the server is up. */
    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint().toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() > 0;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("at ")).toList();
            return (lines.isEmpty() ? "no output" : lines.get(lines.size() - 1)) + " (" + file + ")";
        } catch (IOException e) {
            return "no output (" + file + ")";
        }
    }

    /** {@code http://127.0.0.1:PORT}, for path-style access. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** A client with the keys the server knows; no checksum headers, which S3Proxy answers with 501 NotImplemented. */
    public S3Client client() {
        return S3Server.clientBuilder(endpoint(), ACCESS_KEY, SECRET_KEY)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED).build();
    }
}
