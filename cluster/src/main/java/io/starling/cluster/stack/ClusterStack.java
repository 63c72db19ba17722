package io.starling.cluster.stack;

import io.starling.broker.config.BrokerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jgroups.protocols.raft.ELECTION2;
import org.jgroups.protocols.raft.FileBasedLog;
import org.jgroups.protocols.raft.InMemoryLog;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.REDIRECT;
import org.jspecify.annotations.Nullable;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.RSVP;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.TLS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a node's JGroups channel in code, from the {@code cluster} block alone (no XML file):
 * TCP on {@code bind:port} (TLS when configured), discovery through the seeds (TCPPING) and DNS
 * (DNS_PING), MERGE3 so that a split heals, FD_SOCK2 + FD_ALL3 + VERIFY_SUSPECT2 so that a dead
 * node leaves the view within a few seconds, reliable ordered delivery (NAKACK2, UNICAST3, STABLE),
 * membership (GMS), flow control (UFC, MFC), fragmentation (FRAG4), and RSVP so that a route
 * change can wait until every member has it.
 */
public final class ClusterStack {
    private static final Logger log = LoggerFactory.getLogger(ClusterStack.class);
    /** How long a joining node looks for a coordinator before it forms a cluster of its own. */
    static final long JOIN_TIMEOUT_MILLIS = 2_000;
    /** How long a route change waits for the members' acknowledgements at most. */
    public static final long RSVP_TIMEOUT_MILLIS = 5_000;

    private ClusterStack() {}

    /** A channel for {@code config}, named after the node; not yet connected. */
    public static JChannel channel(BrokerConfig.Cluster config) throws Exception {
        return channel(config, null);
    }

    /**
     * A channel for {@code config} whose raft log (session ownership) is kept in {@code raftDir},
     * or in memory when it is null; not yet connected.
     */
    public static JChannel channel(BrokerConfig.Cluster config, @Nullable Path raftDir) throws Exception {
        JChannel channel = new JChannel(protocols(config, raftDir).toArray(Protocol[]::new));
        channel.setName(config.nodeName());
        channel.setDiscardOwnMessages(true);
        return channel;
    }

    static List<Protocol> protocols(BrokerConfig.Cluster config, @Nullable Path raftDir) throws Exception {
        List<Protocol> stack = new ArrayList<>();
        TCP tcp = new TCP();
        tcp.setBindAddress(InetAddress.getByName(config.bind()));
        tcp.setBindPort(config.port());
        // exactly the configured port: a node that cannot have it must not start somewhere else
        tcp.setPortRange(0);
        // JGroups' TCP leaves Nagle's algorithm on: a frame written while the previous one is not yet
        // acknowledged would wait for that acknowledgement, which the peer may delay (measured in
        // docs/performance.md, "What limits fan-in")
        tcp.tcpNodelay(true);
        if (config.tls() != null) {
            TLS tls = new TLS().enabled(true).setSSLContext(ClusterTls.sslContext(config.tls()))
                    .setClientAuth(ClusterTls.clientAuth(config.tls()));
            tcp.tls(tls);
        }
        stack.add(tcp);
        if (config.dns() != null) {
            stack.add(new DNS_PING().setDNSQuery(config.dns()));
        }
        // TCPPING also when dns is set: the seeds (perhaps none) are tried as well
        stack.add(new TCPPING().setInitialHosts(seeds(config.seeds())).setPortRange(0));
        stack.add(new MERGE3().setMinInterval(2_000).setMaxInterval(5_000));
        stack.add(new FD_SOCK2());
        stack.add(new FD_ALL3().setTimeout(8_000).setInterval(2_000));
        stack.add(new VERIFY_SUSPECT2().setTimeout(1_500));
        stack.add(new NAKACK2().useMcastXmit(false));
        stack.add(new UNICAST3());
        stack.add(new STABLE());
        stack.add(new GMS().setJoinTimeout(JOIN_TIMEOUT_MILLIS).setValue("print_local_addr", false));
        stack.add(new UFC());
        stack.add(new MFC());
        stack.add(new FRAG4());
        stack.add(new RSVP().setTimeout(RSVP_TIMEOUT_MILLIS).setValue("throw_exception_on_timeout", false)
                .setValue("ack_on_delivery", true));
        // session ownership: a leader elected by a majority of the members (pre-vote, so that a
        // node cut off does not unsettle the others when it comes back), the replicated log, and
        // REDIRECT so that a claim made on any member reaches the leader
        stack.add(new ELECTION2());
        RAFT raft = new RAFT().raftId(config.nodeName()).members(config.members());
        if (raftDir != null) {
            Files.createDirectories(raftDir);
            raft.logClass(FileBasedLog.class.getName()).logDir(raftDir.toAbsolutePath().toString())
                    .logPrefix("owners-" + config.nodeName().replaceAll("[^A-Za-z0-9._-]", "_"));
        } else {
            raft.logClass(InMemoryLog.class.getName()).logPrefix("owners-" + config.nodeName());
        }
        stack.add(raft);
        stack.add(new REDIRECT());
        return stack;
    }

    private static List<InetSocketAddress> seeds(List<String> seeds) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String seed : seeds) {
            try {
                addresses.add(new InetSocketAddress(InetAddress.getByName(BrokerConfig.Cluster.seedHost(seed)),
                        BrokerConfig.Cluster.seedPort(seed)));
            } catch (UnknownHostException e) {
                // a seed not (yet) in DNS must not keep this node from starting: the others may be enough
                log.warn("cluster seed {} is not known to DNS, skipped", seed);
            }
        }
        return addresses;
    }
}
