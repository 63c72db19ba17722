package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HttpConfigTest {
    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "broker.yaml", Path.of("/etc/starling"));
    }

    @Test
    @DisplayName("no http block: no HTTP listener")
    void offByDefault() throws ConfigException {
        assertThat(parse("max_queued_messages: 5\n").http()).isNull();
        assertThat(BrokerConfig.defaults().http()).isNull();
    }

    @Test
    @DisplayName("an empty-keyed http block listens on 127.0.0.1:8080, open there without credentials")
    void defaults() throws ConfigException {
        BrokerConfig.Http http = parse("http:\n  port: 8080\n").http();
        assertThat(http).isEqualTo(new BrokerConfig.Http("127.0.0.1", 8080, null, null, null, null));
        assertThat(http.anonymousAllowed()).isTrue();
        assertThat(parse("http:\n  bind: 127.0.0.1\n").http().port()).isEqualTo(8080);
    }

    @Test
    @DisplayName("every http key is read; relative files resolve against the configuration's directory")
    void everyKey() throws ConfigException {
        BrokerConfig.Http http = parse("""
                http:
                  bind: 0.0.0.0
                  port: 9443
                  tls:
                    cert_file: server.pem
                    key_file: server.key
                  password_file: admins
                  token_file: /etc/starling/tokens
                  allow_anonymous: false
                """).http();
        assertThat(http.bind()).isEqualTo("0.0.0.0");
        assertThat(http.port()).isEqualTo(9443);
        assertThat(http.tls()).isEqualTo(BrokerConfig.Tls.pem(Path.of("/etc/starling/server.pem"), Path.of("/etc/starling/server.key")));
        assertThat(http.passwordFile()).isEqualTo(Path.of("/etc/starling/admins"));
        assertThat(http.tokenFile()).isEqualTo(Path.of("/etc/starling/tokens"));
        assertThat(http.allowAnonymous()).isFalse();
        assertThat(http.anonymousAllowed()).isFalse();
    }

    @Test
    @DisplayName("with a password or token file, credentials are needed even on loopback")
    void filesCloseLoopback() throws ConfigException {
        assertThat(parse("http:\n  token_file: tokens\n").http().anonymousAllowed()).isFalse();
        assertThat(parse("http:\n  password_file: admins\n").http().anonymousAllowed()).isFalse();
        assertThat(parse("http:\n  password_file: admins\n  allow_anonymous: true\n").http().anonymousAllowed()).isTrue();
    }

    @Test
    @DisplayName("an http block off loopback without credentials or allow_anonymous is refused at its bind key")
    void openOffLoopbackRefused() {
        assertThatThrownBy(() -> parse("sys_interval: 5\nhttp:\n  port: 8080\n  bind: 0.0.0.0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:4: http.bind: the HTTP listener 0.0.0.0:8080 is not on loopback: configure"
                        + " http.password_file or http.token_file, or set http.allow_anonymous: true to let anyone in");
    }

    @Test
    @DisplayName("off loopback with allow_anonymous: true or a token file starts")
    void offLoopbackWithChoice() throws ConfigException {
        assertThat(parse("http:\n  bind: 0.0.0.0\n  allow_anonymous: true\n").http().anonymousAllowed()).isTrue();
        assertThat(parse("http:\n  bind: 0.0.0.0\n  token_file: t\n").http().securityViolation()).isNull();
    }

    @Test
    @DisplayName("an unknown http key is refused with file, line, key and the closest known key")
    void unknownKey() {
        assertThatThrownBy(() -> parse("http:\n  port: 8080\n  tokens_file: t\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker.yaml:3: http.tokens_file: unknown key 'tokens_file'");
    }

    @Test
    @DisplayName("a bad port is refused with file, line and key")
    void badPort() {
        assertThatThrownBy(() -> parse("http:\n  port: 70000\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:2: http.port: must be 0 to 65535, not 70000");
    }

    @Test
    @DisplayName("http must be a mapping")
    void notAMapping() {
        assertThatThrownBy(() -> parse("http: 8080\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("broker.yaml:1: http: must be a mapping with bind and port");
    }
}
