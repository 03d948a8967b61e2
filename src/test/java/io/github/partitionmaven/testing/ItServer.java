package io.github.partitionmaven.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The PostgreSQL the invoker projects run against: started by the build (exec:exec, async) before
 * the integration tests on the reserved port, stopped when the build ends. Writes {@code readyFile}
 * once it accepts connections.
 */
public final class ItServer {

    private ItServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path ready = Path.of(args[1]);
        Files.deleteIfExists(ready);
        TestServer server = TestServer.startEmbedded(port);
        Files.writeString(ready, server.url("postgres"));
        System.out.println("Invoker test server ready: " + server.describe());
        // Stay alive until the build that started us ends and destroys this process (shutdown hook stops PostgreSQL).
        while (true) {
            Thread.sleep(60_000);
        }
    }
}
