package io.starling.cli.client;

import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttClientConfig;
import io.starling.client.MqttMessage;
import io.starling.client.TlsOptions;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The flags pub, sub and rr share: where to connect, as whom, with which protocol version, will
 * and MQTT 5.0 properties, and over TLS or not.
 * Values are taken as text and checked here rather than by picocli, so that a bad value gets
 * mosquitto's wording and exit status 1 instead of picocli's usage dump.
 */
final class ConnectionOptions {
    @Option(names = {"-h", "--host"}, paramLabel = "host", preprocessor = OptionValue.class, order = 100,
            description = "MQTT host to connect to. Defaults to localhost.")
    String host = "localhost";

    @Option(names = {"-p", "--port"}, paramLabel = "port", preprocessor = OptionValue.class, order = 101,
            description = "Network port to connect to. Defaults to 1883 for plain MQTT and 8883 for MQTT over TLS (--cafile).")
    @Nullable String port;

    @Option(names = {"-i", "--id"}, paramLabel = "id", preprocessor = OptionValue.class, order = 102,
            description = "Client id to use. Defaults to starling-<command>-<pid>: starling-pub-1234 (<pid>: the process id).")
    @Nullable String id;

    @Option(names = {"-u", "--username"}, paramLabel = "username", preprocessor = OptionValue.class, order = 103,
            description = "User name to authenticate with.")
    @Nullable String username;

    @Option(names = {"-P", "--pw"}, paramLabel = "password", preprocessor = OptionValue.class, order = 104,
            description = "Password to authenticate with; needs -u in MQTT 3.1 and 3.1.1.")
    @Nullable String password;

    @Option(names = {"-k", "--keepalive"}, paramLabel = "keepalive", preprocessor = OptionValue.class, order = 105,
            description = "Keep alive in seconds, 5 to 65535. Defaults to 60.")
    String keepAlive = "60";

    @Option(names = {"-c", "--disable-clean-session"}, order = 106,
            description = "Persistent session: the broker keeps the session (subscriptions, undelivered QoS 1 and 2"
                    + " messages) after this client disconnects, and resumes it when the same -i connects again. Needs -i."
                    + " In MQTT 5.0: clean start 0, and a session that never expires unless -x says otherwise.")
    boolean persistentSession;

    @Option(names = {"-V", "--protocol-version"}, paramLabel = "version", preprocessor = OptionValue.class, order = 107,
            description = "MQTT protocol version: mqttv5 (or 5), mqttv311 (or 311) or mqttv31 (or 31)."
                    + " Defaults to mqttv311 (rr: mqttv5); -D makes it mqttv5 unless a later -V says otherwise.")
    String version = "mqttv311";

    @Option(names = {"-D", "--property"}, paramLabel = "command identifier value", preprocessor = PropertyArgument.class,
            order = 108,
            description = {"MQTT 5.0 property to send: -D command identifier value, or -D command user-property name value."
                    + " Repeatable. Commands: connect, publish, subscribe, unsubscribe, disconnect, will."
                    + " Makes the client MQTT 5.0. See docs/cli.md for which property goes with which command."})
    List<String> propertyWords = new ArrayList<>();

    @Option(names = "-x", paramLabel = "session-expiry-interval", preprocessor = OptionValue.class, order = 109,
            description = "MQTT 5.0 Session Expiry Interval in seconds: 0 to 4294967294, or -1, 4294967295 or ∞ for a"
                    + " session that never expires. Defaults to -1 with -c, else 0. Ignored in 3.1 and 3.1.1.")
    @Nullable String sessionExpiry;

    @Option(names = {"-d", "--debug"}, order = 110,
            description = "Print the packets exchanged, one line each (\"Client <id> sending CONNECT\"), on standard output.")
    boolean debug;

    @Option(names = "--will-topic", paramLabel = "topic", preprocessor = OptionValue.class, order = 120,
            description = "Topic of the will: the message the broker publishes if this client's connection ends"
                    + " without DISCONNECT.")
    @Nullable String willTopic;

    @Option(names = "--will-payload", paramLabel = "payload", preprocessor = OptionValue.class, order = 121,
            description = "Payload of the will. Defaults to an empty message.")
    @Nullable String willPayload;

    @Option(names = "--will-qos", paramLabel = "QoS", preprocessor = OptionValue.class, order = 122,
            description = "QoS of the will: 0, 1 or 2. Defaults to 0.")
    @Nullable String willQos;

    @Option(names = "--will-retain", order = 123,
            description = "Retain the will.")
    boolean willRetain;

    @Option(names = "--cafile", paramLabel = "file", preprocessor = OptionValue.class, order = 130,
            description = "PEM file of the certificate authorities to trust: connect over TLS.")
    @Nullable String caFile;

    @Option(names = "--cert", paramLabel = "file", preprocessor = OptionValue.class, order = 131,
            description = "Client certificate (PEM) for TLS authentication; needs --key.")
    @Nullable String certFile;

    @Option(names = "--key", paramLabel = "file", preprocessor = OptionValue.class, order = 132,
            description = "Private key of --cert (PEM, PKCS#8, unencrypted).")
    @Nullable String keyFile;

    @Option(names = "--insecure", order = 133,
            description = "Do not check that the server certificate's host name matches -h. For tests only.")
    boolean insecure;

    /**
     * A client builder with every flag and the {@code -D connect} and {@code -D will} properties
     * applied; a bad flag fails with mosquitto's message.
     */
    MqttClientBuilder builder(String command, PropertyOptions properties) {
        MqttVersion mqttVersion = mqttVersion(command);
        MqttClientBuilder builder = MqttClient.builder()
                .host(host)
                .version(mqttVersion)
                .clientId(clientId(command))
                .cleanSession(!persistentSession)
                .keepAlive(Duration.ofSeconds(keepAliveSeconds(command)));
        long expiry = sessionExpiry(command);
        if (username != null) {
            builder.username(username);
        }
        if (password != null) {
            if (username == null && !mqttVersion.isV5()) {
                throw new CommandFailure(CommandFailure.ERROR, "Error: Problem setting username and/or password:"
                        + " a password (-P) needs a user name (-u) in MQTT 3.1 and 3.1.1.");
            }
            builder.password(password);
        }
        MqttMessage will = will(command, mqttVersion.isV5() ? properties.of(PropertyCommand.WILL) : List.of());
        if (will != null) {
            builder.will(will);
        }
        TlsOptions tls = tls(command);
        builder.tls(tls);
        builder.port(port != null ? port(command) : tls != null ? 8883 : 1883);
        if (mqttVersion.isV5()) {
            mqtt5(command, properties, expiry, builder);
        } else {
            if (persistentSession && id == null) {
                throw CommandFailure.usage(command, "You must provide a client id if you are using the -c option.");
            }
            if (!properties.isEmpty()) {
                // mosquitto: its -D made the client 5.0, a later -V made it 3.1.1 again; libmosquitto refuses
                throw new CommandFailure(CommandFailure.ERROR, "Unable to connect (This feature is not supported.).");
            }
        }
        return builder;
    }

    /**
     * The MQTT 5.0 session expiry (-x, or -c's never) and the {@code -D connect} properties, once
     * checked together as mosquitto checks them.
     */
    private void mqtt5(String command, PropertyOptions properties, long expiry, MqttClientBuilder builder) {
        if (expiry == -1 && persistentSession) {
            expiry = MqttClientConfig.SESSION_NEVER_EXPIRES;
        }
        List<Property> extra = new ArrayList<>();
        if (expiry > 0) {
            if (expiry == MqttClientConfig.SESSION_NEVER_EXPIRES && id == null) {
                throw CommandFailure.usage(command, "You must provide a client id if you are using an infinite session expiry interval.");
            }
            extra.add(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, expiry));
        }
        String problem = properties.problem(extra);
        if (problem != null) {
            throw new CommandFailure(CommandFailure.ERROR, problem, CommandFailure.usageHint(command));
        }
        if (expiry > 0) {
            builder.sessionExpiryInterval(expiry);
        }
        properties.connectTo(builder);
    }

    /** The -i client id, or {@code starling-<command>-<pid>}: at most 23 characters, as MQTT 3.1 wants. */
    String clientId(String command) {
        if (id == null) {
            return "starling-" + command + "-" + ProcessHandle.current().pid();
        }
        if (id.isEmpty() || MqttStrings.encodedLength(id) < 0) {
            throw CommandFailure.usage(command, "Invalid id.");
        }
        return id;
    }

    /** The MQTT version -V (or -D) chose. */
    MqttVersion mqttVersion(String command) {
        return switch (version) {
            case "mqttv311", "311" -> MqttVersion.V3_1_1;
            case "mqttv31", "31" -> MqttVersion.V3_1;
            case "mqttv5", "5" -> MqttVersion.V5;
            default -> throw CommandFailure.usage(command, "Invalid protocol version argument given.");
        };
    }

    /**
     * -x as mosquitto reads it (C's strtol with base 0, so 0x10 and 010 are 16 and 8): -1 when not
     * given; 4294967295 for -1, 4294967295 or ∞.
     */
    private long sessionExpiry(String command) {
        if (sessionExpiry == null) {
            return -1;
        }
        if (sessionExpiry.equals("∞")) {
            return MqttClientConfig.SESSION_NEVER_EXPIRES;
        }
        Long value = strtol(sessionExpiry);
        if (value == null) {
            throw CommandFailure.usage(command, "session-expiry-interval not a number.");
        }
        if (value < -1 || value > MqttClientConfig.SESSION_NEVER_EXPIRES) {
            throw CommandFailure.usage(command, "session-expiry-interval out of range.");
        }
        return value == -1 ? MqttClientConfig.SESSION_NEVER_EXPIRES : value;
    }

    /**
     * C's {@code strtol(text, &end, 0)} when all of {@code text} is the number: leading white
     * space, a sign, then hexadecimal after 0x, octal after 0, else decimal; null otherwise.
     */
    static @Nullable Long strtol(String text) {
        String s = text.stripLeading();
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        int radix = 10;
        if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            radix = 16;
            s = s.substring(2);
        } else if (s.length() > 1 && s.startsWith("0")) {
            radix = 8;
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 'z' || Character.digit(c, radix) < 0) {
                return null;
            }
        }
        try {
            long value = Long.parseLong(s, radix);
            return negative ? -value : value;
        } catch (NumberFormatException e) {
            return negative ? Long.MIN_VALUE : Long.MAX_VALUE; // strtol's saturation
        }
    }

    private int port(String command) {
        Integer value = parseInt(port);
        if (value == null || value < 1 || value > 65_535) {
            throw CommandFailure.usage(command, "Invalid port given: " + port);
        }
        return value;
    }

    private int keepAliveSeconds(String command) {
        Integer value = parseInt(keepAlive);
        if (value == null || value < 5 || value > 65_535) {
            throw CommandFailure.usage(command, "Invalid keepalive given, it must be between 5 and 65535 inclusive.");
        }
        return value;
    }

    private @Nullable MqttMessage will(String command, List<Property> properties) {
        if (willTopic == null) {
            if (willPayload != null) {
                throw CommandFailure.usage(command, "Will payload given, but no will topic given.");
            }
            if (willQos != null) {
                throw CommandFailure.usage(command, "Will QoS given, but no will topic given.");
            }
            if (willRetain) {
                throw CommandFailure.usage(command, "Will retain given, but no will topic given.");
            }
            return null;
        }
        if (!validTopicName(willTopic)) {
            throw CommandFailure.usage(command, "Invalid will topic '" + willTopic + "', does it contain '+' or '#'?");
        }
        QoS qos = QoS.AT_MOST_ONCE;
        if (willQos != null) {
            qos = parseQos(willQos);
            if (qos == null) {
                throw CommandFailure.usage(command, "Invalid will QoS " + willQos + ".");
            }
        }
        byte[] payload = willPayload == null ? new byte[0] : willPayload.getBytes(StandardCharsets.UTF_8);
        return new MqttMessage(willTopic, payload, qos, willRetain, false, new Properties(properties));
    }

    private @Nullable TlsOptions tls(String command) {
        if ((certFile == null) != (keyFile == null)) {
            throw CommandFailure.usage(command, "Both certfile and keyfile must be provided if one of them is set.");
        }
        if (caFile == null && certFile == null) {
            return null;
        }
        for (String file : new String[] {caFile, certFile, keyFile}) {
            if (file != null && !readable(file)) {
                throw new CommandFailure(CommandFailure.ERROR, "Error: Problem setting TLS options: File not found: " + file);
            }
        }
        TlsOptions tls = TlsOptions.defaults();
        if (caFile != null) {
            tls = tls.withCaFile(Path.of(caFile));
        }
        if (certFile != null && keyFile != null) {
            tls = tls.withClientCertificate(Path.of(certFile), Path.of(keyFile));
        }
        return insecure ? tls.withoutHostnameVerification() : tls;
    }

    private static boolean readable(String file) {
        try {
            return Files.isReadable(Path.of(file));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** A topic name a client may publish to: not empty, no wildcards, a valid MQTT string. */
    static boolean validTopicName(String topic) {
        return !topic.isEmpty() && !Topics.hasWildcard(topic) && MqttStrings.encodedLength(topic) >= 0;
    }

    /** 0, 1 or 2 as a QoS; anything else null. */
    static @Nullable QoS parseQos(String text) {
        Integer value = parseInt(text);
        return value != null && value >= 0 && value <= 2 ? QoS.of(value) : null;
    }

    /** A decimal integer, or null (no exception) for anything else. */
    static @Nullable Integer parseInt(@Nullable String text) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
