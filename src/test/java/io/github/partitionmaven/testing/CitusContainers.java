package io.github.partitionmaven.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A Citus cluster in Testcontainers, where Docker runs: three {@code citusdata/citus:13.2} containers on one Docker
 * network, a coordinator and two workers (not the single-node image alone: with the coordinator as its only node the
 * shards would sit beside the coordinator's shells, and what the goals do to the workers' shards, such as lock_timeout
 * binding there, would not be exercised). The workers are registered by their network aliases ({@code worker1:5432});
 * the tests reach every node through its mapped port. Stopped when the JVM ends (and by Testcontainers' reaper).
 */
final class CitusContainers {

    static final String IMAGE = "citusdata/citus:13.2";
    private static final int PG_PORT = 5432;

    private CitusContainers() {
    }

    static CitusCluster start() throws CitusCluster.Unavailable {
        List<GenericContainer<?>> nodes = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> nodes.forEach(GenericContainer::stop), "citus-containers-stop"));
        try {
            Network network = Network.newNetwork();
            for (String alias : List.of("coordinator", "worker1", "worker2")) {
                GenericContainer<?> node = new GenericContainer<>(DockerImageName.parse(IMAGE))
                        .withNetwork(network).withNetworkAliases(alias)
                        .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust") // the workers trust the coordinator, the tests every node
                        .withExposedPorts(PG_PORT)
                        // the image's entrypoint starts PostgreSQL twice: once to initialize (creating the extension), then for good
                        .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 2));
                nodes.add(node);
                node.start();
            }
            GenericContainer<?> coordinator = nodes.get(0);
            Map<CitusCluster.Node, CitusCluster.Node> reach = new LinkedHashMap<>();
            for (int i = 1; i < nodes.size(); i++) {
                reach.put(new CitusCluster.Node("worker" + i, PG_PORT),
                        new CitusCluster.Node(nodes.get(i).getHost(), nodes.get(i).getMappedPort(PG_PORT)));
            }
            String host = coordinator.getHost();
            int port = coordinator.getMappedPort(PG_PORT);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", "postgres", null);
                 Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS citus");
                s.execute("SELECT citus_set_coordinator_host('coordinator', " + PG_PORT + ")");
                for (CitusCluster.Node w : reach.keySet()) {
                    s.execute("SELECT citus_add_node('" + w.host() + "', " + w.port() + ")");
                }
            }
            return CitusCluster.ofContainers(host, port, "Testcontainers " + IMAGE + ", coordinator and 2 workers",
                    new CitusCluster.Node("coordinator", PG_PORT), reach);
        } catch (RuntimeException | SQLException e) {
            throw new CitusCluster.Unavailable("Docker answers, but starting " + IMAGE + " (coordinator and 2 workers) failed: " + e.getMessage());
        }
    }
}
