package io.starling.broker.conformance;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Byte builders for the MQTT 3.1 and 3.1.1 packets the conformance tests send and expect. They
 * are written by hand from the specification's figures, independently of starling-codec, so that
 * a test does not check the broker's encoder against itself. A test that is about the layout of
 * a packet spells its bytes out with a comment per field instead of calling these.
 */
final class Packets {
    private Packets() {}

    // ---- primitives ----

    /** Bytes from ints, so that literals above 0x7F need no casts: {@code bytes(0x82, 0x08, 'a')}. */
    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 0xFF) {
                throw new IllegalArgumentException("not a byte: " + values[i]);
            }
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A UTF-8 encoded string: two-byte big-endian length, then the bytes (§1.5.3). */
    static byte[] string(String s) {
        return lengthPrefixed(utf8(s));
    }

    /** Binary data or an already-encoded string: two-byte big-endian length, then the bytes. */
    static byte[] lengthPrefixed(byte[] data) {
        return concat(u16(data.length), data);
    }

    static byte[] u16(int value) {
        return bytes(value >>> 8 & 0xFF, value & 0xFF);
    }

    /** The Remaining Length: 7 bits per byte, least significant first, bit 7 set when more follow (§2.2.3). */
    static byte[] remainingLength(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int digit = value % 128;
            value /= 128;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
        return out.toByteArray();
    }

    /** A packet from its first byte and its body: the Remaining Length is computed. */
    static byte[] packet(int firstByte, byte[]... body) {
        byte[] rest = concat(body);
        return concat(bytes(firstByte), remainingLength(rest.length), rest);
    }

    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes);
    }

    // ---- CONNECT ----

    /** A CONNECT being built: MQTT 3.1.1 (or 3.1), clean session, keep alive 60 s unless told otherwise. */
    static final class Connect {
        private final String protocolName;
        private final int level;
        private final String clientId;
        private boolean clean = true;
        private int keepAlive = 60;
        private String willTopic;
        private byte[] willPayload;
        private int willQos;
        private boolean willRetain;
        private String user;
        private byte[] password;

        private Connect(String protocolName, int level, String clientId) {
            this.protocolName = protocolName;
            this.level = level;
            this.clientId = clientId;
        }

        Connect clean(boolean clean) {
            this.clean = clean;
            return this;
        }

        Connect keepAlive(int seconds) {
            this.keepAlive = seconds;
            return this;
        }

        Connect will(String topic, String payload, int qos, boolean retain) {
            this.willTopic = topic;
            this.willPayload = utf8(payload);
            this.willQos = qos;
            this.willRetain = retain;
            return this;
        }

        Connect user(String user) {
            this.user = user;
            return this;
        }

        Connect password(String password) {
            this.password = utf8(password);
            return this;
        }

        byte[] build() {
            int flags = (clean ? 0x02 : 0)
                    | (willTopic != null ? 0x04 | willQos << 3 | (willRetain ? 0x20 : 0) : 0)
                    | (password != null ? 0x40 : 0)
                    | (user != null ? 0x80 : 0);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(string(protocolName));
            body.write(level);
            body.write(flags);
            body.writeBytes(u16(keepAlive));
            body.writeBytes(string(clientId));
            if (willTopic != null) {
                body.writeBytes(string(willTopic));
                body.writeBytes(lengthPrefixed(willPayload));
            }
            if (user != null) {
                body.writeBytes(string(user));
            }
            if (password != null) {
                body.writeBytes(lengthPrefixed(password));
            }
            return packet(0x10, body.toByteArray());
        }
    }

    /** An MQTT 3.1.1 CONNECT: protocol name "MQTT", level 4. */
    static Connect connect311(String clientId) {
        return new Connect("MQTT", 4, clientId);
    }

    /** An MQTT 3.1 CONNECT: protocol name "MQIsdp", level 3. */
    static Connect connect31(String clientId) {
        return new Connect("MQIsdp", 3, clientId);
    }

    /** A CONNACK as 3.1.1 lays it out: 20 02, acknowledge flags (bit 0 session present), return code. */
    static byte[] connack(boolean sessionPresent, int returnCode) {
        return bytes(0x20, 0x02, sessionPresent ? 0x01 : 0x00, returnCode);
    }

    static final byte[] CONNACK_ACCEPTED = connack(false, 0x00);
    static final byte[] CONNACK_ACCEPTED_SESSION_PRESENT = connack(true, 0x00);

    // ---- PUBLISH and its acknowledgements ----

    /** A PUBLISH with every fixed-header flag given; {@code packetId} is written only for QoS 1 and 2. */
    static byte[] publish(boolean dup, int qos, boolean retain, String topic, int packetId, byte[] payload) {
        int first = 0x30 | (dup ? 0x08 : 0) | qos << 1 | (retain ? 0x01 : 0);
        return packet(first, string(topic), qos > 0 ? u16(packetId) : new byte[0], payload);
    }

    static byte[] publish(int qos, boolean retain, String topic, int packetId, String payload) {
        return publish(false, qos, retain, topic, packetId, utf8(payload));
    }

    /** A QoS 0 PUBLISH, RETAIN 0. */
    static byte[] publish0(String topic, String payload) {
        return publish(0, false, topic, 0, payload);
    }

    /** A QoS 1 PUBLISH, RETAIN 0, DUP 0. */
    static byte[] publish1(String topic, int packetId, String payload) {
        return publish(1, false, topic, packetId, payload);
    }

    /** A QoS 2 PUBLISH, RETAIN 0, DUP 0. */
    static byte[] publish2(String topic, int packetId, String payload) {
        return publish(2, false, topic, packetId, payload);
    }

    static byte[] puback(int packetId) {
        return concat(bytes(0x40, 0x02), u16(packetId));
    }

    static byte[] pubrec(int packetId) {
        return concat(bytes(0x50, 0x02), u16(packetId));
    }

    /** PUBREL: fixed-header flags 0010 [MQTT-3.6.1-1]. */
    static byte[] pubrel(int packetId) {
        return concat(bytes(0x62, 0x02), u16(packetId));
    }

    static byte[] pubcomp(int packetId) {
        return concat(bytes(0x70, 0x02), u16(packetId));
    }

    // ---- SUBSCRIBE, UNSUBSCRIBE ----

    /** A SUBSCRIBE (flags 0010) of one filter. */
    static byte[] subscribe(int packetId, String filter, int qos) {
        return packet(0x82, u16(packetId), string(filter), bytes(qos));
    }

    /** A SUBSCRIBE (flags 0010) of filter/QoS pairs: {@code subscribe(1, "a", 0, "b", 1)}. */
    static byte[] subscribe(int packetId, Object... filterQosPairs) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(u16(packetId));
        for (int i = 0; i < filterQosPairs.length; i += 2) {
            body.writeBytes(string((String) filterQosPairs[i]));
            body.write((Integer) filterQosPairs[i + 1]);
        }
        return packet(0x82, body.toByteArray());
    }

    static byte[] suback(int packetId, int... returnCodes) {
        return packet(0x90, u16(packetId), bytes(returnCodes));
    }

    /** An UNSUBSCRIBE (flags 0010). */
    static byte[] unsubscribe(int packetId, String... filters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(u16(packetId));
        for (String filter : filters) {
            body.writeBytes(string(filter));
        }
        return packet(0xA2, body.toByteArray());
    }

    static byte[] unsuback(int packetId) {
        return concat(bytes(0xB0, 0x02), u16(packetId));
    }

    // ---- the rest ----

    static byte[] pingreq() {
        return bytes(0xC0, 0x00);
    }

    static byte[] pingresp() {
        return bytes(0xD0, 0x00);
    }

    static byte[] disconnect() {
        return bytes(0xE0, 0x00);
    }
}
