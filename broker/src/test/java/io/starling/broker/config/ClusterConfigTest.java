package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "broker.yaml", Path.of("/etc/starling"));
    }

    @Test
    @DisplayName("no cluster block: a broker of its own")
    void offByDefault() throws ConfigException {
        assertThat(parse("max_queued_messages: 5\n").cluster()).isNull();
        assertThat(BrokerConfig.defaults().cluster()).isNull();
    }

    @Test
    @DisplayName("keys left out: cluster starling, 127.0.0.1:7800, named by its address, no seeds, no DNS, no TLS")
    void defaults() throws ConfigException {
        BrokerConfig.Cluster cluster = parse("cluster:\n  port: 7800\n").cluster();
        assertThat(cluster).isEqualTo(new BrokerConfig.Cluster("starling", "127.0.0.1:7800", "127.0.0.1", 7800, List.of(), null, null));
        assertThat(parse("cluster:\n  port: 7801\n").cluster().nodeName()).isEqualTo("127.0.0.1:7801");
        assertThat(parse("cluster:\n  seeds: [127.0.0.1:7800]\n").cluster().port()).isEqualTo(7800);
    }

    @Test
    @DisplayName("every cluster key is read; TLS files resolve against the configuration's directory")
    void everyKey() throws ConfigException {
        BrokerConfig.Cluster cluster = parse("""
                cluster:
                  name: prod
                  node_name: node-a
                  bind: 10.0.0.5
                  port: 7900
                  seeds:
                    - 10.0.0.5:7900
                    - node-b.example.com:7900
                    - "[fd00::1]:7900"
                  dns: starling-nodes.example.com
                  members: [node-a, node-b, node-c]
                  tls:
                    keystore: node.p12
                """).cluster();
        assertThat(cluster).isEqualTo(new BrokerConfig.Cluster("prod", "node-a", "10.0.0.5", 7900,
                List.of("10.0.0.5:7900", "node-b.example.com:7900", "[fd00::1]:7900"), "starling-nodes.example.com",
                BrokerConfig.Tls.keystore(Path.of("/etc/starling/node.p12"), null), List.of("node-a", "node-b", "node-c")));
        assertThat(cluster.quorum()).isEqualTo(2);
        assertThat(BrokerConfig.Cluster.seedHost("[fd00::1]:7900")).isEqualTo("fd00::1");
        assertThat(BrokerConfig.Cluster.seedPort("node-b.example.com:7900")).isEqualTo(7900);
    }

    @Test
    @DisplayName("a cluster off loopback without TLS is refused at its bind key")
    void plainOffLoopbackRefused() {
        assertThatThrownBy(() -> parse("sys_interval: 5\ncluster:\n  port: 7800\n  bind: 0.0.0.0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:4: cluster.bind: the cluster transport 0.0.0.0:7800 is not on loopback: configure"
                        + " cluster.tls (with ca_file and client_auth: required), or anyone who reaches the port can join and"
                        + " read every message");
        assertThat(BrokerConfig.defaults().withCluster(BrokerConfig.Cluster.of("0.0.0.0", 7800, List.of())).securityViolation())
                .startsWith("the cluster transport 0.0.0.0:7800 is not on loopback");
    }

    @Test
    @DisplayName("a seed without a port is refused with file, line and key")
    void badSeed() {
        assertThatThrownBy(() -> parse("cluster:\n  seeds:\n    - 127.0.0.1:7800\n    - node-b\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:4: cluster.seeds[1]: a seed is host:port, not 'node-b'");
        assertThatThrownBy(() -> parse("cluster:\n  seeds: [\"a:70000\"]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:2: cluster.seeds[0]: a seed's port is 1 to 65535, not 70000 in 'a:70000'");
        assertThatThrownBy(() -> parse("cluster:\n  seeds: 127.0.0.1:7800\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:2: cluster.seeds: must be a list of host:port, not '127.0.0.1:7800'");
    }

    @Test
    @DisplayName("an unknown cluster key, a bad port and a non-mapping are refused with file, line and key")
    void badKeys() {
        assertThatThrownBy(() -> parse("cluster:\n  port: 7800\n  seed: [a:1]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker.yaml:3: cluster.seed: unknown key 'seed'");
        assertThatThrownBy(() -> parse("cluster:\n  port: 0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:2: cluster.port: must be 1 to 65535, not 0");
        assertThatThrownBy(() -> parse("cluster: yes\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker.yaml:1: cluster: must be a mapping with port and seeds");
        assertThatThrownBy(() -> parse("cluster:\n  tls:\n    cert_file: a.pem\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker.yaml:");
    }

    @Test
    @DisplayName("members left out: the seeds as written and this node, right when every node keeps its default name")
    void membersFromSeeds() throws ConfigException {
        BrokerConfig.Cluster cluster = parse("cluster:\n  port: 7801\n  seeds: [127.0.0.1:7800, 127.0.0.1:7801, 127.0.0.1:7802]\n")
                .cluster();
        assertThat(cluster.members()).containsExactly("127.0.0.1:7800", "127.0.0.1:7801", "127.0.0.1:7802");
        assertThat(cluster.quorum()).isEqualTo(2);
        assertThat(parse("cluster:\n  port: 7800\n").cluster().members()).containsExactly("127.0.0.1:7800");
    }

    @Test
    @DisplayName("a node_name of its own with seeds needs members, which must list this node once each: file, line and key named")
    void membersChecked() {
        assertThatThrownBy(() -> parse("cluster:\n  node_name: node-a\n  seeds: [127.0.0.1:7800]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker.yaml:2: cluster.members: is required with node_name: list the node_name of every node");
        assertThatThrownBy(() -> parse("cluster:\n  node_name: node-a\n  members: [node-b, node-c]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:3: cluster.members: must list this node's own name 'node-a'");
        assertThatThrownBy(() -> parse("cluster:\n  node_name: node-a\n  members: [node-a, node-b, node-a]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:3: cluster.members: lists a node twice: [node-a, node-b, node-a]");
        assertThatThrownBy(() -> parse("cluster:\n  members: 3\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker.yaml:2: cluster.members: must be a list of node names");
    }
}
