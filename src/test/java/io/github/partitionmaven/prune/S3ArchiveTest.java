package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.retained;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.check.CheckReport;
import io.github.partitionmaven.check.CheckThresholds;
import io.github.partitionmaven.check.UnfinishedPrune;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.plan.PartitionPlan;
import io.github.partitionmaven.plan.Step;
import io.github.partitionmaven.report.PlanReport;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.FaultyProxy;
import io.github.partitionmaven.testing.S3Server;
import io.github.partitionmaven.testing.TestDb;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * retentionMode archive to an S3 bucket on a real S3 API server (S3Mock, its own process): the
 * object holds the partition's rows, restore reads it back from the bucket, an upload that fails
 * midway leaves no object and no open multipart upload and drops nothing, and a rerun finishes.
 */
@DatabaseTest
class S3ArchiveTest {

    static final String BUCKET = "archive-test";
    /** Never to appear in a log line, plan, manifest or exception. */
    static final String SECRET = "Sup3r-s3cret-NEVER-PRINTED";
    static final String ACCESS_KEY = "AKIAPARTITIONTESTKEY";
    private static final String COLUMNS = "id, user_id, role, content, created_at";

    private S3Server server;
    private String prefix;

    @TempDir
    Path reports;

    @BeforeEach
    void server() {
        Assumptions.assumeTrue(S3Server.shared().isPresent(), S3Server.describeUnavailable());
        server = S3Server.shared().get();
        server.createBuckets(BUCKET);
        prefix = "t" + System.nanoTime() + "/";
    }

    static S3Settings settings(URI endpoint, String bucket, String prefix) {
        return new S3Settings(bucket, prefix, S3Server.REGION, endpoint, true, "AES256", null, "STANDARD_IA",
                new S3Settings.Credentials(ACCESS_KEY, SECRET, "the test"), 5 << 20);
    }

    private PruneOptions options(URI endpoint) {
        return new PruneOptions(null, PruneOptions.Compression.GZIP, 1, "test").withS3(settings(endpoint, BUCKET, prefix));
    }

    private PartitionEngine engine(TestDb db, String now, PruneOptions options, io.github.partitionmaven.core.EngineLog log) {
        return PruneFixture.engineWith(db, now, "UTC", options, log, retained("chat_history", "6 months", "archive"));
    }

    @Test
    void archivesToTheBucketAsThePartitionsCsvAndRestoresFromIt() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 12_000);
        byte[] october = csv(db, "chat_history_2025_10");
        String checksum = PruneFixture.checksum(db, "chat_history_2025_10");
        PruneOptions options = options(server.endpoint());
        Engines.RecordingLog log = new Engines.RecordingLog();

        // now - 6 months = 2025-11-01: October 2025 is past retention.
        PartitionPlan plan = engine(db, "2026-05-01", options, log).plan(java.util.Set.of(Goal.PRUNE));
        Step archive = plan.steps().get(1);
        String key = prefix + "public.chat_history_2025_10.csv.gz";
        assertTrue(archive.action().endsWith("to s3://" + BUCKET + "/" + key), archive.action());
        String copy = archive.statements().get(1);
        assertTrue(copy.contains("multipart upload (aborted on any failure) to s3://" + BUCKET + "/" + key) && copy.contains("region us-east-1")
                && copy.contains("endpoint " + server.endpoint()) && copy.contains("path-style") && copy.contains("SSE-S3 (AES256)")
                && copy.contains("storage class STANDARD_IA") && copy.contains("parts of 5.0 MB"), copy);
        assertTrue(plan.steps().get(2).statements().get(1).startsWith("HeadObject s3://" + BUCKET + "/" + key + " (ChecksumMode ENABLED)"),
                plan.steps().get(2).statements().toString());
        PlanReport report = new PlanReport(plan, "test");
        report.writeTo(reports);

        engine(db, "2026-05-01", options, log).apply(Goal.PRUNE);
        assertFalse(PruneFixture.names(db, "chat_history").contains("chat_history_2025_10"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_2025_10'"), "dropped after verification");
        assertTrue(log.lines.stream().anyMatch(l -> l.contains("verified s3://" + BUCKET + "/" + key) && l.contains("(HeadObject)")),
                log.lines.toString());

        try (S3Client s3 = server.client()) {
            byte[] object = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(key)).asByteArray();
            assertArrayEquals(october, gunzip(object), "the object decompressed is the partition's CSV, byte for byte");
            String manifest = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "public.chat_history_2025_10.manifest.json")).asUtf8String();
            ArchiveManifest m = ArchiveManifest.parse(manifest, "test");
            assertEquals(object.length, m.bytes());
            assertEquals(12_000 / 10 > 0, m.rows() > 0);
            assertEquals("public.chat_history_2025_10.csv.gz", m.file());
            assertEquals(sha256(object), m.sha256(), "the manifest's SHA-256 is the whole object's, not S3's composite checksum");
            assertEquals(composite(object, 5 << 20), m.s3ChecksumSha256(), "and S3's checksum is the parts' as S3 defines it");
            assertEquals(m.s3ChecksumSha256(), s3.headObject(r -> r.bucket(BUCKET).key(key)
                    .checksumMode(software.amazon.awssdk.services.s3.model.ChecksumMode.ENABLED)).checksumSHA256(), "and the server's");
            // SSE-S3 is requested on CreateMultipartUpload; S3Mock 5.2.0 does not report it back for multipart objects, so it is not asserted
            assertNoSecret(manifest);
        }

        engine(db, "2026-05-01", options, log).plan(java.util.Set.of(Goal.PRUNE)).steps().forEach(s -> { throw new AssertionError(s); });

        // Restore straight from the bucket, by the manifest's URL.
        engine(db, "2026-05-01", options, log).apply(ArchiveRestore.planner("s3://" + BUCKET + "/" + prefix
                + "public.chat_history_2025_10.manifest.json", Optional.empty(), options));
        assertEquals(checksum, PruneFixture.checksum(db, "chat_history_2025_10"), "restored from the bucket, every column");
        assertTrue(PruneFixture.names(db, "chat_history").contains("chat_history_2025_10"), "attached again");

        assertNoSecret(String.join("\n", log.lines));
        assertNoSecret(Files.readString(reports.resolve("plan.sql")) + Files.readString(reports.resolve("plan.json")));
        assertNoSecret(options.toString());
    }

    @Test
    void aDatabaseFailureMidUploadAbortsTheUploadAndDropsNothing() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 2_000);
        fillOctober(db, 300_000);
        long rows = db.queryLong("SELECT count(*) FROM chat_history_2025_10");
        try (FaultyProxy proxy = FaultyProxy.to(server.port())) {
            PruneOptions options = options(proxy.endpoint());
            // Once the first part is on its way, the export's session is terminated: COPY fails mid-stream.
            CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (proxy.upstreamBytes() < (1 << 20) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT%' AND pid <> pg_backend_pid()");
            });
            Engines.RecordingLog log = new Engines.RecordingLog();
            assertThrows(RuntimeException.class, () -> engine(db, "2026-05-01", options, log).apply(Goal.PRUNE));
            killer.get(60, TimeUnit.SECONDS);
            assertTrue(log.lines.stream().anyMatch(l -> l.contains("aborted the upload of s3://")), log.lines.toString());
        }
        assertDetachedAndMarked(db, rows);
        assertEquals(List.of(), openUploads(), "the multipart upload was aborted");
        assertNoObject(prefix + "public.chat_history_2025_10.csv.gz");
        assertNoObject(prefix + "public.chat_history_2025_10.manifest.json");

        Engines.RecordingLog rerun = new Engines.RecordingLog();
        engine(db, "2026-05-01", options(server.endpoint()), rerun).apply(Goal.PRUNE);
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_2025_10'"), "the rerun finished");
        assertEquals(rows, manifestRows());
    }

    @Test
    void aStoreGoneMidUploadLeavesNoObjectAndTheRerunAbortsTheLeftoverUploadAndFinishes() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 2_000);
        fillOctober(db, 120_000);
        long rows = db.queryLong("SELECT count(*) FROM chat_history_2025_10");
        byte[] october = csv(db, "chat_history_2025_10");
        Engines.RecordingLog log = new Engines.RecordingLog();
        try (FaultyProxy proxy = FaultyProxy.to(server.port())) {
            PruneOptions options = options(proxy.endpoint());
            // Mid-way through the first part the connection is cut and the store stays unreachable: retries and the abort fail too.
            proxy.cutAfter(3 << 20);
            CompletableFuture<Void> down = CompletableFuture.runAsync(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (proxy.cuts() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                proxy.setDown(true);
            });
            PartitionException e = assertThrows(PartitionException.class, () -> engine(db, "2026-05-01", options, log).apply(Goal.PRUNE));
            down.get(60, TimeUnit.SECONDS);
            assertTrue(e.getMessage().contains("Nothing was dropped") && e.getMessage().contains("stays detached and marked"), e.getMessage());
            assertNoSecret(e.getMessage());
        }
        assertDetachedAndMarked(db, rows);
        assertNoObject(prefix + "public.chat_history_2025_10.csv.gz");
        assertEquals(1, openUploads().size(), "the abort could not reach the store either: " + log.lines);
        assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("WARN Could not abort the incomplete upload")), log.lines.toString());
        // partition:check reports the stuck archive step, and nothing else new.
        CheckReport check = engine(db, "2026-05-01", options(server.endpoint()), new Engines.RecordingLog()).check(CheckThresholds.DEFAULTS);
        List<UnfinishedPrune> stuck = check.findings().stream().filter(UnfinishedPrune.class::isInstance).map(UnfinishedPrune.class::cast).toList();
        assertEquals(1, stuck.size(), check.findings().toString());
        assertEquals("\"public\".\"chat_history_2025_10\"", stuck.get(0).detached().toString());
        assertTrue(stuck.get(0).message().contains("its archive step is stuck"), stuck.get(0).message());

        Engines.RecordingLog rerun = new Engines.RecordingLog();
        engine(db, "2026-05-01", options(server.endpoint()), rerun).apply(Goal.PRUNE);
        assertTrue(rerun.lines.stream().anyMatch(l -> l.contains("aborted the incomplete upload")), rerun.lines.toString());
        assertEquals(List.of(), openUploads(), "no orphaned parts left behind");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_2025_10'"));
        try (S3Client s3 = server.client()) {
            assertArrayEquals(october, gunzip(s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "public.chat_history_2025_10.csv.gz"))
                    .asByteArray()));
        }
        assertNoSecret(String.join("\n", log.lines) + String.join("\n", rerun.lines));
        assertTrue(engine(db, "2026-05-01", options(server.endpoint()), new Engines.RecordingLog()).check(CheckThresholds.DEFAULTS)
                .findings().stream().noneMatch(UnfinishedPrune.class::isInstance), "nothing stuck after the rerun");
    }

    @Test
    void aRerunReusesTheVerifiedObjectAndNeverOverwritesAnotherTablesArchive() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 12_000);
        PruneOptions options = options(server.endpoint());
        // Killed before step 3 (verify and drop): the object and its manifest are in the bucket, the table is still there.
        assertThrows(KillingLog.Killed.class, () -> engine(db, "2026-05-01", options, new KillingLog(3)).apply(Goal.PRUNE));
        String manifestKey = prefix + "public.chat_history_2025_10.manifest.json";
        String before;
        try (S3Client s3 = server.client()) {
            before = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(manifestKey)).asUtf8String();
        }
        Engines.RecordingLog log = new Engines.RecordingLog();
        engine(db, "2026-05-01", options, log).apply(Goal.PRUNE);
        assertTrue(log.lines.stream().anyMatch(l -> l.contains("already holds") && l.contains("reused")), log.lines.toString());
        try (S3Client s3 = server.client()) {
            assertEquals(before, s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(manifestKey)).asUtf8String(), "not written again");
            // November's key now holds October's manifest (another range): prune refuses before changing anything.
            s3.putObject(r -> r.bucket(BUCKET).key(prefix + "public.chat_history_2025_11.manifest.json"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString(before.replace("chat_history_2025_10", "chat_history_2025_11")));
        }
        String snapshot = db.snapshot();
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2026-06-01", options, new Engines.RecordingLog()).apply(Goal.PRUNE));
        assertTrue(e.getMessage().contains("already holds s3://" + BUCKET + "/" + prefix + "public.chat_history_2025_11.manifest.json"),
                e.getMessage());
        assertEquals(snapshot, db.snapshot(), "nothing was changed");
    }

    @Test
    void anObjectReplacedAfterTheUploadIsCaughtByS3sChecksumAndNothingIsDropped() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 12_000);
        long rows = db.queryLong("SELECT count(*) FROM chat_history_2025_10");
        PruneOptions options = options(server.endpoint());
        // Killed before step 3: object and manifest are in the bucket. Then the object is replaced by as many other bytes.
        assertThrows(KillingLog.Killed.class, () -> engine(db, "2026-05-01", options, new KillingLog(3)).apply(Goal.PRUNE));
        String key = prefix + "public.chat_history_2025_10.csv.gz";
        try (S3Client s3 = server.client()) {
            byte[] object = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(key)).asByteArray();
            object[object.length / 2] ^= 1;
            s3.putObject(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.SHA256),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(object));
        }
        PartitionException e = assertThrows(PartitionException.class,
                () -> engine(db, "2026-05-01", options, new Engines.RecordingLog()).apply(Goal.PRUNE));
        assertTrue(e.getMessage().startsWith("The archive s3://" + BUCKET + "/" + key + " does not match: S3 keeps it with the SHA-256"
                + " checksum ") && e.getMessage().contains("Nothing was dropped"), e.getMessage());
        assertDetachedAndMarked(db, rows);
    }

    private void assertDetachedAndMarked(TestDb db, long rows) {
        assertEquals(rows, db.queryLong("SELECT count(*) FROM chat_history_2025_10"), "nothing dropped");
        assertFalse(PruneFixture.names(db, "chat_history").contains("chat_history_2025_10"), "detached");
        assertTrue(db.queryStrings("SELECT obj_description('chat_history_2025_10'::regclass, 'pg_class')").get(0)
                .startsWith(DetachMarker.PENDING_PREFIX), "marked for the next run");
    }

    private List<String> openUploads() {
        try (S3Client s3 = server.client()) {
            List<String> out = new ArrayList<>();
            for (MultipartUpload u : s3.listMultipartUploads(r -> r.bucket(BUCKET).prefix(prefix)).uploads()) {
                out.add(u.key() + " " + u.uploadId());
            }
            return out;
        }
    }

    private void assertNoObject(String key) {
        try (S3Client s3 = server.client()) {
            assertThrows(NoSuchKeyException.class, () -> s3.headObject(r -> r.bucket(BUCKET).key(key)), key);
        }
    }

    private long manifestRows() {
        try (S3Client s3 = server.client()) {
            return ArchiveManifest.parse(s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "public.chat_history_2025_10.manifest.json"))
                    .asUtf8String(), "test").rows();
        }
    }

    /** Rows of hard-to-compress text in October 2025, so its archive spans several 5 MiB parts. */
    static void fillOctober(TestDb db, long rows) {
        db.exec("INSERT INTO chat_history (user_id, role, content, created_at) SELECT 1 + g % 20, 'user',"
                + " md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text),"
                + " TIMESTAMP '2025-10-01' + (g % 2592000) * interval '1 second' FROM generate_series(1, " + rows + ") g", "ANALYZE");
    }

    /** The CSV prune's COPY produces for the partition. */
    static byte[] csv(TestDb db, String partition) throws Exception {
        try (Connection c = db.connect()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT " + COLUMNS + " FROM " + partition
                    + ") TO STDOUT WITH (FORMAT csv, HEADER)", out);
            return out.toByteArray();
        }
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** S3's checksum of a multipart object: SHA-256 of the parts' SHA-256s, base64, "-" and the number of parts. */
    static String composite(byte[] object, int partSize) throws Exception {
        java.security.MessageDigest whole = java.security.MessageDigest.getInstance("SHA-256");
        int parts = 0;
        for (int off = 0; off < object.length || parts == 0; off += partSize) {
            java.security.MessageDigest part = java.security.MessageDigest.getInstance("SHA-256");
            part.update(object, off, Math.min(partSize, object.length - off));
            whole.update(part.digest());
            parts++;
        }
        return java.util.Base64.getEncoder().encodeToString(whole.digest()) + "-" + parts;
    }

    static void assertNoSecret(String text) {
        assertFalse(text.contains(SECRET), "the secret appears in: " + text);
        assertFalse(text.contains(ACCESS_KEY), "the access key appears in: " + text);
    }
}
