package io.starling.broker.config;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads the {@code http} block of a configuration: the HTTP listener's address, TLS and credentials. */
final class HttpReader {
    static final List<String> HTTP_KEYS = List.of("bind", "port", "tls", "password_file", "token_file", "allow_anonymous");

    private final YamlValues yaml;
    private final ListenerReader listeners;
    private final List<String> topLevelKeys;

    HttpReader(YamlValues yaml, ListenerReader listeners, List<String> topLevelKeys) {
        this.yaml = yaml;
        this.listeners = listeners;
        this.topLevelKeys = topLevelKeys;
    }

    BrokerConfig.Http http(Node value, String key) throws ConfigException {
        yaml.requireNotEmpty(value, key, "a mapping with bind and port");
        if (!(value instanceof MappingNode mapping)) {
            throw yaml.error(value, key, "must be a mapping with bind and port, not " + YamlValues.describe(value));
        }
        String bind = BrokerConfig.DEFAULT_BIND;
        int port = BrokerConfig.Http.DEFAULT_PORT;
        BrokerConfig.@Nullable Tls tls = null;
        @Nullable Path passwordFile = null;
        @Nullable Path tokenFile = null;
        @Nullable Boolean allowAnonymous = null;
        Node bindNode = mapping;
        for (NodeTuple entry : yaml.entries(mapping, key, HTTP_KEYS, topLevelKeys, "it is a top-level key, not an http key")) {
            String name = ((ScalarNode) entry.getKeyNode()).getValue();
            String entryKey = key + "." + name;
            Node entryValue = entry.getValueNode();
            switch (name) {
                case "bind" -> {
                    bind = yaml.text(entryValue, entryKey, "a host name or IP address");
                    bindNode = entry.getKeyNode();
                }
                case "port" -> port = yaml.integer(entryValue, entryKey, 0, 65535);
                case "tls" -> tls = listeners.tls(entryValue, entryKey);
                case "password_file" -> passwordFile = yaml.path(entryValue, entryKey);
                case "token_file" -> tokenFile = yaml.path(entryValue, entryKey);
                case "allow_anonymous" -> allowAnonymous = yaml.bool(entryValue, entryKey);
                default -> throw new IllegalStateException("entries() let an unknown key through: " + name);
            }
        }
        BrokerConfig.Http http = new BrokerConfig.Http(bind, port, tls, passwordFile, tokenFile, allowAnonymous);
        String violation = http.securityViolation();
        if (violation != null) {
            throw yaml.error(bindNode, key + ".bind", violation);
        }
        return http;
    }
}
