package io.github.partitionmaven.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for the helper servers. With {@code -Dpartition.test.ports=FROM-TO} only that range is
 * used (shared machines); otherwise the operating system picks one. A port is never handed out twice per JVM.
 */
public final class Ports {

    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {
    }

    public static synchronized int free() {
        String range = System.getProperty("partition.test.ports", "").trim();
        if (range.isEmpty()) {
            for (int i = 0; i < 20; i++) {
                int port = bind(0);
                if (port > 0 && HANDED_OUT.add(port)) {
                    return port;
                }
            }
            throw new IllegalStateException("no free port");
        }
        String[] parts = range.split("-");
        int from = Integer.parseInt(parts[0].trim());
        int to = Integer.parseInt(parts[parts.length - 1].trim());
        int n = to - from + 1;
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            int port = from + (start + i) % n;
            if (!HANDED_OUT.contains(port) && bind(port) == port) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port in partition.test.ports=" + range);
    }

    private static int bind(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            return -1;
        }
    }
}
