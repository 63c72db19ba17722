package io.starling.cli.client;

import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttMessage;
import io.starling.client.TlsOptions;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The flags pub and sub share: where to connect, as whom, with which will and over TLS or not.
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
            description = "Client id to use. Defaults to starling-pub-<pid> or starling-sub-<pid> (<pid>: the process id).")
    @Nullable String id;

    @Option(names = {"-u", "--username"}, paramLabel = "username", preprocessor = OptionValue.class, order = 103,
            description = "User name to authenticate with.")
    @Nullable String username;

    @Option(names = {"-P", "--pw"}, paramLabel = "password", preprocessor = OptionValue.class, order = 104,
            description = "Password to authenticate with; needs -u.")
    @Nullable String password;

    @Option(names = {"-k", "--keepalive"}, paramLabel = "keepalive", preprocessor = OptionValue.class, order = 105,
            description = "Keep alive in seconds, 5 to 65535. Defaults to 60.")
    String keepAlive = "60";

    @Option(names = {"-c", "--disable-clean-session"}, order = 106,
            description = "Persistent session: the broker keeps the session (subscriptions, undelivered QoS 1 and 2"
                    + " messages) after this client disconnects, and resumes it when the same -i connects again. Needs -i.")
    boolean persistentSession;

    @Option(names = {"-V", "--protocol-version"}, paramLabel = "version", preprocessor = OptionValue.class, order = 107,
            description = "MQTT protocol version: mqttv311 (or 311, the default) or mqttv31 (or 31)."
                    + " mqttv5 is not supported yet.")
    String version = "mqttv311";

    @Option(names = {"-d", "--debug"}, order = 108,
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
     * A client builder with every flag applied, and automatic reconnection as {@code reconnect}
     * says; a bad flag fails with mosquitto's message.
     */
    MqttClientBuilder builder(String command) {
        MqttVersion mqttVersion = mqttVersion(command);
        MqttClientBuilder builder = MqttClient.builder()
                .host(host)
                .version(mqttVersion)
                .clientId(clientId(command))
                .cleanSession(!persistentSession)
                .keepAlive(Duration.ofSeconds(keepAliveSeconds(command)));
        if (username != null) {
            builder.username(username);
        }
        if (password != null) {
            if (username == null) {
                throw new CommandFailure(CommandFailure.ERROR, "Error: Problem setting username and/or password:"
                        + " a password (-P) needs a user name (-u) in MQTT 3.1 and 3.1.1.");
            }
            builder.password(password);
        }
        MqttMessage will = will(command);
        if (will != null) {
            builder.will(will);
        }
        TlsOptions tls = tls(command);
        builder.tls(tls);
        builder.port(port != null ? port(command) : tls != null ? 8883 : 1883);
        return builder;
    }

    /** The -i client id, or {@code starling-<command>-<pid>}: at most 23 characters, as MQTT 3.1 wants. */
    String clientId(String command) {
        if (id == null) {
            if (persistentSession) {
                throw CommandFailure.usage(command, "You must provide a client id if you are using the -c option.");
            }
            return "starling-" + command + "-" + ProcessHandle.current().pid();
        }
        if (id.isEmpty() || MqttStrings.encodedLength(id) < 0) {
            throw CommandFailure.usage(command, "Invalid id.");
        }
        return id;
    }

    private MqttVersion mqttVersion(String command) {
        switch (version) {
            case "mqttv311", "311":
                return MqttVersion.V3_1_1;
            case "mqttv31", "31":
                return MqttVersion.V3_1;
            case "mqttv5", "5":
                throw CommandFailure.usage(command, "MQTT 5.0 is not supported yet by starling " + command
                        + ": use -V mqttv311 (the default) or -V mqttv31.");
            default:
                throw CommandFailure.usage(command, "Invalid protocol version argument given.");
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

    private @Nullable MqttMessage will(String command) {
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
        return new MqttMessage(willTopic, payload, qos, willRetain);
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
