package io.starling.broker.config;


import io.starling.codec.packet.QoS;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a broker configuration from a YAML file. Every key is optional and starts from
 * {@link BrokerConfig#defaults()}; anything unknown, mistyped, duplicated or out of range is refused
 * with the file, line and key ({@link ConfigException}), never guessed at or clamped. Loading returns
 * a complete, valid configuration or throws: the broker never starts half-configured.
 *
 * <p>Works on SnakeYAML's node tree rather than on loaded Java objects, because only the nodes
 * remember the line each key and value came from.
 */
public final class ConfigLoader {

    private static final List<String> TOP_LEVEL_KEYS = List.of("listeners", "allow_anonymous", "password_file", "acl_file",
            "max_packet_size", "max_inflight_messages", "max_queued_messages", "max_pending_qos0_messages",
            "queue_qos0_offline", "session_expiry", "persistence", "data_dir", "fsync", "max_retained_messages",
            "max_retained_bytes", "server_reference", "server_moved", "max_keepalive", "receive_maximum", "maximum_qos",
            "retain_available", "topic_alias_maximum", "response_information", "max_connections", "max_topic_levels",
            "max_topic_length", "max_subscriptions_per_client", "max_inbound_message_rate", "max_inbound_byte_rate",
            "max_inflight_bytes", "max_queued_bytes", "stuck_client_timeout", "sys_interval", "http", "cluster");

    private final YamlValues yaml;

    private ConfigLoader(String file, Path baseDir) {
        this.yaml = new YamlValues(file, baseDir);
    }

    /**
     * Reads {@code file} (UTF-8 YAML). A relative {@code password_file} is resolved against the
     * directory {@code file} is in; the password file itself is not read here.
     *
     * @throws ConfigException if the file cannot be read, is not YAML, or describes a configuration
     *     that is invalid or unsafe; its message is {@code FILE:LINE: KEY: problem}
     */
    public static BrokerConfig load(Path file) throws ConfigException {
        String name = file.toString();
        String yaml;
        if (Files.isDirectory(file)) {
            throw new ConfigException(name, "cannot read the configuration file: it is a directory", null);
        }
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, "cannot read the configuration file: it does not exist", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(name, "cannot read the configuration file: permission denied", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException(name, "cannot read the configuration file: it is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(name, "cannot read the configuration file: " + e.getMessage(), e);
        }
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        return parse(yaml, name, directory != null ? directory : absolute);
    }

    /** Parses {@code yaml} as if read from {@code fileName}, resolving a relative password file against {@code baseDir}. */
    static BrokerConfig parse(String yaml, String fileName, Path baseDir) throws ConfigException {
        return new ConfigLoader(fileName, baseDir).read(yaml);
    }

    private BrokerConfig read(String text) throws ConfigException {
        Optional<Node> document = yaml.compose(text);
        // An empty file, one of only comments, and a bare "---" all mean "the defaults".
        if (document.isEmpty() || document.get().getTag().equals(Tag.NULL)) {
            return BrokerConfig.defaults();
        }
        if (!(document.get() instanceof MappingNode root)) {
            throw yaml.error(document.get(), null, "the file must be a mapping of keys such as listeners and"
                    + " max_packet_size, not " + YamlValues.describe(document.get()));
        }
        BrokerConfig defaults = BrokerConfig.defaults();
        List<ListenerReader.Source> listeners = List.of();
        Boolean allowAnonymous = defaults.allowAnonymous();
        Path passwordFile = defaults.passwordFile();
        Path aclFile = defaults.aclFile();
        int maxPacketSize = defaults.maxPacketSize();
        int maxInflight = defaults.maxInflightMessages();
        int maxQueued = defaults.maxQueuedMessages();
        int maxPendingQos0 = defaults.maxPendingQos0Messages();
        boolean queueQos0Offline = defaults.queueQos0Offline();
        Duration sessionExpiry = defaults.sessionExpiry();
        BrokerConfig.Storage storage = defaults.storage();
        boolean persistence = storage.persistence();
        Path dataDir = storage.dataDir();
        FsyncMode fsync = storage.fsync();
        int maxRetainedMessages = storage.maxRetainedMessages();
        long maxRetainedBytes = storage.maxRetainedBytes();
        String serverReference = null;
        Node serverMovedNode = null;
        boolean serverMoved = false;
        BrokerConfig.Mqtt5 mqtt5 = defaults.mqtt5();
        int maxKeepAlive = mqtt5.maxKeepAlive();
        int receiveMaximum = mqtt5.receiveMaximum();
        QoS maximumQos = mqtt5.maximumQos();
        boolean retainAvailable = mqtt5.retainAvailable();
        int topicAliasMaximum = mqtt5.topicAliasMaximum();
        String responseInformation = mqtt5.responseInformation();
        BrokerConfig.Limits limits = defaults.limits();
        int maxConnections = limits.maxConnections();
        int maxTopicLevels = limits.maxTopicLevels();
        int maxTopicLength = limits.maxTopicLength();
        int maxSubscriptions = limits.maxSubscriptionsPerClient();
        int maxInboundMessageRate = limits.maxInboundMessageRate();
        long maxInboundByteRate = limits.maxInboundByteRate();
        long maxInflightBytes = limits.maxInflightBytes();
        long maxQueuedBytes = limits.maxQueuedBytes();
        Duration stuckClientTimeout = limits.stuckClientTimeout();
        int sysInterval = defaults.sysInterval();
        BrokerConfig.Http http = defaults.http();
        BrokerConfig.Cluster cluster = defaults.cluster();
        for (NodeTuple entry : yaml.entries(root, null, TOP_LEVEL_KEYS, ListenerReader.LISTENER_KEYS,
                "it belongs in a listener, under listeners")) {
            String key = ((ScalarNode) entry.getKeyNode()).getValue();
            Node value = entry.getValueNode();
            switch (key) {
                case "listeners" -> listeners = new ListenerReader(yaml, TOP_LEVEL_KEYS).listeners(value, key);
                case "allow_anonymous" -> allowAnonymous = yaml.bool(value, key);
                case "password_file" -> passwordFile = yaml.path(value, key);
                case "acl_file" -> aclFile = yaml.path(value, key);
                case "max_packet_size" -> maxPacketSize = (int) yaml.size(value, key, 2, BrokerConfig.MAX_PACKET_SIZE_LIMIT);
                case "max_inflight_messages" -> maxInflight = yaml.integer(value, key, 1, 65535);
                case "max_queued_messages" -> maxQueued = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "max_pending_qos0_messages" -> maxPendingQos0 = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "queue_qos0_offline" -> queueQos0Offline = yaml.bool(value, key);
                case "session_expiry" -> sessionExpiry = yaml.duration(value, key);
                case "persistence" -> persistence = yaml.bool(value, key);
                case "data_dir" -> dataDir = yaml.path(value, key);
                case "fsync" -> fsync = yaml.fsync(value, key);
                case "max_retained_messages" -> maxRetainedMessages = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "max_retained_bytes" -> maxRetainedBytes = yaml.size(value, key, 0, Long.MAX_VALUE);
                case "server_reference" -> serverReference = yaml.serverReference(value, key);
                case "server_moved" -> {
                    serverMoved = yaml.bool(value, key);
                    serverMovedNode = value;
                }
                case "max_keepalive" -> maxKeepAlive = yaml.integer(value, key, 1, 65535);
                case "receive_maximum" -> receiveMaximum = yaml.integer(value, key, 1, 65535);
                case "maximum_qos" -> maximumQos = QoS.of(yaml.integer(value, key, 0, 2));
                case "retain_available" -> retainAvailable = yaml.bool(value, key);
                case "topic_alias_maximum" -> topicAliasMaximum = yaml.integer(value, key, 0, 65535);
                case "response_information" -> responseInformation = yaml.mqttString(value, key);
                case "max_connections" -> maxConnections = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "max_topic_levels" -> maxTopicLevels = yaml.integer(value, key, 1, Integer.MAX_VALUE);
                case "max_topic_length" -> maxTopicLength = yaml.integer(value, key, 1, 65535);
                case "max_subscriptions_per_client" -> maxSubscriptions = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "max_inbound_message_rate" -> maxInboundMessageRate = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "max_inbound_byte_rate" -> maxInboundByteRate = yaml.size(value, key, 0, Long.MAX_VALUE);
                case "max_inflight_bytes" -> maxInflightBytes = yaml.size(value, key, 0, Long.MAX_VALUE);
                case "max_queued_bytes" -> maxQueuedBytes = yaml.size(value, key, 0, Long.MAX_VALUE);
                case "stuck_client_timeout" -> stuckClientTimeout = yaml.duration(value, key);
                case "sys_interval" -> sysInterval = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "http" -> http = new HttpReader(yaml, new ListenerReader(yaml, TOP_LEVEL_KEYS), TOP_LEVEL_KEYS).http(value, key);
                case "cluster" -> cluster = new ClusterReader(yaml, new ListenerReader(yaml, TOP_LEVEL_KEYS), TOP_LEVEL_KEYS)
                        .cluster(value, key);
                default -> throw new IllegalStateException("entries() let an unknown key through: " + key);
            }
        }
        if (serverMovedNode != null && serverReference == null) {
            throw yaml.error(serverMovedNode, "server_moved", "needs server_reference: it says whether clients are sent there for good");
        }
        BrokerConfig.Redirect redirect = serverReference == null ? null : new BrokerConfig.Redirect(serverReference, serverMoved);
        BrokerConfig config;
        try {
            config = new BrokerConfig(
                    listeners.isEmpty() ? defaults.listeners() : listeners.stream().map(ListenerReader.Source::listener).toList(),
                    allowAnonymous, passwordFile, maxPacketSize, maxInflight, maxQueued, maxPendingQos0,
                    queueQos0Offline, sessionExpiry,
                    new BrokerConfig.Storage(persistence, dataDir, fsync, maxRetainedMessages, maxRetainedBytes), redirect,
                    new BrokerConfig.Mqtt5(maxKeepAlive, receiveMaximum, maximumQos, retainAvailable, topicAliasMaximum,
                            responseInformation),
                    aclFile,
                    new BrokerConfig.Limits(maxConnections, maxTopicLevels, maxTopicLength, maxSubscriptions,
                            maxInboundMessageRate, maxInboundByteRate, maxInflightBytes, maxQueuedBytes, stuckClientTimeout),
                    sysInterval, http, cluster);
        } catch (IllegalArgumentException e) {
            // Unreachable while the checks here are at least as strict as BrokerConfig's own.
            throw new ConfigException(yaml.file(), String.valueOf(e.getMessage()), e);
        }
        String violation = config.securityViolation();
        if (violation != null) {
            for (ListenerReader.Source source : listeners) {
                if (!source.listener().isLoopback()) {
                    throw yaml.error(source.bindNode(), source.bindKey(), violation);
                }
            }
            throw new ConfigException(yaml.file(), violation, null);
        }
        return config;
    }
}
