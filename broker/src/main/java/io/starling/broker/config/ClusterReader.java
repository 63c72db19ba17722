package io.starling.broker.config;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** Reads the {@code cluster} block of a configuration: the cluster's name, this node's name and address, seeds and TLS. */
final class ClusterReader {
    static final List<String> CLUSTER_KEYS = List.of("name", "node_name", "bind", "port", "seeds", "dns", "tls", "members", "replication_factor");

    private final YamlValues yaml;
    private final ListenerReader listeners;
    private final List<String> topLevelKeys;

    ClusterReader(YamlValues yaml, ListenerReader listeners, List<String> topLevelKeys) {
        this.yaml = yaml;
        this.listeners = listeners;
        this.topLevelKeys = topLevelKeys;
    }

    BrokerConfig.Cluster cluster(Node value, String key) throws ConfigException {
        yaml.requireNotEmpty(value, key, "a mapping with port and seeds");
        if (!(value instanceof MappingNode mapping)) {
            throw yaml.error(value, key, "must be a mapping with port and seeds, not " + YamlValues.describe(value));
        }
        String name = BrokerConfig.Cluster.DEFAULT_NAME;
        @Nullable String nodeName = null;
        String bind = BrokerConfig.DEFAULT_BIND;
        int port = BrokerConfig.Cluster.DEFAULT_PORT;
        List<String> seeds = List.of();
        @Nullable String dns = null;
        BrokerConfig.@Nullable Tls tls = null;
        List<String> members = List.of();
        @Nullable Node membersNode = null;
        int replicationFactor = BrokerConfig.Cluster.DEFAULT_REPLICATION_FACTOR;
        Node bindNode = mapping;
        for (NodeTuple entry : yaml.entries(mapping, key, CLUSTER_KEYS, topLevelKeys, "it is a top-level key, not a cluster key")) {
            String entryName = ((ScalarNode) entry.getKeyNode()).getValue();
            String entryKey = key + "." + entryName;
            Node entryValue = entry.getValueNode();
            switch (entryName) {
                case "name" -> name = yaml.text(entryValue, entryKey, "the cluster's name");
                case "node_name" -> nodeName = yaml.text(entryValue, entryKey, "this node's name, unique in the cluster");
                case "bind" -> {
                    bind = yaml.text(entryValue, entryKey, "a host name or IP address");
                    bindNode = entry.getKeyNode();
                }
                case "port" -> port = yaml.integer(entryValue, entryKey, 1, 65535);
                case "seeds" -> seeds = seeds(entryValue, entryKey);
                case "dns" -> dns = yaml.text(entryValue, entryKey, "a DNS name listing the nodes");
                case "tls" -> tls = listeners.tls(entryValue, entryKey);
                case "replication_factor" -> replicationFactor = yaml.integer(entryValue, entryKey, 1, 16);
                case "members" -> {
                    members = names(entryValue, entryKey);
                    membersNode = entryValue;
                }
                default -> throw new IllegalStateException("entries() let an unknown key through: " + entryName);
            }
        }
        String node = nodeName != null ? nodeName : bind + ":" + port;
        if (members.isEmpty() && nodeName != null && (!seeds.isEmpty() || dns != null)) {
            // the seeds name addresses, not nodes: with names of their own, the nodes must be listed
            throw yaml.error(mapping, key + ".members", "is required with node_name: list the node_name of every node of the"
                    + " cluster (session ownership is decided by a majority of them), e.g. members: [node-a, node-b, node-c]");
        }
        if (!members.isEmpty() && !members.contains(node)) {
            throw yaml.error(membersNode != null ? membersNode : mapping, key + ".members", "must list this node's own name '" + node + "'");
        }
        if (new java.util.HashSet<>(members).size() != members.size()) {
            throw yaml.error(membersNode != null ? membersNode : mapping, key + ".members", "lists a node twice: " + members);
        }
        BrokerConfig.Cluster cluster = new BrokerConfig.Cluster(name, node, bind, port, seeds, dns, tls, members, replicationFactor);
        String violation = cluster.securityViolation();
        if (violation != null) {
            throw yaml.error(bindNode, key + ".bind", violation);
        }
        return cluster;
    }

    private List<String> seeds(Node value, String key) throws ConfigException {
        yaml.requireNotEmpty(value, key, "a list of host:port");
        if (!(value instanceof SequenceNode list)) {
            throw yaml.error(value, key, "must be a list of host:port, not " + YamlValues.describe(value));
        }
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String itemKey = key + "[" + i + "]";
            String seed = yaml.text(item, itemKey, "host:port");
            try {
                BrokerConfig.Cluster.seedPort(seed);
            } catch (IllegalArgumentException e) {
                throw yaml.error(item, itemKey, String.valueOf(e.getMessage()));
            }
            seeds.add(seed);
        }
        return seeds;
    }

    private List<String> names(Node value, String key) throws ConfigException {
        yaml.requireNotEmpty(value, key, "a list of node names");
        if (!(value instanceof SequenceNode list)) {
            throw yaml.error(value, key, "must be a list of node names, not " + YamlValues.describe(value));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            names.add(yaml.text(list.getValue().get(i), key + "[" + i + "]", "a node name"));
        }
        return names;
    }
}
