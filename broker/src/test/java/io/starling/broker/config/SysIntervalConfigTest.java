package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SysIntervalConfigTest {
    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "broker.yaml", Path.of("/etc/starling"));
    }

    @Test
    @DisplayName("sys_interval is 10 seconds by default, as Mosquitto's")
    void defaultIsTenSeconds() throws ConfigException {
        assertThat(parse("max_queued_messages: 5\n").sysInterval()).isEqualTo(10);
        assertThat(BrokerConfig.defaults().sysInterval()).isEqualTo(10);
    }

    @Test
    @DisplayName("sys_interval is read in seconds; 0 turns $SYS off")
    void readInSeconds() throws ConfigException {
        assertThat(parse("sys_interval: 60\n").sysInterval()).isEqualTo(60);
        assertThat(parse("sys_interval: 0\n").sysInterval()).isZero();
    }

    @Test
    @DisplayName("a negative sys_interval is refused, naming file, line and key")
    void negativeRefused() {
        assertThatThrownBy(() -> parse("max_queued_messages: 5\nsys_interval: -1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:2: sys_interval: must be 0 or more, not -1");
    }

    @Test
    @DisplayName("a sys_interval that is not a whole number is refused, naming file, line and key")
    void notANumberRefused() {
        assertThatThrownBy(() -> parse("sys_interval: 10s\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("broker.yaml:1: sys_interval: must be a whole number, not '10s'");
    }
}
