package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.starling.broker.config.BrokerConfig.CertificateIdentity;
import io.starling.broker.config.BrokerConfig.ClientAuth;
import io.starling.broker.config.BrokerConfig.Limits;
import io.starling.broker.config.BrokerConfig.Listener;
import io.starling.broker.config.BrokerConfig.Tls;
import io.starling.broker.config.BrokerConfig.TlsEngine;
import io.starling.broker.config.BrokerConfig.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The keys of listeners (TLS, WebSocket, PROXY protocol, connection limits), the ACL file and the limits. */
class SecurityConfigLoaderTest {
    private static final Path BASE = Path.of("/etc/starling");

    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "broker.yaml", BASE);
    }

    private static void assertRefused(String yaml, int line, String key, String problem) {
        try {
            fail("expected a ConfigException, but loaded " + parse(yaml));
        } catch (ConfigException e) {
            assertThat(e).hasMessage("broker.yaml:" + line + ": " + key + ": " + problem);
        }
    }

    @Test
    void everyListenerAndTlsKeyIsRead() throws ConfigException {
        BrokerConfig config = parse("""
                password_file: passwd
                listeners:
                  - bind: 0.0.0.0
                    port: 8883
                    proxy_protocol: true
                    max_connections: 1000
                    max_connection_rate: 50
                    tls:
                      cert_file: server.pem
                      key_file: /keys/server.key
                      ca_file: ca.pem
                      client_auth: required
                      protocols: [TLSv1.3]
                      ciphers: [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384]
                      use_identity_as_username: true
                      identity: san_uri
                      crl_file: revoked.crl
                      engine: jdk
                  - bind: 0.0.0.0
                    transport: websocket
                    path: /ws
                    tls:
                      keystore: server.p12
                      keystore_password: secret
                """);

        Tls mtls = new Tls(Path.of("/etc/starling/server.pem"), Path.of("/keys/server.key"), null, null,
                Path.of("/etc/starling/ca.pem"), ClientAuth.REQUIRED, List.of("TLSv1.3"),
                List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"), CertificateIdentity.SAN_URI,
                Path.of("/etc/starling/revoked.crl"), TlsEngine.JDK);
        assertThat(config.listeners()).containsExactly(
                new Listener("0.0.0.0", 8883, Transport.TCP, "/mqtt", mtls, true, 1000, 50),
                new Listener("0.0.0.0", 8084, Transport.WEBSOCKET, "/ws",
                        Tls.keystore(Path.of("/etc/starling/server.p12"), "secret"), false, 0, 0));
    }

    @Test
    void portsDefaultByTransportAndTls() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - {}
                  - tls: {cert_file: c.pem, key_file: k.pem}
                  - transport: websocket
                  - transport: websocket
                    tls: {cert_file: c.pem, key_file: k.pem}
                """);

        assertThat(config.listeners()).extracting(Listener::port).containsExactly(1883, 8883, 8083, 8084);
        assertThat(config.listeners()).extracting(Listener::scheme).containsExactly("mqtt", "mqtts", "ws", "wss");
        assertThat(config.listeners().get(1).tls()).isEqualTo(Tls.pem(Path.of("/etc/starling/c.pem"), Path.of("/etc/starling/k.pem")));
    }

    @Test
    void aclFileAndLimitsAreRead() throws ConfigException {
        BrokerConfig config = parse("""
                acl_file: acl
                max_connections: 10000
                max_topic_levels: 16
                max_topic_length: 1024
                max_subscriptions_per_client: 100
                max_inbound_message_rate: 500
                max_inbound_byte_rate: 1MiB
                max_inflight_bytes: 64KiB
                max_queued_bytes: 10MiB
                stuck_client_timeout: 2m
                """);

        assertThat(config.aclFile()).isEqualTo(Path.of("/etc/starling/acl"));
        assertThat(config.limits()).isEqualTo(new Limits(10000, 16, 1024, 100, 500, 1 << 20, 64 << 10, 10 << 20, Duration.ofMinutes(2)));
        assertThat(parse("stuck_client_timeout: never\n").limits().stuckClientTimeout()).isNull();
        assertThat(parse("").limits()).isEqualTo(Limits.defaults());
    }

    @Test
    void tlsMistakesAreRefusedWithLineAndKey() {
        assertRefused("listeners:\n  - tls: {}\n", 2, "listeners[0].tls", "needs cert_file and key_file (PEM), or keystore (PKCS#12)");
        assertRefused("listeners:\n  - tls:\n      cert_file: c.pem\n", 3, "listeners[0].tls", "cert_file needs key_file");
        assertRefused("listeners:\n  - tls:\n      cert_file: c.pem\n      key_file: k.pem\n      keystore: s.p12\n", 3,
                "listeners[0].tls", "give cert_file and key_file, or keystore, not both");
        assertRefused("listeners:\n  - tls:\n      keystore: s.p12\n      client_auth: required\n", 4,
                "listeners[0].tls.client_auth", "needs ca_file: the certificates that client certificates must chain to");
        assertRefused("listeners:\n  - tls:\n      keystore: s.p12\n      client_auth: sometimes\n", 4,
                "listeners[0].tls.client_auth", "must be none, optional or required, not 'sometimes'");
        assertRefused("listeners:\n  - tls:\n      keystore: s.p12\n      use_identity_as_username: true\n", 4,
                "listeners[0].tls.use_identity_as_username", "needs client_auth: optional or required, so that clients send certificates");
        assertRefused("listeners:\n  - tls:\n      keystore: s.p12\n      protocols: [SSLv3]\n", 3,
                "listeners[0].tls.protocols", "names TLSv1.2 and TLSv1.3 (or older TLSv1, TLSv1.1), not 'SSLv3'");
        assertRefused("listeners:\n  - tls:\n      keystore: s.p12\n      crl_file: r.crl\n", 4, "listeners[0].tls.crl_file", "needs ca_file");
        assertRefused("listeners:\n  - tls:\n      keystore: s.p12\n      certfile: c.pem\n", 4,
                "listeners[0].tls.certfile", "unknown key 'certfile'; did you mean 'cert_file'?");
        assertRefused("listeners:\n  - tls:\n      keystore: s.p12\n      port: 1\n", 4,
                "listeners[0].tls.port", "unknown key 'port'; it is a listener key, not a tls key");
    }

    @Test
    void listenerMistakesAreRefusedWithLineAndKey() {
        assertRefused("listeners:\n  - transport: quic\n", 2, "listeners[0].transport", "must be tcp or websocket, not 'quic'");
        assertRefused("listeners:\n  - path: /mqtt\n", 2, "listeners[0].path",
                "is for WebSocket listeners: add transport: websocket, or leave path out");
        assertRefused("listeners:\n  - transport: websocket\n    path: mqtt\n", 3, "listeners[0].path",
                "must start with '/', as in /mqtt, not 'mqtt'");
        assertRefused("listeners:\n  - max_connections: -1\n", 2, "listeners[0].max_connections", "must be 0 or more, not -1");
        assertRefused("listeners:\n  - port: 1884\n  - port: 1884\n    transport: websocket\n", 3, "listeners[1]",
                "listens on 127.0.0.1:1884 like listeners[0] already does");
        assertRefused("max_topic_levels: 0\n", 1, "max_topic_levels", "must be 1 or more, not 0");
        assertRefused("max_topic_length: 70000\n", 1, "max_topic_length", "must be 1 to 65535, not 70000");
        assertRefused("stuck_client_timeout: 0\n", 1, "stuck_client_timeout", "must be a positive duration or 'never', not 0");
    }

    @Test
    void requiredClientCertificatesMakeAPublicListenerSafeWithoutAPasswordFile() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - bind: 0.0.0.0
                    tls: {cert_file: c.pem, key_file: k.pem, ca_file: ca.pem, client_auth: required}
                """);
        assertThat(config.securityViolation()).isNull();
        assertRefused("listeners:\n  - bind: 0.0.0.0\n    tls: {cert_file: c.pem, key_file: k.pem, ca_file: ca.pem, client_auth: optional}\n",
                2, "listeners[0].bind", "listener 0.0.0.0:8883 is not on loopback: configure password_file or required client"
                        + " certificates, or set allow_anonymous: true to let anyone connect");
    }
}
