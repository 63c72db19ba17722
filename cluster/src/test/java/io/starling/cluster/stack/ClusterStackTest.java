package io.starling.cluster.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import java.util.List;
import org.jgroups.JChannel;
import org.jgroups.protocols.TCP;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClusterStackTest {
    @Test
    @DisplayName("the nodes' TCP connections send each frame at once (Nagle's algorithm off), the configured port only")
    void tcpWithoutNagle() throws Exception {
        // never connected: the port is not bound
        BrokerConfig.Cluster config = BrokerConfig.Cluster.of("127.0.0.1", 7800, List.of());
        try (JChannel channel = ClusterStack.channel(config)) {
            TCP tcp = channel.getProtocolStack().findProtocol(TCP.class);
            assertThat(tcp.tcpNodelay()).isTrue();
            assertThat(tcp.getPortRange()).isZero();
        }
    }
}
