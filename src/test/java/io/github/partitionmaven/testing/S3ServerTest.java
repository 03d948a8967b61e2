package io.github.partitionmaven.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** The S3 test server (S3Mock as its own process) and the fault proxy, through the SDK's url-connection client. */
class S3ServerTest {

    private static final int MIB = 1024 * 1024;
    private static final String BUCKET = "archive-test";

    private static S3Server server;
    private static S3Client s3;

    @BeforeAll
    static void start() {
        server = S3Server.shared().orElse(null);
        if (server == null) {
            System.err.println("S3ServerTest skipped: " + S3Server.describeUnavailable());
            return;
        }
        server.createBuckets(BUCKET);
        s3 = server.client();
        System.out.println(server.describe() + ", started in " + server.startMillis() + " ms");
    }

    /** Per test, not in @BeforeAll: Surefire reports a class-level assumption as no test at all, not as skipped. */
    @BeforeEach
    void needsServer() {
        Assumptions.assumeTrue(server != null, S3Server.describeUnavailable());
    }

    @AfterAll
    static void close() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void multipartUploadWithSha256ChecksumsReadsBack() throws Exception {
        String key = "prefix/chat_history/2026-05.bin";
        byte[][] parts = {randomBytes(5 * MIB, 1), randomBytes(5 * MIB, 2), randomBytes(5 * MIB, 3)};
        String uploadId = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        List<CompletedPart> done = new ArrayList<>();
        MessageDigest ofDigests = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            byte[] digest = sha256(parts[i]);
            ofDigests.update(digest);
            UploadPartResponse r = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(n)
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(parts[i]));
            assertEquals(b64(digest), r.checksumSHA256(), "part " + n + " checksum as the server computed it");
            done.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).checksumSHA256(r.checksumSHA256()).build());
        }
        s3.completeMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(done)));

        HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED));
        assertEquals(15L * MIB, head.contentLength());
        // S3's composite checksum of a multipart object: SHA-256 of the parts' SHA-256s, then "-" and the part count.
        assertEquals(b64(ofDigests.digest()) + "-3", head.checksumSHA256());

        byte[] back = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED)).asByteArray();
        assertEquals(15 * MIB, back.length);
        for (int i = 0; i < parts.length; i++) {
            byte[] slice = java.util.Arrays.copyOfRange(back, i * 5 * MIB, (i + 1) * 5 * MIB);
            assertArrayEquals(parts[i], slice, "part " + (i + 1) + " read back");
        }
    }

    @Test
    void putObjectWithSha256IsValidatedOnRead() throws Exception {
        byte[] data = randomBytes(MIB + 17, 4);
        s3.putObject(r -> r.bucket(BUCKET).key("prefix/single.bin").checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(data));
        HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key("prefix/single.bin").checksumMode(ChecksumMode.ENABLED));
        assertEquals(b64(sha256(data)), head.checksumSHA256());
        assertArrayEquals(data, s3.getObjectAsBytes(r -> r.bucket(BUCKET).key("prefix/single.bin").checksumMode(ChecksumMode.ENABLED)).asByteArray());
    }

    @Test
    void wrongPartChecksumIsRejected() throws Exception {
        String key = "prefix/bad-digest.bin";
        String uploadId = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        try {
            String wrong = b64(sha256(new byte[] {1}));
            S3Exception e = assertThrows(S3Exception.class, () -> s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1)
                    .checksumSHA256(wrong), RequestBody.fromBytes(randomBytes(MIB, 5))));
            assertEquals(400, e.statusCode(), e.toString());
        } finally {
            s3.abortMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(uploadId));
        }
    }

    @Test
    void abortLeavesNoUploadListed() {
        String key = "prefix/aborted.bin";
        String uploadId = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1).checksumAlgorithm(ChecksumAlgorithm.SHA256),
                RequestBody.fromBytes(randomBytes(5 * MIB, 6)));
        assertTrue(uploadsUnder(key).contains(uploadId), "listed while open");
        s3.abortMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(uploadId));
        assertEquals(List.of(), uploadsUnder(key));
        assertThrows(NoSuchUploadException.class, () -> s3.listParts(r -> r.bucket(BUCKET).key(key).uploadId(uploadId)));
        assertThrows(S3Exception.class, () -> s3.headObject(r -> r.bucket(BUCKET).key(key)));
    }

    @Test
    void missingBucketIsNoSuchBucket() {
        S3Exception put = assertThrows(S3Exception.class,
                () -> s3.putObject(r -> r.bucket("no-such-bucket").key("k"), RequestBody.fromString("x")));
        assertEquals("NoSuchBucket", put.awsErrorDetails().errorCode(), put.toString());
        assertThrows(NoSuchBucketException.class, () -> s3.headBucket(r -> r.bucket("no-such-bucket")));
        S3Exception mpu = assertThrows(S3Exception.class, () -> s3.createMultipartUpload(r -> r.bucket("no-such-bucket").key("k")));
        assertEquals("NoSuchBucket", mpu.awsErrorDetails().errorCode(), mpu.toString());
    }

    @Test
    void credentialsAreNotCheckedByS3Mock() {
        // S3Mock verifies no signature: wrong keys are accepted. A test of refused credentials needs another server.
        try (S3Client wrong = server.client(server.endpoint(), "wrong-key", "wrong-secret")) {
            wrong.putObject(r -> r.bucket(BUCKET).key("prefix/wrong-keys.txt"), RequestBody.fromString("accepted"));
        }
        assertEquals(8L, s3.headObject(r -> r.bucket(BUCKET).key("prefix/wrong-keys.txt")).contentLength());
    }

    @Test
    void serverSideEncryptionHeadersAreAcceptedAndUnknownKmsKeysRefused() {
        s3.putObject(r -> r.bucket(BUCKET).key("prefix/sse-s3.txt").serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromString("a"));
        HeadObjectResponse aes = s3.headObject(r -> r.bucket(BUCKET).key("prefix/sse-s3.txt"));
        assertEquals(ServerSideEncryption.AES256, aes.serverSideEncryption());

        String kmsKey = S3Server.KMS_KEY_ID;
        s3.putObject(r -> r.bucket(BUCKET).key("prefix/sse-kms.txt").serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(kmsKey),
                RequestBody.fromString("k"));
        HeadObjectResponse kms = s3.headObject(r -> r.bucket(BUCKET).key("prefix/sse-kms.txt"));
        assertEquals(ServerSideEncryption.AWS_KMS, kms.serverSideEncryption());
        assertEquals(kmsKey, kms.ssekmsKeyId());

        for (String unknown : List.of("unknown", S3Server.KMS_KEY_ARN)) {
            // S3Mock refuses unknown ids, and the ARN even of the key it knows (S3 would take the ARN).
            S3Exception e = assertThrows(S3Exception.class, () -> s3.putObject(r -> r.bucket(BUCKET).key("prefix/sse-kms-unknown.txt")
                    .serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(unknown), RequestBody.fromString("k")));
            assertEquals(400, e.statusCode(), e.toString());
            assertEquals("KMS.NotFoundException", e.awsErrorDetails().errorCode(), e.toString());
        }

        String key = "prefix/sse-multipart.bin";
        String uploadId = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(key).serverSideEncryption(ServerSideEncryption.AES256)).uploadId();
        s3.abortMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(uploadId));
    }

    @Test
    void proxyCutMidPartFailsTheUploadAndAbortCleansUp() throws Exception {
        String key = "prefix/cut.bin";
        try (FaultyProxy proxy = FaultyProxy.to(server.port());
             S3Client viaProxy = S3Server.clientBuilder(proxy.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY)
                     .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            String uploadId = viaProxy.createMultipartUpload(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
            viaProxy.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1).checksumAlgorithm(ChecksumAlgorithm.SHA256),
                    RequestBody.fromBytes(randomBytes(5 * MIB, 7)));
            proxy.cutAfter(2 * MIB);
            assertThrows(SdkClientException.class, () -> viaProxy.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(2)
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(randomBytes(5 * MIB, 8))));
            assertEquals(1, proxy.cuts());

            // The cut part is not kept; only part 1 is.
            assertEquals(List.of(1), s3.listParts(r -> r.bucket(BUCKET).key(key).uploadId(uploadId)).parts().stream().map(p -> p.partNumber()).toList());
            s3.abortMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(uploadId));
            assertEquals(List.of(), uploadsUnder(key));
        }
    }

    @Test
    void proxyCutOnceIsRetriedBySdk() throws Exception {
        String key = "prefix/cut-retried.bin";
        byte[] data = randomBytes(5 * MIB, 9);
        try (FaultyProxy proxy = FaultyProxy.to(server.port());
             S3Client viaProxy = server.client(proxy.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY)) {
            proxy.cutAfter(MIB);
            viaProxy.putObject(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(data));
            assertEquals(1, proxy.cuts());
            assertTrue(proxy.connections() >= 2, "retried on a new connection: " + proxy.connections());
        }
        assertEquals(b64(sha256(data)), s3.headObject(r -> r.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED)).checksumSHA256());
    }

    @Test
    void proxyDownRefusesEveryRequest() throws Exception {
        try (FaultyProxy proxy = FaultyProxy.to(server.port());
             S3Client viaProxy = S3Server.clientBuilder(proxy.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY)
                     .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            proxy.setDown(true);
            assertThrows(SdkClientException.class, () -> viaProxy.headBucket(r -> r.bucket(BUCKET)));
            proxy.heal();
            viaProxy.headBucket(r -> r.bucket(BUCKET));
        }
    }

    @Test
    void restartKeepsBucketsAndOpenUploads() throws Exception {
        String key = "prefix/restart.bin";
        byte[] p1 = randomBytes(5 * MIB, 10);
        String uploadId = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        String etag1 = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1).checksumAlgorithm(ChecksumAlgorithm.SHA256),
                RequestBody.fromBytes(p1)).eTag();

        long t0 = System.nanoTime();
        server.stop();
        long stopped = (System.nanoTime() - t0) / 1_000_000;
        try (S3Client noRetry = S3Server.clientBuilder(server.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            assertThrows(SdkClientException.class, () -> noRetry.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(2),
                    RequestBody.fromBytes(new byte[10])));
        }
        server.start();
        System.out.println("S3 test server restarted in " + server.startMillis() + " ms (stop took " + stopped + " ms)");

        assertTrue(uploadsUnder(key).contains(uploadId), "open upload survives a restart");
        assertEquals(List.of(etag1), s3.listParts(r -> r.bucket(BUCKET).key(key).uploadId(uploadId)).parts().stream().map(p -> p.eTag()).toList());
        s3.abortMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(uploadId));
        assertEquals(List.of(), uploadsUnder(key));
    }

    private static List<String> uploadsUnder(String key) {
        return s3.listMultipartUploads(r -> r.bucket(BUCKET).prefix(key)).uploads().stream().map(u -> u.uploadId()).toList();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
