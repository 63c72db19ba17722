package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.starling.broker.config.BrokerConfig.Listener;
import io.starling.broker.config.FsyncMode;
import io.starling.codec.packet.QoS;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    private static final Path BASE = Path.of("/etc/starling");

    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "broker.yaml", BASE);
    }

    private static ConfigException failure(String yaml) {
        try {
            return fail("expected a ConfigException, but loaded " + parse(yaml));
        } catch (ConfigException e) {
            return e;
        }
    }

    /** Asserts that {@code yaml} is refused with exactly this line, key and problem. */
    private static void assertRefused(String yaml, int line, String key, String problem) {
        ConfigException e = failure(yaml);
        assertThat(e).hasMessage("broker.yaml:" + line + ": " + key + ": " + problem);
        assertThat(e.file()).isEqualTo("broker.yaml");
        assertThat(e.line()).hasValue(line);
        assertThat(e.key()).contains(key);
        assertThat(e.problem()).isEqualTo(problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "# only a comment\n  # and another\n", "---\n", "--- # nothing\n"})
    void fileWithNothingButCommentsGivesTheDefaults(String yaml) throws ConfigException {
        assertThat(parse(yaml)).isEqualTo(BrokerConfig.defaults());
    }

    @Test
    void everyKeyIsReadIntoTheConfig() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - bind: 0.0.0.0
                    port: 8883
                  - port: 0
                allow_anonymous: false
                password_file: passwd
                max_packet_size: 256KiB
                max_inflight_messages: 10
                max_queued_messages: 0
                max_pending_qos0_messages: 5
                queue_qos0_offline: true
                session_expiry: 2h
                persistence: false
                data_dir: store
                fsync: always
                max_retained_messages: 500
                max_retained_bytes: 2GiB
                server_reference: mqtt2.example.com:1883
                server_moved: true
                max_keepalive: 600
                receive_maximum: 20
                maximum_qos: 1
                retain_available: false
                topic_alias_maximum: 0
                response_information: replies/
                """);

        assertThat(config).isEqualTo(new BrokerConfig(
                List.of(new Listener("0.0.0.0", 8883), new Listener("127.0.0.1", 0)),
                false, Path.of("/etc/starling/passwd"), 262_144, 10, 0, 5, true, Duration.ofHours(2),
                new BrokerConfig.Storage(false, Path.of("/etc/starling/store"), FsyncMode.ALWAYS, 500, 2L << 30),
                new BrokerConfig.Redirect("mqtt2.example.com:1883", true),
                new BrokerConfig.Mqtt5(600, 20, QoS.AT_LEAST_ONCE, false, 0, "replies/"), null, BrokerConfig.Limits.defaults(), 10, null, null));
    }

    @Test
    void keysLeftOutKeepTheirDefaults() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - {}
                  - port: 1884
                  - bind: ::1
                max_inflight_messages: 7
                """);

        assertThat(config).isEqualTo(BrokerConfig.defaults()
                .withListeners(List.of(new Listener("127.0.0.1", 1883), new Listener("127.0.0.1", 1884), new Listener("::1", 1883)))
                .withLimits(BrokerConfig.DEFAULT_MAX_PACKET_SIZE, 7, BrokerConfig.DEFAULT_MAX_QUEUED, BrokerConfig.DEFAULT_MAX_PENDING_QOS0));
    }

    @Test
    void relativePasswordFileResolvesAgainstTheConfigFilesDirectoryAndIsNotRead(@TempDir Path dir) throws Exception {
        Path conf = Files.createDirectory(dir.resolve("conf"));
        Path relative = Files.writeString(conf.resolve("relative.yaml"), "password_file: secrets/passwd\n");
        Path absolute = Files.writeString(conf.resolve("absolute.yaml"), "password_file: /var/lib/starling/passwd\n");

        assertThat(ConfigLoader.load(relative).passwordFile()).isEqualTo(conf.toAbsolutePath().resolve("secrets/passwd"));
        assertThat(ConfigLoader.load(absolute).passwordFile()).isEqualTo(Path.of("/var/lib/starling/passwd"));
    }

    @Test
    void loadNamesTheFileAsGivenInItsErrors(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("starling.yaml"), "max_inflight_messages: 8\nmax_queued_messages: many\n");

        try {
            fail("loaded " + ConfigLoader.load(file));
        } catch (ConfigException e) {
            assertThat(e).hasMessage(file + ":2: max_queued_messages: must be a whole number, not 'many'");
            assertThat(e.file()).isEqualTo(file.toString());
        }
    }

    @Test
    void unreadableFilesAreRefusedByNameWithoutLineOrKey(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.yaml");
        Path notUtf8 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

        assertUnreadable(missing, "cannot read the configuration file: it does not exist");
        assertUnreadable(dir, "cannot read the configuration file: it is a directory");
        assertUnreadable(notUtf8, "cannot read the configuration file: it is not UTF-8 text");
    }

    private static void assertUnreadable(Path file, String problem) {
        try {
            fail("loaded " + ConfigLoader.load(file));
        } catch (ConfigException e) {
            assertThat(e).hasMessage(file + ": " + problem);
            assertThat(e.file()).isEqualTo(file.toString());
            assertThat(e.line()).isEmpty();
            assertThat(e.key()).isEmpty();
        }
    }

    @Test
    void unknownTopLevelKeyIsRefusedWithTheClosestKnownKey() {
        assertRefused("""
                listeners:
                  - port: 1883
                max_packet_sise: 1MiB
                """, 3, "max_packet_sise", "unknown key 'max_packet_sise'; did you mean 'max_packet_size'?");
    }

    @Test
    void unknownListenerKeyIsRefusedWithTheClosestKnownKey() {
        assertRefused("""
                listeners:
                  - bind: 127.0.0.1
                    prot: 1884
                """, 3, "listeners[0].prot", "unknown key 'prot'; did you mean 'port'?");
    }

    @Test
    void suggestionReachesTwoEditsCountingSwappedLettersAsOne() {
        assertRefused("maxpacketsize: 1MiB\n", 1, "maxpacketsize", "unknown key 'maxpacketsize'; did you mean 'max_packet_size'?");
        assertRefused("max_pakcet_szie: 1MiB\n", 1, "max_pakcet_szie", "unknown key 'max_pakcet_szie'; did you mean 'max_packet_size'?");
        assertRefused("mxpacketsize: 1MiB\n", 1, "mxpacketsize", "unknown key 'mxpacketsize'");
    }

    @Test
    void unknownKeyFarFromEveryKnownKeyGetsNoSuggestion() {
        assertRefused("max_inflight_messages: 8\ncolour: blue\n", 2, "colour", "unknown key 'colour'");
        assertRefused("max_inflight_messages: 8\nmax_inflight: 8\n", 2, "max_inflight", "unknown key 'max_inflight'");
    }

    @Test
    void keyAtTheWrongLevelSaysWhereItBelongs() {
        assertRefused("port: 1883\n", 1, "port", "unknown key 'port'; it belongs in a listener, under listeners");
        assertRefused("""
                listeners:
                  - port: 1883
                    allow_anonymous: true
                """, 3, "listeners[0].allow_anonymous", "unknown key 'allow_anonymous'; it is a top-level key, not a listener key");
    }

    @Test
    void duplicateTopLevelKeyIsRefusedAtItsSecondLine() {
        assertRefused("""
                max_queued_messages: 10
                queue_qos0_offline: true
                max_queued_messages: 20
                """, 3, "max_queued_messages", "duplicate key 'max_queued_messages', first given on line 1");
    }

    @Test
    void duplicateListenerKeyIsRefusedAtItsSecondLine() {
        assertRefused("""
                listeners:
                  - port: 1883
                    bind: 127.0.0.1
                    port: 1884
                """, 4, "listeners[0].port", "duplicate key 'port', first given on line 2");
    }

    @Test
    void portOutOfRangeIsRefusedWithTheListenersIndex() {
        assertRefused("""
                # Starling
                max_inflight_messages: 16
                listeners:
                  - bind: 127.0.0.1
                    port: 1883
                  - bind: 127.0.0.1
                    port: 70000
                """, 7, "listeners[1].port", "must be 0 to 65535, not 70000");
    }

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                arguments("listeners: [{port: -1}]", "listeners[0].port", "must be 0 to 65535, not -1"),
                arguments("max_packet_size: 1", "max_packet_size", "must be 2 to 268435460 bytes, not 1"),
                arguments("max_packet_size: 268435461", "max_packet_size", "must be 2 to 268435460 bytes, not 268435461"),
                arguments("max_packet_size: 300MiB", "max_packet_size", "must be 2 to 268435460 bytes, not 300MiB (314572800 bytes)"),
                arguments("max_packet_size: 0KiB", "max_packet_size", "must be 2 to 268435460 bytes, not 0KiB (0 bytes)"),
                arguments("max_inflight_messages: 0", "max_inflight_messages", "must be 1 to 65535, not 0"),
                arguments("max_inflight_messages: 65536", "max_inflight_messages", "must be 1 to 65535, not 65536"),
                arguments("max_queued_messages: -1", "max_queued_messages", "must be 0 or more, not -1"),
                arguments("max_queued_messages: 2147483648", "max_queued_messages", "must be 0 to 2147483647, not 2147483648"),
                arguments("max_pending_qos0_messages: -5", "max_pending_qos0_messages", "must be 0 or more, not -5"),
                arguments("max_packet_size: 1GiB", "max_packet_size", "must be 2 to 268435460 bytes, not 1GiB (1073741824 bytes)"),
                arguments("max_retained_messages: -1", "max_retained_messages", "must be 0 or more, not -1"),
                arguments("max_keepalive: 0", "max_keepalive", "must be 1 to 65535, not 0"),
                arguments("receive_maximum: 65536", "receive_maximum", "must be 1 to 65535, not 65536"),
                arguments("maximum_qos: 3", "maximum_qos", "must be 0 to 2, not 3"),
                arguments("topic_alias_maximum: -1", "topic_alias_maximum", "must be 0 to 65535, not -1"),
                arguments("max_retained_bytes: 9223372036854775808", "max_retained_bytes",
                        "must be 0 bytes or more, not 9223372036854775808"),
                arguments("session_expiry: 0s", "session_expiry", "must be a positive duration or 'never', not 0s"),
                arguments("session_expiry: 0", "session_expiry", "must be a positive duration or 'never', not 0"),
                arguments("session_expiry: -60", "session_expiry", "must be a positive duration or 'never', not -60"),
                arguments("session_expiry: 9223372036854775807d", "session_expiry",
                        "must be at most 9223372036854775807 seconds, not 9223372036854775807d; use 'never' for sessions that never expire"));
    }

    @ParameterizedTest
    @MethodSource("outOfRange")
    void valuesOutsideTheirRangeAreRefusedNotClamped(String line, String key, String problem) {
        assertRefused("queue_qos0_offline: false\n" + line + "\n", 2, key, problem);
    }

    static Stream<Arguments> wrongTypes() {
        String wholeNumber = "must be a whole number, not ";
        String sizeForm = "must be a number of bytes or a size such as 512B, 256KiB, 1MiB or 2GiB, not ";
        String durationForm = "must be 'never', a number of seconds, or a duration such as 90s, 30m, 2h or 7d, not ";
        return Stream.of(
                arguments("max_queued_messages: lots", "max_queued_messages", wholeNumber + "'lots'"),
                arguments("max_queued_messages: \"10\"", "max_queued_messages",
                        wholeNumber + "'10'; write numbers in plain decimal, without quotes, a plus sign or leading zeros"),
                arguments("max_queued_messages: 0x10", "max_queued_messages", wholeNumber + "'0x10'"),
                arguments("max_queued_messages: 1.5", "max_queued_messages", wholeNumber + "1.5"),
                arguments("max_queued_messages: [10]", "max_queued_messages", wholeNumber + "a list"),
                arguments("max_queued_messages: {count: 10}", "max_queued_messages", wholeNumber + "a mapping"),
                arguments("max_queued_messages: !!int ten", "max_queued_messages", wholeNumber + "ten"),
                arguments("max_queued_messages:", "max_queued_messages",
                        "has no value; give a whole number, or leave the key out for the default"),
                arguments("listeners:", "listeners", "has no value; give a list of listeners, or leave the key out for the default"),
                arguments("listeners: {port: 1883}", "listeners", "must be a list of listeners, not a mapping"),
                arguments("listeners: [1883]", "listeners[0]", "must be a mapping with bind and port, not 1883"),
                arguments("listeners: [[1883]]", "listeners[0]", "must be a mapping with bind and port, not a list"),
                arguments("listeners: [{bind: true}]", "listeners[0].bind", "must be a host name or IP address, not true"),
                arguments("listeners: [{bind: ' '}]", "listeners[0].bind", "must be a host name or IP address, not ' '"),
                arguments("password_file: [a, b]", "password_file", "must be a file path, not a list"),
                arguments("password_file: ''", "password_file", "must be a file path, not ''"),
                arguments("max_packet_size: 1MB", "max_packet_size", sizeForm + "'1MB'"),
                arguments("max_packet_size: 1TiB", "max_packet_size", sizeForm + "'1TiB'"),
                arguments("persistence: yes", "persistence", "must be true or false, not 'yes'; only unquoted lowercase true and"
                        + " false are booleans here, not yes/no, on/off or 1/0"),
                arguments("fsync: sometimes", "fsync", "must be always, batch or never, not 'sometimes'"),
                arguments("fsync: [batch]", "fsync", "must be always, batch or never, not a list"),
                arguments("data_dir: ''", "data_dir", "must be a file path, not ''"),
                arguments("max_retained_bytes: 1TB", "max_retained_bytes", sizeForm + "'1TB'"),
                arguments("max_packet_size: -1KiB", "max_packet_size", sizeForm + "'-1KiB'"),
                arguments("session_expiry: soon", "session_expiry", durationForm + "'soon'"),
                arguments("session_expiry: 1.5h", "session_expiry", durationForm + "'1.5h'"),
                arguments("session_expiry: 1h30m", "session_expiry", durationForm + "'1h30m'"),
                arguments("session_expiry: Never", "session_expiry", durationForm + "'Never'"),
                arguments("server_reference: ''", "server_reference", "must be a server address such as mqtt2.example.com:1883, not ''"),
                arguments("server_reference: [a, b]", "server_reference", "must be a server address such as mqtt2.example.com:1883, not a list"),
                arguments("server_moved: yes", "server_moved", "must be true or false, not 'yes'; only unquoted lowercase true and"
                        + " false are booleans here, not yes/no, on/off or 1/0"));
    }

    @ParameterizedTest
    @MethodSource("wrongTypes")
    void valuesOfTheWrongTypeAreRefused(String line, String key, String problem) {
        assertRefused("queue_qos0_offline: false\n" + line + "\n", 2, key, problem);
    }

    @Test
    void serverReferenceAloneRedirectsForNowAndServerMovedSaysForGood() throws ConfigException {
        assertThat(parse("server_reference: other:1883\n").redirect()).isEqualTo(new BrokerConfig.Redirect("other:1883", false));
        assertThat(parse("server_reference: other:1883\nserver_moved: false\n").redirect())
                .isEqualTo(new BrokerConfig.Redirect("other:1883", false));
        assertThat(parse("server_moved: true\nserver_reference: other:1883\n").redirect())
                .isEqualTo(new BrokerConfig.Redirect("other:1883", true));
        assertThat(parse("max_inflight_messages: 7\n").redirect()).isNull();
    }

    @Test
    void serverMovedWithoutServerReferenceIsRefusedAtItsLine() {
        assertRefused("max_inflight_messages: 7\nserver_moved: true\n", 2, "server_moved",
                "needs server_reference: it says whether clients are sent there for good");
    }

    @Test
    void serverReferenceLongerThanAnMqttStringIsRefused() {
        assertRefused("server_reference: " + "a".repeat(65_536) + "\n", 1, "server_reference",
                "must be at most 65535 bytes of UTF-8 (an MQTT string)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "on", "1", "True", "'true'"})
    void onlyUnquotedLowercaseTrueAndFalseAreBooleans(String value) {
        String shown = value.equals("1") ? "1" : "'" + value.replace("'", "") + "'";
        String problem = "must be true or false, not " + shown
                + "; only unquoted lowercase true and false are booleans here, not yes/no, on/off or 1/0";
        assertRefused("max_queued_messages: 5\nallow_anonymous: " + value + "\n", 2, "allow_anonymous", problem);
        assertRefused("max_queued_messages: 5\nqueue_qos0_offline: " + value + "\n", 2, "queue_qos0_offline", problem);
    }

    @Test
    void explicitBoolTagDoesNotMakeOtherWordsBooleans() {
        assertRefused("allow_anonymous: !!bool yes\n", 1, "allow_anonymous", "must be true or false, not yes"
                + "; only unquoted lowercase true and false are booleans here, not yes/no, on/off or 1/0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void trueAndFalseAreBooleans(String value) throws ConfigException {
        boolean expected = Boolean.parseBoolean(value);
        BrokerConfig config = parse("allow_anonymous: " + value + "\nqueue_qos0_offline: " + value + "\n");
        assertThat(config.allowAnonymous()).isEqualTo(expected);
        assertThat(config.queueQos0Offline()).isEqualTo(expected);
    }

    static Stream<Arguments> sizes() {
        return Stream.of(
                arguments("4096", 4096),
                arguments("2", 2),
                arguments("512B", 512),
                arguments("256KiB", 256 * 1024),
                arguments("1MiB", 1024 * 1024),
                arguments("'1 MiB'", 1024 * 1024),
                arguments("256MiB", 256 * 1024 * 1024),
                arguments("268435460", 268_435_460));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void maxPacketSizeTakesBytesOrBinaryUnits(String value, int bytes) throws ConfigException {
        assertThat(parse("max_packet_size: " + value).maxPacketSize()).isEqualTo(bytes);
    }

    static Stream<Arguments> durations() {
        return Stream.of(
                arguments("90s", Duration.ofSeconds(90)),
                arguments("30m", Duration.ofMinutes(30)),
                arguments("2h", Duration.ofHours(2)),
                arguments("7d", Duration.ofDays(7)),
                arguments("3600", Duration.ofHours(1)),
                arguments("never", null));
    }

    @ParameterizedTest
    @MethodSource("durations")
    void sessionExpiryTakesNeverSecondsOrADuration(String value, @Nullable Duration expected) throws ConfigException {
        BrokerConfig config = parse("session_expiry: " + value);
        assertThat(config.sessionExpiry()).isEqualTo(expected);
    }

    @Test
    void emptyListenersListIsRefused() {
        assertRefused("max_inflight_messages: 8\nlisteners: []\n", 2, "listeners", "must list at least one listener");
    }

    @Test
    void twoListenersOnTheSameAddressAreRefusedButPortZeroMayRepeat() throws ConfigException {
        assertRefused("""
                listeners:
                  - port: 1883
                  - bind: 127.0.0.1
                    port: 1883
                """, 3, "listeners[1]", "listens on 127.0.0.1:1883 like listeners[0] already does");
        assertThat(parse("listeners: [{port: 0}, {port: 0}]").listeners()).hasSize(2);
    }

    @Test
    void nonLoopbackListenerWithNeitherPasswordsNorExplicitAnonymousIsRefusedAtItsBindKey() {
        ConfigException e = failure("""
                listeners:
                  - port: 1883
                  - port: 1884
                    bind: 0.0.0.0
                max_inflight_messages: 8
                """);

        assertThat(e.getMessage()).startsWith("broker.yaml:4: listeners[1].bind: listener 0.0.0.0:1884 is not on loopback");
        assertThat(e.line()).hasValue(4);
        assertThat(e.key()).contains("listeners[1].bind");
    }

    @ParameterizedTest
    @ValueSource(strings = {"password_file: passwd", "allow_anonymous: true", "allow_anonymous: false"})
    void nonLoopbackListenerIsAllowedOnceAuthenticationIsDecided(String decision) throws ConfigException {
        BrokerConfig config = parse("listeners: [{bind: 0.0.0.0}]\n" + decision + "\n");
        assertThat(config.listeners()).containsExactly(new Listener("0.0.0.0", 1883));
        assertThat(config.securityViolation()).isNull();
    }

    @Test
    void yamlSyntaxErrorCarriesTheLineSnakeYamlReports() {
        ConfigException e = failure("max_inflight_messages: 8\nmax_queued_messages: 1: 2\n");

        assertThat(e).hasMessage("broker.yaml:2: invalid YAML: mapping values are not allowed here at column 23");
        assertThat(e.line()).hasValue(2);
        assertThat(e.key()).isEmpty();
    }

    @Test
    void badIndentationIsASyntaxErrorOnTheLineItHappens() {
        ConfigException e = failure("""
                listeners:
                  - port: 1883
                 bind: 0.0.0.0
                """);

        assertThat(e.line()).hasValue(3);
        assertThat(e.getMessage()).startsWith("broker.yaml:3: invalid YAML: ");
    }

    @Test
    void secondDocumentIsRefused() {
        ConfigException e = failure("max_inflight_messages: 8\n---\nmax_inflight_messages: 9\n");

        assertThat(e).hasMessage("broker.yaml:2: invalid YAML: but found another document at column 1"
                + " (expected a single document in the stream on line 1)");
    }

    @Test
    void controlCharacterIsRefusedOnItsLine() {
        ConfigException e = failure("max_inflight_messages: 8\npassword_file: \"a\u0001b\"\n");

        assertThat(e).hasMessage("broker.yaml:2: invalid YAML: special characters are not allowed (U+0001)");
    }

    @Test
    void topLevelThatIsNotAMappingIsRefused() {
        ConfigException list = failure("# config\n- port: 1883\n");
        ConfigException scalar = failure("max_inflight_messages\n");

        assertThat(list).hasMessage("broker.yaml:2: the file must be a mapping of keys such as listeners and max_packet_size, not a list");
        assertThat(list.key()).isEmpty();
        assertThat(scalar).hasMessage("broker.yaml:1: the file must be a mapping of keys such as listeners and max_packet_size,"
                + " not 'max_inflight_messages'");
    }

    @Test
    void keyThatIsNotANameIsRefused() {
        ConfigException e = failure("max_inflight_messages: 8\n? [port]\n: 1883\n");

        assertThat(e).hasMessage("broker.yaml:2: keys must be names, not a list");
        assertThat(e.key()).isEmpty();
    }

    @Test
    void exceptionMessageIsFileLineKeyProblem() {
        assertThat(new ConfigException("b.yaml", 7, "listeners[1].port", "must be 0 to 65535, not 70000"))
                .hasMessage("b.yaml:7: listeners[1].port: must be 0 to 65535, not 70000");
        assertThat(new ConfigException("b.yaml", 3, "invalid YAML: oops")).hasMessage("b.yaml:3: invalid YAML: oops");
        assertThat(new ConfigException("b.yaml", "cannot read", null)).hasMessage("b.yaml: cannot read");
        assertThatIllegalArgumentException().isThrownBy(() -> new ConfigException("b.yaml", 0, "port", "bad"));
    }
}
