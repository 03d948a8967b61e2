package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.Durations;
import io.github.partitionmaven.core.EngineLog;
import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.core.TableName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Archives in an S3 bucket. The data file is a multipart upload fed as it is compressed: parts of
 * {@link S3Settings#partSizeFor} bytes, at most {@link S3Settings#PARTS_IN_FLIGHT} uploading while
 * the next fills, each with the SHA-256 computed here from the bytes sent (x-amz-checksum-sha256),
 * which the store checks as the part arrives and rejects on a mismatch. Nothing is visible under the
 * key until CompleteMultipartUpload; a failure aborts the upload, and an upload a crash left open is
 * aborted by the next run's {@link #discardUnfinished}.
 *
 * <p>The same part digests give the object's checksum as S3 keeps it for a multipart object: the
 * SHA-256 of the parts' SHA-256s concatenated in part order, base64, then {@code -N} ("composite").
 * {@link Upload#storeChecksum()} goes into the manifest, and {@link #stored} reads S3's back with one
 * HeadObject; see {@link ArchiveCheck} for why that replaces reading the object back.
 */
final class S3ArchiveStore implements ArchiveStore {

    private final S3Settings s3;
    private S3Client client;
    private volatile boolean checksums = true;

    S3ArchiveStore(S3Settings s3) {
        this.s3 = s3;
    }

    private synchronized S3Client client() {
        if (client == null) {
            client = s3.client();
        }
        return client;
    }

    private String key(String name) {
        return s3.prefix() + name;
    }

    @Override
    public String where(String name) {
        return s3.url(name);
    }

    @Override
    public boolean exists(String name) throws IOException {
        try {
            client().headObject(r -> r.bucket(s3.bucket()).key(key(name)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !(e instanceof NoSuchBucketException)) {
                return false;
            }
            throw io("look up " + where(name), e);
        } catch (SdkException e) {
            throw io("look up " + where(name), e);
        }
    }

    @Override
    public long size(String name) throws IOException {
        try {
            return client().headObject(r -> r.bucket(s3.bucket()).key(key(name))).contentLength();
        } catch (SdkException e) {
            throw io("look up " + where(name), e);
        }
    }

    /** HeadObject with ChecksumMode ENABLED: the size, and the SHA-256 checksum S3 computed from the parts as they arrived. */
    @Override
    public Stored stored(String name) throws IOException {
        try {
            HeadObjectResponse head = client().headObject(r -> r.bucket(s3.bucket()).key(key(name)).checksumMode(ChecksumMode.ENABLED));
            return new Stored(head.contentLength(), head.checksumSHA256());
        } catch (SdkException e) {
            throw io("look up " + where(name), e);
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        try {
            return client().getObject(r -> r.bucket(s3.bucket()).key(key(name)));
        } catch (SdkException e) {
            throw io("read " + where(name), e);
        }
    }

    @Override
    public String readText(String name) throws IOException {
        try {
            return client().getObjectAsBytes(r -> r.bucket(s3.bucket()).key(key(name))).asString(StandardCharsets.UTF_8);
        } catch (SdkException e) {
            throw io("read " + where(name), e);
        }
    }

    /** One PutObject: S3 shows a key's old object or its new one, never a mix. */
    @Override
    public void writeText(String name, String text) throws IOException {
        try {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            withChecksums(sha -> client().putObject(put(name, body, sha).contentType("application/json").build(), RequestBody.fromBytes(body)));
        } catch (SdkException e) {
            throw io("write " + where(name), e);
        }
    }

    /**
     * A PutObject of {@code body} with its SHA-256 in the x-amz-checksum-sha256 header, computed here: left to the SDK, the
     * checksum goes in a trailer of an aws-chunked body over plain HTTP, which S3-compatible stores do not all read (S3Proxy
     * 2.6 answers XAmzContentSHA256Mismatch).
     */
    private PutObjectRequest.Builder put(String name, byte[] body, boolean checksum) {
        return PutObjectRequest.builder().bucket(s3.bucket()).key(key(name))
                .checksumSHA256(checksum ? Base64.getEncoder().encodeToString(sha256().digest(body)) : null)
                .serverSideEncryption(s3.serverSideEncryption()).ssekmsKeyId(s3.kmsKeyId()).storageClass(s3.storageClass());
    }

    /**
     * Runs {@code request} with S3's additional SHA-256 checksum, or without it once the store has answered 501 NotImplemented
     * to the checksum headers (S3Proxy 2.6 and other S3-compatible stores without additional checksums): then this store's
     * objects carry none, their manifests keep no S3 checksum, and the drop step reads them back instead.
     */
    private <T> T withChecksums(java.util.function.Function<Boolean, T> request) {
        if (checksums) {
            try {
                return request.apply(true);
            } catch (S3Exception e) {
                if (e.statusCode() != 501) {
                    throw e;
                }
                checksums = false;
            }
        }
        return request.apply(false);
    }

    @Override
    public Sink create(String name, long tableBytes, EngineLog log) throws IOException {
        String uploadId;
        try {
            uploadId = withChecksums(sha -> client().createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(s3.bucket())
                    .key(key(name)).contentType(name.endsWith(".gz") ? "application/gzip" : "text/csv")
                    .checksumAlgorithm(sha ? ChecksumAlgorithm.SHA256 : null).serverSideEncryption(s3.serverSideEncryption())
                    .ssekmsKeyId(s3.kmsKeyId()).storageClass(s3.storageClass()).build()).uploadId());
        } catch (SdkException e) {
            throw io("start the upload of " + where(name), e);
        }
        if (!checksums) {
            log.info("      " + where(name) + ": the store takes no additional checksums (NotImplemented), so parts go without and the"
                    + " object is read back before the drop");
        }
        return new Upload(name, uploadId, s3.partSizeFor(tableBytes), checksums, log);
    }

    /** Open multipart uploads of exactly this key: what a killed run left; the table lock keeps other runs off it. */
    @Override
    public void discardUnfinished(String name, EngineLog log) throws IOException {
        String key = key(name);
        try {
            discard(key, name, log);
        } catch (S3Exception e) {
            if (e.statusCode() != 501) {
                throw io("list the incomplete uploads of " + where(name), e);
            }
            log.warn("The store at " + (s3.endpoint() != null ? s3.endpoint() : "S3") + " does not list incomplete multipart uploads"
                    + " (NotImplemented), so an upload an interrupted run left under " + where(name) + ", if any, is not aborted here;"
                    + " a bucket lifecycle rule AbortIncompleteMultipartUpload (or the store's own cleanup) removes it.");
        } catch (SdkException e) {
            throw io("list the incomplete uploads of " + where(name), e);
        }
    }

    private void discard(String key, String name, EngineLog log) {
        for (MultipartUpload u : client().listMultipartUploadsPaginator(r -> r.bucket(s3.bucket()).prefix(key)).uploads()) {
            if (u.key().equals(key)) {
                client().abortMultipartUpload(r -> r.bucket(s3.bucket()).key(key).uploadId(u.uploadId()));
                log.info("      aborted the incomplete upload " + u.uploadId() + " of " + where(name) + " (started " + u.initiated()
                        + ") an interrupted run left");
            }
        }
    }

    /**
     * HeadBucket (is the bucket there, are the credentials good, is the endpoint reachable), then a write of an empty probe
     * object with the configured encryption and storage class, deleted again: the upload would need exactly that permission.
     */
    @Override
    public void requireWritable(TableName table) {
        String doing = "check the archive bucket " + s3.bucket() + " for " + table;
        try {
            client().headBucket(r -> r.bucket(s3.bucket()));
        } catch (S3Exception e) {
            if (e.statusCode() != 403) {
                throw PartitionException.configuration(explain(doing, e) + " Nothing was changed.");
            }
            // A 403 to HEAD has no body, so no error code: bad keys and a missing s3:ListBucket look alike. A one-key listing
            // (the same permission) answers with the code: InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied.
            try {
                client().listObjectsV2(r -> r.bucket(s3.bucket()).prefix(s3.prefix()).maxKeys(1));
            } catch (SdkException listing) {
                throw PartitionException.configuration(explain(doing, listing) + " Nothing was changed.");
            }
        } catch (SdkException e) {
            throw PartitionException.configuration(explain(doing, e) + " Nothing was changed.");
        }
        String probe = ".partition-write-probe-" + ProcessHandle.current().pid();
        try {
            withChecksums(sha -> client().putObject(put(probe, new byte[0], sha).build(), RequestBody.empty()));
        } catch (SdkException e) {
            throw PartitionException.configuration(explain("write to " + s3.url(""), e) + " Nothing was changed.");
        }
        try {
            client().deleteObject(r -> r.bucket(s3.bucket()).key(key(probe)));
        } catch (SdkException e) {
            // writing is what the archive needs; a policy that forbids deleting leaves the empty probe object
        }
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private IOException io(String doing, SdkException e) {
        return new IOException(explain(doing, e), e);
    }

    /** What went wrong talking to S3 and how to fix it, named; the SDK's messages carry no secrets, only ids. */
    String explain(String doing, SdkException e) {
        String bucket = "bucket " + s3.bucket() + (s3.endpoint() != null ? " at " + s3.endpoint() : "");
        if (e instanceof S3Exception se) {
            String code = se.awsErrorDetails() == null ? null : se.awsErrorDetails().errorCode();
            int status = se.statusCode();
            if (se instanceof NoSuchBucketException || "NoSuchBucket".equals(code) || (status == 404 && doing.startsWith("check"))) {
                return "Cannot " + doing + ": the " + bucket + " does not exist. Create it, or fix the bucket in <archiveDirectory>s3://"
                        + s3.bucket() + "/...</archiveDirectory> (and <archiveEndpoint> for an S3-compatible store).";
            }
            if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code) || "ExpiredToken".equals(code)
                    || "InvalidToken".equals(code) || (status == 403 && code == null && doing.startsWith("check"))) {
                return "Cannot " + doing + ": the " + bucket + " rejects the credentials (" + (code == null ? "HTTP 403" : code) + ", "
                        + credentialSource() + "). Fix the access key and secret"
                        + " (or refresh the session), or name another <archiveServerId>.";
            }
            if (status == 403) {
                return "Cannot " + doing + ": access denied (" + (code == null ? "HTTP 403" : code) + ") for " + credentialSource()
                        + ". Grant s3:ListBucket, s3:PutObject, s3:GetObject, s3:ListBucketMultipartUploads and s3:AbortMultipartUpload on s3://"
                        + s3.bucket() + "/" + s3.prefix() + "* (and kms:GenerateDataKey with SSE-KMS), or use other credentials.";
            }
            if (status == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)) {
                return "Cannot " + doing + ": the " + bucket + " is in another region than " + s3.describe().get(0) + " ("
                        + (code == null ? "HTTP " + status : code) + "). Set <archiveRegion> to the bucket's region.";
            }
            return "Cannot " + doing + ": S3 answered HTTP " + status + (code == null ? "" : " " + code) + ": "
                    + (se.awsErrorDetails() == null ? se.getMessage() : se.awsErrorDetails().errorMessage()) + ".";
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof SdkClientException && message.contains("Unable to load credentials")) {
            return "Cannot " + doing + ": no AWS credentials were found by the SDK's default provider chain (environment"
                    + " AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws profile, web identity, container or instance role). Provide"
                    + " one of those, or set <archiveServerId> to a settings.xml <server> with the access key as username and the"
                    + " secret as password.";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException) {
                return "Cannot " + doing + ": the endpoint " + (s3.endpoint() != null ? s3.endpoint() : "of S3 in " + s3.describe().get(0))
                        + " cannot be reached (" + t + "). Check <archiveEndpoint>, the network and any proxy, then run again.";
            }
        }
        return "Cannot " + doing + ": " + message + ".";
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String credentialSource() {
        return s3.credentials() != null ? s3.credentials().toString() : "the credentials of the SDK's default provider chain";
    }

    /**
     * The stream a multipart upload is fed through. The compressor thread fills a part; a full part goes to one of
     * {@link S3Settings#PARTS_IN_FLIGHT} uploader threads, and the compressor waits when all are busy, so memory stays at
     * (in flight + 1) parts however large the partition.
     */
    private final class Upload extends OutputStream implements Sink {
        private final String name;
        private final String uploadId;
        private final int partSize;
        private final EngineLog log;
        private final ExecutorService uploaders;
        private final Semaphore slots = new Semaphore(S3Settings.PARTS_IN_FLIGHT);
        private final List<CompletedPart> done = new ArrayList<>();
        /** Raw SHA-256 of each part by part number, for the composite checksum. */
        private final Map<Integer, byte[]> digests = new TreeMap<>();
        private final boolean checksummed;
        private String composite;
        private final AtomicLong uploaded = new AtomicLong();
        private volatile Throwable failure;
        private byte[] part;
        private int used;
        private int parts;
        private boolean finished;

        Upload(String name, String uploadId, int partSize, boolean checksummed, EngineLog log) {
            this.name = name;
            this.checksummed = checksummed;
            this.uploadId = uploadId;
            this.partSize = partSize;
            this.log = log;
            this.part = new byte[partSize];
            this.uploaders = Executors.newFixedThreadPool(S3Settings.PARTS_IN_FLIGHT, r -> {
                Thread t = new Thread(r, "partition-archive-upload");
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public OutputStream stream() {
            return this;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, partSize - used);
                System.arraycopy(b, off, part, used, n);
                used += n;
                off += n;
                len -= n;
                if (used == partSize) {
                    send();
                }
            }
        }

        private void send() throws IOException {
            rethrow();
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while uploading " + where(name));
            }
            byte[] bytes = part;
            int length = used;
            int number = ++parts;
            part = new byte[partSize];
            used = 0;
            uploaders.execute(() -> {
                try {
                    // hashed here, on the uploader thread beside the compressor, and sent as the header's value: the SDK then
                    // computes no checksum of its own, and the digest is of exactly the bytes sent
                    MessageDigest sha = sha256();
                    sha.update(bytes, 0, length);
                    byte[] digest = sha.digest();
                    String checksum = Base64.getEncoder().encodeToString(digest);
                    UploadPartResponse r = client().uploadPart(p -> p.bucket(s3.bucket()).key(key(name)).uploadId(uploadId)
                                    .partNumber(number).checksumSHA256(checksummed ? checksum : null),
                            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                                    "application/octet-stream"));
                    if (checksummed && r.checksumSHA256() != null && !r.checksumSHA256().equals(checksum)) {
                        throw new IOException("the store holds part " + number + " of " + where(name) + " with SHA-256 "
                                + r.checksumSHA256() + " but " + checksum + " was sent");
                    }
                    synchronized (done) {
                        done.add(CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumSHA256(checksummed ? checksum : null).build());
                        digests.put(number, digest);
                    }
                    long total = uploaded.addAndGet(length);
                    log.debug("      uploaded part " + number + " of " + where(name) + " (" + Durations.bytes(length) + ", "
                            + Durations.bytes(total) + " so far)");
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    slots.release();
                }
            });
        }

        private void rethrow() throws IOException {
            Throwable f = failure;
            if (f instanceof SdkException se) {
                throw io("upload part of " + where(name), se);
            }
            if (f instanceof IOException io) {
                throw io;
            }
            if (f != null) {
                throw new IOException(f.toString(), f);
            }
        }

        /** The last part, then CompleteMultipartUpload with every part's checksum: only now the object exists. */
        @Override
        public void commit() throws IOException {
            if (used > 0 || parts == 0) {
                send();
            }
            try {
                slots.acquire(S3Settings.PARTS_IN_FLIGHT);
                slots.release(S3Settings.PARTS_IN_FLIGHT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while uploading " + where(name));
            }
            rethrow();
            List<CompletedPart> sorted;
            MessageDigest whole = sha256();
            synchronized (done) {
                sorted = done.stream().sorted(Comparator.comparing(CompletedPart::partNumber)).toList();
                digests.values().forEach(whole::update);
            }
            composite = checksummed ? Base64.getEncoder().encodeToString(whole.digest()) + "-" + sorted.size() : null;
            String stored;
            try {
                stored = client().completeMultipartUpload(r -> r.bucket(s3.bucket()).key(key(name)).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(sorted))).checksumSHA256();
            } catch (SdkException e) {
                throw io("complete the upload of " + where(name), e);
            }
            if (checksummed && stored != null && !stored.equals(composite)) {
                // no manifest is written, so the next run exports again over this object
                throw new IOException("the store reports the SHA-256 checksum " + stored + " for " + where(name) + " but its parts make "
                        + composite);
            }
            finished = true;
            uploaders.shutdown();
        }

        @Override
        public String storeChecksum() {
            return composite;
        }

        /** Stops the uploaders, then AbortMultipartUpload: S3 frees the parts; no object appears under the key. */
        @Override
        public void abort() {
            if (finished) {
                return;
            }
            finished = true;
            uploaders.shutdownNow();
            try {
                // a part still on the wire could land after the abort and keep the upload alive: let them end first
                uploaders.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                client().abortMultipartUpload(r -> r.bucket(s3.bucket()).key(key(name)).uploadId(uploadId));
                log.info("      aborted the upload of " + where(name) + " (" + parts + " part(s) sent): no object was written");
            } catch (SdkException e) {
                log.warn("Could not abort the incomplete upload " + uploadId + " of " + where(name) + " (" + explain("abort it", e)
                        + "). The next prune run aborts it; a bucket lifecycle rule AbortIncompleteMultipartUpload also removes it.");
            }
        }
    }
}
