package io.starling.codec.decode;

import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.Topics;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** Decodes the connection handshake: CONNECT (section 3.1) and CONNACK (section 3.2). */
final class ConnectDecoder {
    private static final int RESERVED = 0x01;
    private static final int CLEAN_START = 0x02;
    private static final int WILL = 0x04;
    private static final int WILL_QOS = 0x18;
    private static final int WILL_RETAIN = 0x20;
    private static final int PASSWORD = 0x40;
    private static final int USER_NAME = 0x80;

    private ConnectDecoder() {}

    /**
     * Decodes a CONNECT. The protocol version is handed to {@code versionKnown} as soon as the
     * protocol level has been read, so a caller learns it even when a later field is broken.
     */
    static Connect connect(PacketReader in, Consumer<MqttVersion> versionKnown) {
        String protocolName = in.string("protocol name");
        if (!protocolName.equals("MQTT") && !protocolName.equals("MQIsdp")) {
            throw in.malformed("MQTT-3.1.2-1", "protocol name '" + protocolName + "' is neither MQTT nor MQIsdp");
        }
        int level = in.u8("protocol level");
        MqttVersion version = MqttVersion.of(protocolName, level);
        if (version == null) {
            throw new PacketDecodeException(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, "MQTT-3.1.2-2",
                    "protocol level " + level + " of " + protocolName + " is not supported");
        }
        in.version(version);
        versionKnown.accept(version);

        int flags = in.u8("connect flags");
        if ((flags & RESERVED) != 0) {
            throw in.malformed("MQTT-3.1.2-3", "the reserved connect flag must be 0");
        }
        boolean willFlag = (flags & WILL) != 0;
        int willQos = (flags & WILL_QOS) >>> 3;
        boolean willRetain = (flags & WILL_RETAIN) != 0;
        if (!willFlag && willQos != 0) {
            throw in.malformed(in.rule("MQTT-3.1.2-13", "MQTT-3.1.2-11"), "Will QoS must be 0 when the Will Flag is 0");
        }
        if (!willFlag && willRetain) {
            throw in.malformed(in.rule("MQTT-3.1.2-15", "MQTT-3.1.2-13"), "Will Retain must be 0 when the Will Flag is 0");
        }
        if (willQos == 3) {
            throw in.malformed(in.rule("MQTT-3.1.2-14", "MQTT-3.1.2-12"), "Will QoS must not be 3");
        }
        boolean hasUser = (flags & USER_NAME) != 0;
        boolean hasPassword = (flags & PASSWORD) != 0;
        if (!in.isV5() && hasPassword && !hasUser) {
            throw in.malformed("MQTT-3.1.2-22", "the Password Flag must be 0 when the User Name Flag is 0");
        }
        int keepAlive = in.u16("keep alive");
        Properties properties = Properties.EMPTY;
        if (in.isV5()) {
            properties = PropertiesDecoder.read(in, PacketType.CONNECT, false);
            requireMethodWithData(in, properties);
        }

        // [MQTT-3.1.3-1] client identifier, will properties, will topic, will payload, user name, password
        String clientId = in.string("client identifier");
        Will will = null;
        if (willFlag) {
            Properties willProperties = in.isV5() ? PropertiesDecoder.read(in, PacketType.CONNECT, true) : Properties.EMPTY;
            String topic = in.string("will topic");
            if (topic.isEmpty()) {
                throw in.topicNameInvalid("MQTT-4.7.3-1", "the will topic must be at least one character long");
            }
            if (Topics.hasWildcard(topic)) {
                throw in.topicNameInvalid(in.rule("MQTT-4.7.1-1", "MQTT-4.7.0-1"), "the will topic must not contain wildcards: '" + topic + "'");
            }
            Bytes payload = in.binary("will payload");
            will = new Will(topic, payload, QoS.of(willQos), willRetain, willProperties);
        }
        String username = hasUser ? in.string("user name") : null;
        Bytes password = hasPassword ? in.binary("password") : null;
        return new Connect(version, clientId, (flags & CLEAN_START) != 0, keepAlive, username, password, will, properties);
    }

    static ConnAck connAck(PacketReader in) {
        int ackFlags = in.u8("connect acknowledge flags");
        if ((ackFlags & 0xFE) != 0 || (in.version() == MqttVersion.V3_1 && ackFlags != 0)) {
            throw in.malformed(in.rule("§3.2.2.1", "MQTT-3.2.2-1"), "reserved connect acknowledge flags must be 0");
        }
        boolean sessionPresent = (ackFlags & 0x01) != 0;
        int code = in.u8("connect reason code");
        if (in.isV5() && in.remaining() == 0 && code >= 1 && code <= 5) {
            // a 3.1.1 server refusing a 5.0 CONNECT answers in its own words ([MQTT-3.1.2-2] of 3.1.1:
            // return code 1, unacceptable protocol version), without properties: read as its 5.0 code, 0x84
            @Nullable ReasonCode refusal = ReasonCode.ofV3ConnectReturnCode(code);
            if (refusal != null && !sessionPresent) {
                return new ConnAck(false, refusal, Properties.EMPTY);
            }
        }
        @Nullable ReasonCode reasonCode = in.isV5()
                ? ReasonCode.of(PacketType.CONNACK, code)
                : ReasonCode.ofV3ConnectReturnCode(code);
        if (reasonCode == null) {
            throw in.malformed(in.rule("§3.2.2.3", "MQTT-3.2.2-8"), "0x" + Integer.toHexString(code) + " is not a CONNACK code");
        }
        if (sessionPresent && reasonCode.isError()) {
            throw in.protocolError(in.rule("MQTT-3.2.2-4", "MQTT-3.2.2-6"),
                    "a CONNACK that refuses the connection must have Session Present 0");
        }
        Properties properties = Properties.EMPTY;
        if (in.isV5()) {
            properties = PropertiesDecoder.read(in, PacketType.CONNACK, false);
            requireMethodWithData(in, properties);
        }
        return new ConnAck(sessionPresent, reasonCode, properties);
    }

    /** Authentication Data without an Authentication Method is a Protocol Error (5.0 §3.1.2.11.10). */
    static void requireMethodWithData(PacketReader in, Properties properties) {
        if (properties.contains(PropertyId.AUTHENTICATION_DATA) && !properties.contains(PropertyId.AUTHENTICATION_METHOD)) {
            throw in.protocolError("§3.1.2.11.10", "Authentication Data without an Authentication Method");
        }
    }
}
