package io.starling.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TokenFileTest {
    private static final String GRAFANA = "0123456789abcdef0123456789abcdef";
    private static final String CI = "fedcba9876543210fedcba9876543210";

    @Test
    @DisplayName("each name:token line is a token; comments and blank lines are skipped")
    void readsTokens() throws ConfigException {
        TokenFile tokens = TokenFile.parse("tokens", List.of("# who may call the API", "", "grafana:" + GRAFANA, "ci:" + CI));
        assertThat(tokens.size()).isEqualTo(2);
        assertThat(tokens.nameOf(GRAFANA)).isEqualTo("grafana");
        assertThat(tokens.nameOf(CI)).isEqualTo("ci");
        assertThat(tokens.nameOf(GRAFANA.substring(1))).isNull();
        assertThat(tokens.nameOf("")).isNull();
        assertThat(tokens.nameOf("grafana:" + GRAFANA)).isNull();
    }

    @Test
    @DisplayName("a line without a name is refused with file and line")
    void noName() {
        assertThatThrownBy(() -> TokenFile.parse("tokens", List.of("grafana:" + GRAFANA, GRAFANA)))
                .isInstanceOf(ConfigException.class).hasMessage("tokens:2: expected name:token");
    }

    @Test
    @DisplayName("a token shorter than 16 characters is refused with file and line")
    void shortToken() {
        assertThatThrownBy(() -> TokenFile.parse("tokens", List.of("ci:secret")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("tokens:1: the token of 'ci' is shorter than 16 characters; make one with: openssl rand -hex 32");
    }

    @Test
    @DisplayName("a name or a token that appears twice is refused with file and line")
    void duplicates() {
        assertThatThrownBy(() -> TokenFile.parse("tokens", List.of("ci:" + CI, "ci:" + GRAFANA)))
                .isInstanceOf(ConfigException.class).hasMessage("tokens:2: name 'ci' appears twice");
        assertThatThrownBy(() -> TokenFile.parse("tokens", List.of("ci:" + CI, "grafana:" + CI)))
                .isInstanceOf(ConfigException.class).hasMessage("tokens:2: the token of 'grafana' is also another name's");
    }
}
