package io.github.partitionmaven.mojo;

import io.github.partitionmaven.core.PartitionException;
import io.github.partitionmaven.prune.PruneOptions;
import io.github.partitionmaven.prune.S3Settings;
import org.apache.maven.settings.Server;

/**
 * Turns the S3 archive parameters (declared by the goals that read them: prune and plan all of them, restore those that
 * reading an {@code s3://} manifest needs) into {@link S3Settings}; secrets come only from settings.xml or the SDK.
 */
final class S3Archive {

    private S3Archive() {
    }

    /** The archive options: for an {@code s3://} location with the bucket options and the archiveServerId credentials. */
    static PruneOptions options(AbstractPartitionMojo mojo, PruneOptions local, String location, String serverId, String region,
                                String endpoint, Boolean pathStyle, String sse, String kmsKeyId, String storageClass) {
        return S3Settings.isS3(location)
                ? local.withS3(settings(mojo, location, serverId, region, endpoint, pathStyle, sse, kmsKeyId, storageClass)) : local;
    }

    /** The bucket options of {@code s3://bucket/prefix/}. */
    static S3Settings settings(AbstractPartitionMojo mojo, String location, String serverId, String region, String endpoint,
                               Boolean pathStyle, String sse, String kmsKeyId, String storageClass) {
        S3Settings.Credentials credentials = null;
        if (serverId != null && !serverId.isBlank()) {
            Server server = mojo.decryptedServer(serverId, "archiveServerId");
            if (server.getUsername() == null || server.getPassword() == null) {
                throw PartitionException.configuration("<server> '" + serverId + "' in settings.xml needs the S3 access key as"
                        + " <username> and the secret as <password>. Nothing was changed.");
            }
            credentials = new S3Settings.Credentials(server.getUsername(), server.getPassword(), "<server> '" + serverId + "' in settings.xml");
        }
        return S3Settings.of(location.trim(), region, endpoint, pathStyle, sse, kmsKeyId, storageClass, credentials);
    }
}
