package io.github.partitionmaven.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback in front of a local server (the S3 test server) that fails at the
 * connection level on demand: {@link #cutAfter(long)} resets the connection once that many more
 * request bytes have gone through (mid-body of an upload, say), {@link #setDown(boolean)} resets
 * every connection at once. Otherwise it forwards bytes unchanged both ways.
 */
public final class FaultyProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object budgetLock = new Object();
    private long budget = -1; // request bytes left before the cut; -1: no cut armed
    private volatile boolean down;
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong upstreamBytes = new AtomicLong();
    private volatile boolean closed;

    private FaultyProxy(ServerSocket listener, int targetPort) {
        this.listener = listener;
        this.targetPort = targetPort;
        Thread t = new Thread(this::acceptLoop, "faulty-proxy-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** A proxy to {@code 127.0.0.1:targetPort} on a free port (from -Dpartition.test.s3.ports when set). */
    public static FaultyProxy to(int targetPort) throws IOException {
        return new FaultyProxy(S3Server.bindFree(), targetPort);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** Resets the connection carrying them once {@code bytes} more request bytes have been forwarded; once. */
    public void cutAfter(long bytes) {
        synchronized (budgetLock) {
            budget = bytes;
        }
    }

    /** Forwards everything again: no cut armed, not down. */
    public void heal() {
        synchronized (budgetLock) {
            budget = -1;
        }
        down = false;
    }

    /** While down, every open and every new connection is reset at once. */
    public void setDown(boolean down) {
        this.down = down;
        if (down) {
            for (Socket s : open) {
                reset(s);
            }
        }
    }

    /** How many connections were cut by {@link #cutAfter(long)}. */
    public int cuts() {
        return cuts.get();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Request bytes forwarded to the server so far. */
    public long upstreamBytes() {
        return upstreamBytes.get();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : open) {
            reset(s);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            if (down) {
                reset(client);
                continue;
            }
            Socket server;
            try {
                server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            } catch (IOException e) {
                reset(client);
                continue;
            }
            open.add(client);
            open.add(server);
            pump(client, server, true);
            pump(server, client, false);
        }
    }

    private void pump(Socket from, Socket to, boolean upstream) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (down) {
                        break;
                    }
                    int pass = n;
                    boolean cut = false;
                    if (upstream) {
                        synchronized (budgetLock) {
                            if (budget >= 0 && budget <= n) {
                                pass = (int) budget;
                                budget = -1;
                                cut = true;
                            } else if (budget > n) {
                                budget -= n;
                            }
                        }
                        upstreamBytes.addAndGet(pass);
                    }
                    out.write(buf, 0, pass);
                    out.flush();
                    if (cut) {
                        cuts.incrementAndGet();
                        break;
                    }
                }
            } catch (IOException e) {
                // the other side went away, or we reset it
            } finally {
                reset(from);
                reset(to);
            }
        }, "faulty-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes with SO_LINGER 0, so the peer sees a reset, not an orderly end of stream. */
    private void reset(Socket s) {
        open.remove(s);
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
