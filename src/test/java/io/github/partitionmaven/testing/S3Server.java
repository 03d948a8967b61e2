package io.github.partitionmaven.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * A real S3 API server for the tests: Adobe S3Mock's executable jar (copied to
 * {@code target/s3mock/s3mock.jar} by the build) run as its own {@code java -jar} process, with
 * path-style access on {@code http://127.0.0.1:PORT}. One per JVM ({@link #shared()}); it is
 * stopped when the JVM exits. {@link #stop()} and {@link #start()} restart it on the same ports
 * and the same store folder.
 *
 * <p>S3Mock also opens an HTTPS port (self-signed), which nothing here uses; both ports are taken
 * from {@code -Dpartition.test.s3.ports=FROM-TO} when set, else any free port.
 *
 * <p>S3Mock does not check credentials: any access key and secret are accepted (the signature is
 * not verified). {@link #ACCESS_KEY} and {@link #SECRET_KEY} are what a client should send anyway.
 *
 * <p>{@link #main} serves the invoker projects: started by the build (exec:exec, async) before the
 * integration tests, it writes the endpoint URL to a ready file once the buckets exist; groovy hooks
 * wait for it with {@link #awaitReady}.
 */
public final class S3Server {

    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "partition-test";
    public static final String SECRET_KEY = "partition-test-secret";
    /** The KMS key the server knows, registered as this ARN. */
    public static final String KMS_KEY_ARN = "arn:aws:kms:us-east-1:000000000000:key/partition-test";
    /**
     * The id to send for SSE-KMS (x-amz-server-side-encryption-aws-kms-key-id): S3Mock 5.2.0 matches the
     * header against the registered ids only, so it answers 400 KMS.NotFoundException to the full ARN
     * (real S3 takes either) and to any other id.
     */
    public static final String KMS_KEY_ID = "partition-test";

    // generous: on a 2-core machine shared by several builds (load average 25+) S3Mock took over 90 s to start
    private static final Duration START_TIMEOUT = Duration.ofSeconds(300);

    private static S3Server shared;
    private static String unavailable;

    private final Path jar;
    private final int port;
    private final int tlsPort;
    private final Path store;
    private final Path log;
    private Process process;

    private S3Server(Path jar, int port, int tlsPort, Path store) {
        this.jar = jar;
        this.port = port;
        this.tlsPort = tlsPort;
        this.store = store;
        this.log = store.resolveSibling(store.getFileName() + ".log");
    }

    /**
     * This JVM's server, started on the first call; empty when it cannot run here, with
     * {@link #unavailableReason()} saying why (tests skip on it: see {@link #describeUnavailable}).
     */
    public static synchronized Optional<S3Server> shared() {
        if (shared == null && unavailable == null) {
            try {
                Path jar = findJar();
                int[] ports = freePorts(2);
                Path store = jar.toAbsolutePath().getParent().resolve("run-" + ProcessHandle.current().pid());
                S3Server s = new S3Server(jar, ports[0], ports[1], store);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    s.stopQuietly();
                    deleteTree(store);
                }, "s3-server-stop"));
                s.start();
                shared = s;
            } catch (Exception e) {
                unavailable = "S3 test server (S3Mock) cannot run here: " + e.getMessage();
            }
        }
        return Optional.ofNullable(shared);
    }

    /** Why {@link #shared()} is empty, or null when it is not. */
    public static synchronized String unavailableReason() {
        return unavailable;
    }

    /**
     * One line for a skipped test: {@code Assumptions.assumeTrue(S3Server.shared().isPresent(), S3Server.describeUnavailable())},
     * in each test or a @BeforeEach (Surefire shows an assumption failed in @BeforeAll as no test run, not as skipped).
     */
    public static String describeUnavailable() {
        String why = unavailableReason();
        return why == null ? "S3 test server available" : why;
    }

    /** A server on given ports with its store in {@code store}; not started. */
    public static S3Server onPorts(int port, int tlsPort, Path store) {
        return new S3Server(findJar(), port, tlsPort, store);
    }

    /** Starts the process and waits until it answers S3 requests. */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        Files.createDirectories(store);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-jar", jar.toString(),
                "--http.port=" + port,
                "--server.port=" + tlsPort,
                "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off",
                "--server.shutdown=immediate",
                "--com.adobe.testing.s3mock.store.valid-kms-keys=" + KMS_KEY_ARN,
                "--com.adobe.testing.s3mock.store.root=" + store,
                // kept across stop()/start(), so a restarted server still has its buckets and uploads
                "--com.adobe.testing.s3mock.store.retain-files-on-exit=true",
                "--com.adobe.testing.s3mock.store.region=" + REGION));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long t0 = System.nanoTime();
        process = pb.start();
        long deadline = t0 + START_TIMEOUT.toNanos();
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IOException("S3Mock exited with " + process.exitValue() + " on start: " + lastLine());
            }
            if (System.nanoTime() > deadline) {
                stopQuietly();
                throw new IOException("S3Mock did not answer within " + START_TIMEOUT.toSeconds() + " s: " + lastLine());
            }
            Thread.sleep(100);
        }
        startMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    private long startMillis;

    /** How long the last {@link #start()} took until the server answered. */
    public long startMillis() {
        return startMillis;
    }

    /** Stops the process (SIGTERM, then SIGKILL after 15 s); buckets, objects and open uploads stay in the store folder. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(15, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Kills the process at once (SIGKILL), like a crash. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(15, TimeUnit.SECONDS);
            process = null;
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code http://127.0.0.1:PORT}: use with path-style access. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public String region() {
        return REGION;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** The server's console output. */
    public Path logFile() {
        return log;
    }

    public String describe() {
        return "S3Mock on " + endpoint() + " (store " + store + ")";
    }

    /** A client as the plugin will build it: url-connection HTTP client, path-style, this server's keys. */
    public S3Client client() {
        return client(endpoint(), ACCESS_KEY, SECRET_KEY);
    }

    /** A client for {@code endpoint} (this server, or a proxy in front of it) with the given keys. */
    public S3Client client(URI endpoint, String accessKey, String secretKey) {
        return clientBuilder(endpoint, accessKey, secretKey).build();
    }

    /** For groovy hooks: a client for the invoker server at {@code endpoint} (from {@link #awaitReady}). */
    public static S3Client clientFor(String endpoint) {
        return clientBuilder(URI.create(endpoint), ACCESS_KEY, SECRET_KEY).build();
    }

    /** {@link #client(URI, String, String)}'s builder, to change more (retries, say). */
    public static S3ClientBuilder clientBuilder(URI endpoint, String accessKey, String secretKey) {
        return S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30))
                        .build())
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
    }

    /** Creates each bucket that does not exist yet. */
    public void createBuckets(String... buckets) {
        try (S3Client s3 = client()) {
            for (String b : buckets) {
                try {
                    s3.createBucket(r -> r.bucket(b));
                } catch (BucketAlreadyOwnedByYouException e) {
                    // there already
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint().toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private String lastLine() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i).strip();
                if (!l.isEmpty() && !l.startsWith("at ")) {
                    return l + " (log " + log + ")";
                }
            }
            return "no output (log " + log + ")";
        } catch (IOException e) {
            return "no log " + log;
        }
    }

    private static Path findJar() {
        String prop = System.getProperty("partition.test.s3mock.jar");
        Path jar = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("target", "s3mock", "s3mock.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no S3Mock jar at " + jar.toAbsolutePath()
                    + " (the build copies it there in generate-test-resources; or set -Dpartition.test.s3mock.jar)");
        }
        return jar;
    }

    /** {@code n} free loopback ports: from -Dpartition.test.s3.ports=FROM-TO when set, else any. */
    static int[] freePorts(int n) throws IOException {
        String range = System.getProperty("partition.test.s3.ports", "");
        int[] out = new int[n];
        if (range.isBlank()) {
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    held.add(s);
                    out[i] = s.getLocalPort();
                }
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
            return out;
        }
        String[] fromTo = range.split("-");
        int from = Integer.parseInt(fromTo[0].strip());
        int to = Integer.parseInt(fromTo[1].strip());
        int found = 0;
        for (int p = from; p <= to && found < n; p++) {
            if (isFree(p)) {
                out[found++] = p;
            }
        }
        if (found < n) {
            throw new IOException("fewer than " + n + " free ports in " + range);
        }
        return out;
    }

    /** Claims the next free port of -Dpartition.test.s3.ports (or any) for a listener of the caller's. */
    public static ServerSocket bindFree() throws IOException {
        String range = System.getProperty("partition.test.s3.ports", "");
        if (range.isBlank()) {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
        String[] fromTo = range.split("-");
        for (int p = Integer.parseInt(fromTo[1].strip()); p >= Integer.parseInt(fromTo[0].strip()); p--) {
            try {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                try {
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 50);
                    return s;
                } catch (IOException e) {
                    s.close();
                }
            } catch (IOException e) {
                // next
            }
        }
        throw new IOException("no free port in " + range);
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** For groovy hooks: waits for the invoker S3 server's ready file and returns its endpoint URL. */
    public static String awaitReady(Path readyFile) throws InterruptedException {
        long deadline = System.nanoTime() + 360_000_000_000L;
        while (!Files.exists(readyFile)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The invoker S3 server did not start: no " + readyFile);
            }
            Thread.sleep(200);
        }
        try {
            return Files.readString(readyFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The invoker projects' server: {@code PORT TLS_PORT READY_FILE STORE_DIR [BUCKET...]}. Writes the
     * endpoint URL to READY_FILE once the buckets exist, then runs until the build that started it ends.
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int tlsPort = Integer.parseInt(args[1]);
        Path ready = Path.of(args[2]);
        Path store = Path.of(args[3]);
        Files.deleteIfExists(ready);
        deleteTree(store); // a store left by an earlier build would bring back its objects
        S3Server server = onPorts(port, tlsPort, store);
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopQuietly, "s3-server-stop"));
        server.start();
        server.createBuckets(java.util.Arrays.copyOfRange(args, 4, args.length));
        Files.writeString(ready, server.endpoint().toString());
        System.out.println("Invoker S3 server ready in " + server.startMillis() + " ms: " + server.describe());
        while (true) {
            Thread.sleep(60_000);
            if (!server.isRunning()) {
                System.out.println("Invoker S3 server stopped: " + server.lastLine());
                return;
            }
        }
    }
}
