package io.github.partitionmaven.prune;

import static io.github.partitionmaven.prune.PruneFixture.retained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.plan.Goal;
import io.github.partitionmaven.testing.DatabaseTest;
import io.github.partitionmaven.testing.Engines;
import io.github.partitionmaven.testing.S3Server;
import io.github.partitionmaven.testing.TestDb;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each S3 problem prune can meet before an archive step is refused during planning, named with its
 * fix, and the database is left as it was. Bad credentials are refused by a store that checks
 * signatures ({@link S3SignedStoreTest}, on S3Proxy). No local store has bucket policies, so a missing
 * write permission is answered by a small real HTTP server that replies what S3 replies (HTTP 403
 * with S3's AccessDenied XML); the SDK client talking to it is the real one.
 */
@DatabaseTest
class S3ArchiveRefusalTest {

    @TempDir
    Path tmp;

    static void refused(URI endpoint, String bucket, S3Settings.Credentials credentials, String... expected) {
        TestDb db = TestDb.fresh(S3ArchiveRefusalTest.class);
        PruneFixture.seed(db, 1_000);
        String before = db.snapshot();
        S3Settings s3 = new S3Settings(bucket, "p/", S3Server.REGION, endpoint, true, null, null, null, credentials, 5 << 20);
        PruneOptions options = new PruneOptions(null, PruneOptions.Compression.GZIP, 1, "test").withS3(s3);
        PartitionException e = assertThrows(PartitionException.class, () -> PruneFixture.engineWith(db, "2026-05-01", "UTC", options,
                new Engines.RecordingLog(), retained("chat_history", "6 months", "archive")).apply(Goal.PRUNE));
        assertEquals(PartitionException.Kind.CONFIGURATION, e.kind(), e.getMessage());
        for (String text : expected) {
            assertTrue(e.getMessage().contains(text), "'" + text + "' in: " + e.getMessage());
        }
        assertTrue(e.getMessage().endsWith("Nothing was changed."), e.getMessage());
        S3ArchiveTest.assertNoSecret(e.getMessage());
        assertEquals(before, db.snapshot(), "nothing changed");
    }

    private static S3Settings.Credentials keys() {
        return new S3Settings.Credentials(S3ArchiveTest.ACCESS_KEY, S3ArchiveTest.SECRET, "the test");
    }

    @Test
    void aMissingBucketIsNamed() {
        Assumptions.assumeTrue(S3Server.shared().isPresent(), S3Server.describeUnavailable());
        refused(S3Server.shared().get().endpoint(), "no-such-bucket", keys(), "the bucket no-such-bucket at", "does not exist",
                "Create it, or fix the bucket in <archiveDirectory>");
    }

    @Test
    void anUnreachableEndpointIsNamed() throws IOException {
        int port;
        try (ServerSocket s = S3Server.bindFree()) {
            port = s.getLocalPort();
        }
        refused(URI.create("http://127.0.0.1:" + port), "b", keys(), "the endpoint http://127.0.0.1:" + port + " cannot be reached",
                "Check <archiveEndpoint>");
    }

    @Test
    void noCredentialsAnywhereIsNamedWithBothWaysToProvideThem() {
        Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") == null
                && System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") == null && System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == null,
                "this environment provides AWS credentials, so the SDK's default chain would find some");
        Assumptions.assumeTrue(S3Server.shared().isPresent(), S3Server.describeUnavailable());
        Map<String, String> props = Map.of("aws.sharedCredentialsFile", tmp.resolve("none").toString(),
                "aws.configFile", tmp.resolve("none").toString(), "aws.disableEc2Metadata", "true");
        props.forEach(System::setProperty);
        try {
            refused(S3Server.shared().get().endpoint(), "archive-test", null, "no AWS credentials were found by the SDK's default"
                    + " provider chain", "<archiveServerId>");
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void noWritePermissionIsNamedWithThePermissionsNeeded() throws IOException {
        HttpServer http = readOnlyS3();
        try {
            refused(URI.create("http://127.0.0.1:" + http.getAddress().getPort()), "b", keys(), "Cannot write to s3://b/p/: access denied"
                    + " (AccessDenied)", "Grant s3:ListBucket, s3:PutObject");
        } finally {
            http.stop(0);
        }
    }

    /**
     * An HTTP server answering as S3 does to credentials that may read the bucket but not write: HeadBucket 200, any write
     * 403 AccessDenied. Neither S3Mock nor S3Proxy has bucket policies; bad credentials are tested on S3Proxy, which checks
     * signatures ({@link S3SignedStoreTest}).
     */
    private static HttpServer readOnlyS3() throws IOException {
        int port;
        try (ServerSocket s = S3Server.bindFree()) {
            port = s.getLocalPort();
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10);
        http.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().add("x-amz-bucket-region", S3Server.REGION);
                exchange.sendResponseHeaders(200, -1);
            } else {
                byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied"
                        + "</Message><RequestId>0</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
                exchange.sendResponseHeaders(403, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        http.start();
        return http;
    }
}
