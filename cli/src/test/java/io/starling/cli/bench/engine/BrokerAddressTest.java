package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BrokerAddressTest {
    @Test
    @DisplayName("HOST:PORT and [IPv6]:PORT parse and print back the same")
    void parsesAndPrints() {
        assertThat(BrokerAddress.parse("127.0.0.1:1884")).isEqualTo(new BrokerAddress("127.0.0.1", 1884));
        assertThat(BrokerAddress.parse(" node-b:1883 ")).isEqualTo(new BrokerAddress("node-b", 1883));
        assertThat(BrokerAddress.parse("[::1]:1885")).isEqualTo(new BrokerAddress("::1", 1885));
        assertThat(BrokerAddress.parse("[::1]:1885")).hasToString("[::1]:1885");
        assertThat(BrokerAddress.parse("127.0.0.1:1884")).hasToString("127.0.0.1:1884");
    }

    @Test
    @DisplayName("a missing or invalid port, an empty host or an unbracketed IPv6 address is refused with the value in the message")
    void refusesInvalid() {
        for (String bad : new String[] {"127.0.0.1", "127.0.0.1:", ":1883", "host:x", "host:0", "host:65536", "::1:1883"}) {
            assertThatThrownBy(() -> BrokerAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.equals("host:0") || bad.equals("host:65536") ? "port" : bad);
        }
    }
}
