package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.retained;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.engine.PartitionEngine;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.S3Proxy;
import io.github.partitionmaven.testing.TestDb;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Archive to a store that checks AWS Signature V4 (S3Proxy, its own process): a wrong secret and
 * an unknown access key are refused as bad credentials, with the fix, before anything changes; with
 * the right keys a prune and a restore go through it. S3Proxy takes no additional checksums (501
 * NotImplemented to x-amz-checksum-sha256), so the parts go without and the drop step reads the
 * object back instead of comparing S3's checksum.
 */
@DatabaseTest
class S3SignedStoreTest {

    private S3Proxy server;

    @BeforeEach
    void server() {
        Assumptions.assumeTrue(S3Proxy.shared().isPresent(), S3Proxy.describeUnavailable());
        server = S3Proxy.shared().get();
    }

    private void refusedAsBadCredentials(String accessKey, String secret, String code) {
        S3ArchiveRefusalTest.refused(server.endpoint(), S3Proxy.BUCKET, new S3Settings.Credentials(accessKey, secret, "the test"),
                "Cannot check the archive bucket " + S3Proxy.BUCKET + " for \"public\".\"chat_history\": the bucket " + S3Proxy.BUCKET
                        + " at " + server.endpoint() + " rejects the credentials (" + code + ", credentials from the test)",
                "Fix the access key and secret");
        try (S3Client s3 = server.client()) {
            assertEquals(0, s3.listObjectsV2(r -> r.bucket(S3Proxy.BUCKET).prefix("p/")).keyCount(), "nothing was uploaded");
        }
    }

    @Test
    void aWrongSecretKeyIsRefusedAsBadCredentialsBeforeAnythingChanges() {
        refusedAsBadCredentials(S3Proxy.ACCESS_KEY, S3ArchiveTest.SECRET, "SignatureDoesNotMatch");
    }

    @Test
    void anUnknownAccessKeyIsRefusedAsBadCredentialsBeforeAnythingChanges() {
        refusedAsBadCredentials(S3ArchiveTest.ACCESS_KEY, S3ArchiveTest.SECRET, "InvalidAccessKeyId");
    }

    @Test
    void archivesAndRestoresThroughAStoreThatChecksSignatures() throws Exception {
        TestDb db = TestDb.fresh(getClass());
        PruneFixture.seed(db, 12_000);
        byte[] october = S3ArchiveTest.csv(db, "chat_history_2025_10");
        String checksum = PruneFixture.checksum(db, "chat_history_2025_10");
        String prefix = "t" + System.nanoTime() + "/";
        S3Settings s3 = new S3Settings(S3Proxy.BUCKET, prefix, "us-east-1", server.endpoint(), true, null, null, null,
                new S3Settings.Credentials(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY, "the test"), 5 << 20);
        PruneOptions options = new PruneOptions(null, PruneOptions.Compression.GZIP, 1, "test").withS3(s3);
        Engines.RecordingLog log = new Engines.RecordingLog();
        PartitionEngine engine = PruneFixture.engineWith(db, "2026-05-01", "UTC", options, log, retained("chat_history", "6 months", "archive"));

        engine.apply(Goal.PRUNE);
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'chat_history_2025_10'"), "dropped after verification");
        String key = prefix + "public.chat_history_2025_10.csv.gz";
        assertTrue(log.lines.stream().anyMatch(l -> l.contains("s3://" + S3Proxy.BUCKET + "/" + key + ": the store takes no additional"
                + " checksums (NotImplemented)")), log.lines.toString());
        assertTrue(log.lines.stream().anyMatch(l -> l.contains("verified s3://" + S3Proxy.BUCKET + "/" + key) && l.endsWith("(read back)")),
                log.lines.toString());
        try (S3Client client = server.client()) {
            byte[] object = client.getObjectAsBytes(r -> r.bucket(S3Proxy.BUCKET).key(key)).asByteArray();
            assertArrayEquals(october, S3ArchiveTest.gunzip(object), "the object decompressed is the partition's CSV, byte for byte");
        }

        PruneFixture.engineWith(db, "2026-05-01", "UTC", options, log, retained("chat_history", "6 months", "archive"))
                .apply(ArchiveRestore.planner("s3://" + S3Proxy.BUCKET + "/" + prefix + "public.chat_history_2025_10.manifest.json",
                        Optional.empty(), options));
        assertEquals(checksum, PruneFixture.checksum(db, "chat_history_2025_10"), "restored from the bucket, every column");
    }
}
