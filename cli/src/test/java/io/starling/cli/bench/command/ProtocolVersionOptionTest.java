package io.starling.cli.bench.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.codec.wire.MqttVersion;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code -V} / {@code --protocol-version} on every bench subcommand, in Mosquitto's spellings and ours. */
class ProtocolVersionOptionTest {
    /** Each bench subcommand, with how to reach its shared options once parsed. */
    private record Subcommand(String name, Supplier<Object> create) {
        BenchOptions parse(String... args) {
            Object command = create.get();
            new CommandLine(command).parseArgs(args);
            // Java 17: no pattern matching for switch yet
            if (command instanceof BenchPubCommand c) {
                return c.common;
            } else if (command instanceof BenchSubCommand c) {
                return c.common;
            } else if (command instanceof BenchPubSubCommand c) {
                return c.common;
            }
            return ((BenchConnCommand) command).common;
        }
    }

    private static final List<Subcommand> SUBCOMMANDS = List.of(
            new Subcommand("pub", BenchPubCommand::new),
            new Subcommand("sub", BenchSubCommand::new),
            new Subcommand("pubsub", BenchPubSubCommand::new),
            new Subcommand("conn", BenchConnCommand::new));

    @ParameterizedTest(name = "-V {0} is MQTT {1}")
    @CsvSource({
        // mosquitto_pub's spellings
        "5, V5", "mqttv5, V5", "311, V3_1_1", "mqttv311, V3_1_1", "31, V3_1", "mqttv31, V3_1",
        // version numbers and protocol levels
        "5.0, V5", "3.1.1, V3_1_1", "4, V3_1_1", "3.1, V3_1", "3, V3_1",
        // case does not matter
        "MQTTv5, V5", "MQTTV311, V3_1_1"})
    @DisplayName("every spelling, short and long option, on every subcommand")
    void spellings(String value, MqttVersion expected) {
        for (Subcommand subcommand : SUBCOMMANDS) {
            assertThat(subcommand.parse("-V", value).version).as(subcommand.name() + " -V " + value).isEqualTo(expected);
            assertThat(subcommand.parse("--protocol-version", value).version).as(subcommand.name()).isEqualTo(expected);
            assertThat(subcommand.parse("--protocol-version=" + value).version).as(subcommand.name()).isEqualTo(expected);
            assertThat(subcommand.parse("-V", value).settings().version()).as("the settings carry it").isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("without -V every subcommand speaks 3.1.1, as before")
    void defaultIs311() {
        for (Subcommand subcommand : SUBCOMMANDS) {
            BenchOptions options = subcommand.parse();
            assertThat(options.version).as(subcommand.name()).isEqualTo(MqttVersion.V3_1_1);
            assertThat(options.settings().protocol()).isEqualTo("3.1.1");
        }
    }

    @ParameterizedTest
    @CsvSource({"6", "mqttv50", "v5", "3.1.2", "''"})
    @DisplayName("anything else is refused, naming the spellings")
    void refused(String value) {
        for (Subcommand subcommand : SUBCOMMANDS) {
            assertThatThrownBy(() -> subcommand.parse("-V", value)).as(subcommand.name())
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageContaining("the protocol version is mqttv5 (5), mqttv311 (311) or mqttv31 (31), not '" + value + "'");
        }
    }

    @Test
    @DisplayName("on the command line: a bad -V is a one-line error and exit code 2; help names the spellings")
    void commandLine() {
        CommandRun bad = CommandRun.starling("bench", "pubsub", "-V", "6");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err().lines().toList()).containsExactly("starling bench pubsub: Invalid value for option"
                + " '--protocol-version': the protocol version is mqttv5 (5), mqttv311 (311) or mqttv31 (31), not '6'"
                + " (see 'starling bench pubsub --help')");
        for (Subcommand subcommand : SUBCOMMANDS) {
            assertThat(CommandRun.starling("bench", subcommand.name(), "--help").out()).as(subcommand.name())
                    .contains("-V, --protocol-version=VERSION", "mqttv5 (or 5)", "mqttv311 (or 311)", "mqttv31 (or 31)");
        }
    }

    @Test
    @DisplayName("a password without a user name is refused in 3.1.1 and allowed in 5.0 [MQTT-3.1.2-22]")
    void passwordWithoutUserName() {
        CommandRun v311 = CommandRun.starling("bench", "conn", "-P", "secret");
        assertThat(v311.exitCode()).isEqualTo(2);
        assertThat(v311.err()).contains("a password needs a user name in MQTT 3.1 and 3.1.1");
        assertThat(SUBCOMMANDS.get(3).parse("-V", "5", "-P", "secret").settings().password()).isEqualTo("secret");
    }
}
