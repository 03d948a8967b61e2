package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.PartitionException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * Where and how archives go to an S3 bucket (or an S3-compatible store: MinIO, Ceph, R2).
 *
 * @param bucket the bucket of {@code s3://bucket/prefix/}
 * @param prefix the key prefix, empty or ending in {@code /}
 * @param region the signing region; null: the SDK's region chain (AWS_REGION, profile, instance), else us-east-1 with an endpoint
 * @param endpoint endpoint override for S3-compatible stores; null for AWS
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 * @param serverSideEncryption null, AES256 (SSE-S3) or aws:kms (SSE-KMS)
 * @param kmsKeyId the KMS key for aws:kms; null: the bucket's default key
 * @param storageClass null (STANDARD) or any S3 storage class, e.g. STANDARD_IA
 * @param credentials static keys from a settings.xml server, or null for the SDK's default provider chain
 * @param partSize bytes per multipart part before the size-based growth of {@link #partSizeFor}
 */
public record S3Settings(String bucket, String prefix, String region, URI endpoint, boolean pathStyle, String serverSideEncryption,
                         String kmsKeyId, String storageClass, Credentials credentials, int partSize) {

    /** 8 MiB parts: above S3's 5 MiB minimum, and small enough that {@link #PARTS_IN_FLIGHT} + 1 of them stay a few dozen MiB. */
    public static final int DEFAULT_PART_SIZE = 8 << 20;
    private static final int MIN_PART_SIZE = 5 << 20;
    /** Parts uploading at once; one more is being filled. Two keep the link busy while the next part fills. */
    static final int PARTS_IN_FLIGHT = 2;
    /** S3 allows 10,000 parts; parts grow beyond {@link #partSize} so that a partition needs at most this many. */
    private static final int MAX_PARTS = 9_000;

    /** Access key and secret; {@link #toString()} never shows them. */
    public record Credentials(String accessKey, String secret, String source) {
        @Override
        public String toString() {
            return "credentials from " + source;
        }
    }

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw PartitionException.configuration("The archive location names no bucket: write it as s3://bucket/prefix/.");
        }
        prefix = prefix == null ? "" : prefix.replaceAll("^/+", "");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        serverSideEncryption = sse(serverSideEncryption, kmsKeyId);
        if (storageClass != null && !storageClass.isBlank()) {
            storageClass = storageClass.trim().toUpperCase(Locale.ROOT);
            if (StorageClass.fromValue(storageClass) == StorageClass.UNKNOWN_TO_SDK_VERSION) {
                throw PartitionException.configuration("Unknown <archiveStorageClass>" + storageClass + "</archiveStorageClass>: use one"
                        + " of " + StorageClass.knownValues() + " (or leave it unset for STANDARD).");
            }
        } else {
            storageClass = null;
        }
        if (partSize < MIN_PART_SIZE) {
            throw PartitionException.configuration("An S3 part of " + partSize + " bytes is below S3's minimum of 5 MiB.");
        }
    }

    private static String sse(String value, String kmsKeyId) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "", "none" -> {
                return kmsKeyId == null || kmsKeyId.isBlank() ? null : ServerSideEncryption.AWS_KMS.toString();
            }
            case "aes256", "sse-s3" -> {
                if (kmsKeyId != null && !kmsKeyId.isBlank()) {
                    throw PartitionException.configuration("<archiveKmsKeyId> is set but <archiveServerSideEncryption> is AES256 (SSE-S3):"
                            + " set it to aws:kms, or remove <archiveKmsKeyId>.");
                }
                return ServerSideEncryption.AES256.toString();
            }
            case "aws:kms", "sse-kms", "kms" -> {
                return ServerSideEncryption.AWS_KMS.toString();
            }
            default -> throw PartitionException.configuration("Unknown <archiveServerSideEncryption>" + value
                    + "</archiveServerSideEncryption>: use none, AES256 (SSE-S3) or aws:kms (SSE-KMS, with <archiveKmsKeyId>).");
        }
    }

    /** Whether {@code location} is an {@code s3://} URL. */
    public static boolean isS3(String location) {
        return location != null && location.trim().regionMatches(true, 0, "s3://", 0, 5);
    }

    /** Settings for {@code s3://bucket/prefix/} with the options of the goal. */
    public static S3Settings of(String location, String region, String endpoint, Boolean pathStyle, String serverSideEncryption,
                                String kmsKeyId, String storageClass, Credentials credentials) {
        String[] bucketAndPrefix = split(location);
        URI uri = null;
        if (endpoint != null && !endpoint.isBlank()) {
            try {
                uri = URI.create(endpoint.trim());
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
                throw PartitionException.configuration("<archiveEndpoint>" + endpoint + "</archiveEndpoint> is not a URL: write it as"
                        + " https://host[:port] (or http:// for a local store).");
            }
        }
        return new S3Settings(bucketAndPrefix[0], bucketAndPrefix[1], blankToNull(region), uri,
                pathStyle != null ? pathStyle : uri != null, serverSideEncryption, blankToNull(kmsKeyId), storageClass, credentials,
                DEFAULT_PART_SIZE);
    }

    /** {@code [bucket, prefix]} of an {@code s3://bucket/prefix/...} URL. */
    static String[] split(String location) {
        String rest = location.trim().substring(5);
        int slash = rest.indexOf('/');
        return slash < 0 ? new String[] {rest, ""} : new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    /** The same store and options, another bucket and prefix (restore names its manifest by URL). */
    S3Settings at(String bucket, String prefix) {
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, serverSideEncryption, kmsKeyId, storageClass, credentials,
                partSize);
    }

    S3Settings withPartSize(int bytes) {
        return new S3Settings(bucket, prefix, region, endpoint, pathStyle, serverSideEncryption, kmsKeyId, storageClass, credentials, bytes);
    }

    String url(String name) {
        return "s3://" + bucket + "/" + prefix + name;
    }

    /**
     * The part size for a partition of {@code tableBytes}: {@link #partSize}, grown so the compressed object (at most about the
     * table's size) needs no more than 9,000 of S3's 10,000 parts. 8 MiB parts hold up to ~70 GiB; memory is
     * (parts in flight + 1) x part size, independent of the partition's size below that.
     */
    int partSizeFor(long tableBytes) {
        long needed = (tableBytes + MAX_PARTS - 1) / MAX_PARTS;
        return (int) Math.min(Integer.MAX_VALUE - 16, Math.max(partSize, needed));
    }

    /** What the plan shows about this store: never a secret. */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("region " + (region != null ? region : "from the SDK's region chain"));
        if (endpoint != null) {
            out.add("endpoint " + endpoint);
        }
        if (pathStyle) {
            out.add("path-style");
        }
        out.add(serverSideEncryption == null ? "no server-side encryption requested"
                : ServerSideEncryption.AWS_KMS.toString().equals(serverSideEncryption)
                ? "SSE-KMS" + (kmsKeyId == null ? " with the bucket's default key" : " key " + kmsKeyId) : "SSE-S3 (AES256)");
        out.add("storage class " + (storageClass == null ? "STANDARD" : storageClass));
        out.add(credentials == null ? "credentials from the SDK's default provider chain" : credentials.toString());
        out.add("at most " + PARTS_IN_FLIGHT + " parts in flight");
        return out;
    }

    /** A client for this store: the JDK's HTTP client (no Netty, no Apache), checksums only where this code asks for them. */
    S3Client client() {
        S3ClientBuilder b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                .forcePathStyle(pathStyle)
                .region(Region.of(signingRegion()))
                .credentialsProvider(credentialsProvider())
                // Parts carry x-amz-checksum-sha256 because the upload asks for it; the SDK's default CRC32 on every request would
                // be a second checksum of the same bytes (and some S3-compatible stores reject it).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    private String signingRegion() {
        if (region != null) {
            return region;
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion().id();
        } catch (RuntimeException e) {
            if (endpoint != null) {
                // S3-compatible stores mostly ignore the region but the signature needs one
                return "us-east-1";
            }
            throw PartitionException.configuration("No AWS region for the archive bucket " + bucket + ": set <archiveRegion> (or"
                    + " -Dpartition.archiveRegion, or AWS_REGION). Nothing was changed.");
        }
    }

    private AwsCredentialsProvider credentialsProvider() {
        if (credentials != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(credentials.accessKey(), credentials.secret()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
