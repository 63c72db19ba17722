package io.starling.broker.config;

import io.starling.broker.config.BrokerConfig.CertificateIdentity;
import io.starling.broker.config.BrokerConfig.ClientAuth;
import io.starling.broker.config.BrokerConfig.Listener;
import io.starling.broker.config.BrokerConfig.TlsEngine;
import io.starling.broker.config.BrokerConfig.Transport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the {@code listeners} list of a configuration: each listener's address, transport,
 * PROXY protocol and connection limits, and its {@code tls} block.
 */
final class ListenerReader {
    static final List<String> LISTENER_KEYS = List.of("bind", "port", "transport", "path", "proxy_protocol",
            "max_connections", "max_connection_rate", "tls");
    static final List<String> TLS_KEYS = List.of("cert_file", "key_file", "keystore", "keystore_password", "ca_file",
            "client_auth", "protocols", "ciphers", "use_identity_as_username", "identity", "crl_file", "engine");
    /** The usual ports: MQTT 1883, MQTT over TLS 8883 (both IANA's), WebSocket 8083 and 8084 with TLS (as EMQX). */
    static final int DEFAULT_TLS_PORT = 8883;
    static final int DEFAULT_WEBSOCKET_PORT = 8083;
    static final int DEFAULT_SECURE_WEBSOCKET_PORT = 8084;

    /** A listener and where it was written, to point at its bind key if it turns out unsafe. */
    record Source(Listener listener, String bindKey, Node bindNode) {}

    private final YamlValues yaml;
    private final List<String> topLevelKeys;

    ListenerReader(YamlValues yaml, List<String> topLevelKeys) {
        this.yaml = yaml;
        this.topLevelKeys = topLevelKeys;
    }

    List<Source> listeners(Node value, String key) throws ConfigException {
        yaml.requireNotEmpty(value, key, "a list of listeners");
        if (!(value instanceof SequenceNode list)) {
            throw yaml.error(value, key, "must be a list of listeners, not " + YamlValues.describe(value));
        }
        if (list.getValue().isEmpty()) {
            throw yaml.error(value, key, "must list at least one listener");
        }
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String itemKey = key + "[" + i + "]";
            if (!(item instanceof MappingNode mapping)) {
                throw yaml.error(item, itemKey, "must be a mapping with bind and port, not " + YamlValues.describe(item));
            }
            Source source = listener(mapping, itemKey);
            Listener listener = source.listener();
            for (int earlier = 0; earlier < sources.size(); earlier++) {
                Listener other = sources.get(earlier).listener();
                // Two listeners on the same address would fail at bind time; port 0 picks a fresh port each time.
                if (listener.port() != 0 && other.port() == listener.port() && other.bind().equals(listener.bind())) {
                    throw yaml.error(item, itemKey, "listens on " + listener.bind() + ":" + listener.port()
                            + " like listeners[" + earlier + "] already does");
                }
            }
            sources.add(source);
        }
        return sources;
    }

    private Source listener(MappingNode mapping, String itemKey) throws ConfigException {
        String bind = BrokerConfig.DEFAULT_BIND;
        Integer port = null;
        Transport transport = Transport.TCP;
        String path = Listener.DEFAULT_WEBSOCKET_PATH;
        Node pathNode = null;
        boolean proxyProtocol = false;
        int maxConnections = 0;
        int maxConnectionRate = 0;
        BrokerConfig.Tls tls = null;
        String bindKey = itemKey;
        Node bindNode = mapping;
        for (NodeTuple entry : yaml.entries(mapping, itemKey, LISTENER_KEYS, topLevelKeys, "it is a top-level key, not a listener key")) {
            String name = ((ScalarNode) entry.getKeyNode()).getValue();
            String key = itemKey + "." + name;
            Node value = entry.getValueNode();
            switch (name) {
                case "bind" -> {
                    bind = yaml.text(value, key, "a host name or IP address");
                    bindKey = key;
                    bindNode = entry.getKeyNode();
                }
                case "port" -> port = yaml.integer(value, key, 0, 65535);
                case "transport" -> transport = choice(value, key, Transport.class, "tcp or websocket");
                case "path" -> {
                    path = yaml.text(value, key, "an HTTP path such as /mqtt");
                    pathNode = value;
                    if (!path.startsWith("/")) {
                        throw yaml.error(value, key, "must start with '/', as in /mqtt, not " + YamlValues.describe(value));
                    }
                }
                case "proxy_protocol" -> proxyProtocol = yaml.bool(value, key);
                case "max_connections" -> maxConnections = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "max_connection_rate" -> maxConnectionRate = yaml.integer(value, key, 0, Integer.MAX_VALUE);
                case "tls" -> tls = tls(value, key);
                default -> throw new IllegalStateException("entries() let an unknown key through: " + name);
            }
        }
        if (pathNode != null && transport != Transport.WEBSOCKET) {
            throw yaml.error(pathNode, itemKey + ".path", "is for WebSocket listeners: add transport: websocket, or leave path out");
        }
        int chosenPort = port != null ? port : defaultPort(transport, tls != null);
        Listener listener = new Listener(bind, chosenPort, transport, path, tls, proxyProtocol, maxConnections, maxConnectionRate);
        return new Source(listener, bindKey, bindNode);
    }

    private static int defaultPort(Transport transport, boolean tls) {
        if (transport == Transport.WEBSOCKET) {
            return tls ? DEFAULT_SECURE_WEBSOCKET_PORT : DEFAULT_WEBSOCKET_PORT;
        }
        return tls ? DEFAULT_TLS_PORT : BrokerConfig.DEFAULT_PORT;
    }

    BrokerConfig.Tls tls(Node value, String key) throws ConfigException {
        yaml.requireNotEmpty(value, key, "a mapping with cert_file and key_file, or keystore");
        if (!(value instanceof MappingNode mapping)) {
            throw yaml.error(value, key, "must be a mapping with cert_file and key_file, or keystore, not " + YamlValues.describe(value));
        }
        Path certFile = null;
        Path keyFile = null;
        Path keystore = null;
        String keystorePassword = null;
        Path caFile = null;
        ClientAuth clientAuth = ClientAuth.NONE;
        Node clientAuthNode = null;
        List<String> protocols = BrokerConfig.Tls.DEFAULT_PROTOCOLS;
        List<String> ciphers = List.of();
        boolean identityAsUsername = false;
        Node identityAsUsernameNode = null;
        CertificateIdentity identity = CertificateIdentity.CN;
        Node identityNode = null;
        Path crlFile = null;
        Node crlNode = null;
        TlsEngine engine = TlsEngine.AUTO;
        Node keystorePasswordNode = null;
        for (NodeTuple entry : yaml.entries(mapping, key, TLS_KEYS, LISTENER_KEYS, "it is a listener key, not a tls key")) {
            String name = ((ScalarNode) entry.getKeyNode()).getValue();
            String path = key + "." + name;
            Node v = entry.getValueNode();
            switch (name) {
                case "cert_file" -> certFile = yaml.path(v, path);
                case "key_file" -> keyFile = yaml.path(v, path);
                case "keystore" -> keystore = yaml.path(v, path);
                case "keystore_password" -> {
                    keystorePassword = yaml.text(v, path, "the keystore's password");
                    keystorePasswordNode = v;
                }
                case "ca_file" -> caFile = yaml.path(v, path);
                case "client_auth" -> {
                    clientAuth = choice(v, path, ClientAuth.class, "none, optional or required");
                    clientAuthNode = v;
                }
                case "protocols" -> protocols = words(v, path, "TLS versions such as [TLSv1.3, TLSv1.2]");
                case "ciphers" -> ciphers = words(v, path, "cipher suite names");
                case "use_identity_as_username" -> {
                    identityAsUsername = yaml.bool(v, path);
                    identityAsUsernameNode = v;
                }
                case "identity" -> {
                    identity = choice(v, path, CertificateIdentity.class, "cn, san_dns, san_email or san_uri");
                    identityNode = v;
                }
                case "crl_file" -> {
                    crlFile = yaml.path(v, path);
                    crlNode = v;
                }
                case "engine" -> engine = choice(v, path, TlsEngine.class, "auto, openssl or jdk");
                default -> throw new IllegalStateException("entries() let an unknown key through: " + name);
            }
        }
        for (String protocol : protocols) {
            if (!protocol.matches("TLSv1(\\.[0-3])?")) {
                throw yaml.error(value, key + ".protocols", "names TLSv1.2 and TLSv1.3 (or older TLSv1, TLSv1.1), not '" + protocol + "'");
            }
        }
        if (certFile == null && keyFile == null && keystore == null) {
            throw yaml.error(value, key, "needs cert_file and key_file (PEM), or keystore (PKCS#12)");
        }
        if (keystore != null && (certFile != null || keyFile != null)) {
            throw yaml.error(value, key, "give cert_file and key_file, or keystore, not both");
        }
        if (keystore == null && (certFile == null || keyFile == null)) {
            throw yaml.error(value, key, certFile == null ? "key_file needs cert_file" : "cert_file needs key_file");
        }
        if (keystorePasswordNode != null && keystore == null) {
            throw yaml.error(keystorePasswordNode, key + ".keystore_password", "needs keystore");
        }
        if (clientAuth != ClientAuth.NONE && caFile == null) {
            throw yaml.error(clientAuthNode == null ? value : clientAuthNode, key + ".client_auth",
                    "needs ca_file: the certificates that client certificates must chain to");
        }
        if (identityAsUsername && clientAuth == ClientAuth.NONE) {
            throw yaml.error(identityAsUsernameNode == null ? value : identityAsUsernameNode, key + ".use_identity_as_username",
                    "needs client_auth: optional or required, so that clients send certificates");
        }
        if (identityNode != null && !identityAsUsername) {
            throw yaml.error(identityNode, key + ".identity", "is the part of the certificate use_identity_as_username takes: set that too");
        }
        if (crlNode != null && caFile == null) {
            throw yaml.error(crlNode, key + ".crl_file", "needs ca_file");
        }
        return new BrokerConfig.Tls(certFile, keyFile, keystore, keystorePassword, caFile, clientAuth, protocols, ciphers,
                identityAsUsername ? identity : null, crlFile, engine);
    }

    /** One word, or a list of words (a single one may be written without brackets). */
    private List<String> words(Node value, String key, String expected) throws ConfigException {
        yaml.requireNotEmpty(value, key, expected);
        if (value instanceof ScalarNode) {
            return List.of(yaml.text(value, key, expected));
        }
        if (!(value instanceof SequenceNode list) || list.getValue().isEmpty()) {
            throw yaml.error(value, key, "must list " + expected + ", not " + YamlValues.describe(value));
        }
        List<String> words = new ArrayList<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            words.add(yaml.text(list.getValue().get(i), key + "[" + i + "]", expected));
        }
        return words;
    }

    /** A lowercase name of one of {@code type}'s constants. */
    private <E extends Enum<E>> E choice(Node value, String key, Class<E> type, String expected) throws ConfigException {
        String text = yaml.text(value, key, expected);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().toLowerCase(Locale.ROOT).equals(text)) {
                return constant;
            }
        }
        throw yaml.error(value, key, "must be " + expected + ", not " + YamlValues.describe(value));
    }
}
