package io.starling.cluster.wire;

import static io.starling.cluster.wire.FrameFields.bytes;
import static io.starling.cluster.wire.FrameFields.readString;
import static io.starling.cluster.wire.FrameFields.writeString;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.broker.model.Message;
import io.starling.codec.decode.PacketDecodeException;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the nodes of a cluster send each other, as bytes. Every frame starts with its {@link Kind},
 * then the sender's node name. Messages travel as an MQTT 5.0 PUBLISH (the codec's own encoder and
 * decoder, so topic, QoS, retain, properties and payload keep exactly their MQTT form) preceded by
 * what PUBLISH cannot say: the publisher's client identifier and the expiry deadline, and in a
 * FORWARD frame the shared subscriptions the receiver was picked for.
 */
public final class ClusterWire {
    /** The frame kinds. */
    public enum Kind {
        /** Route changes of the sender, in order: each an add or a remove of one filter. */
        ROUTES,
        /** The sender's whole route set, for a node that joined (or merged). */
        ROUTE_SET,
        /** Messages forwarded to the receiver, in publish order, each with the shared subscriptions it was picked for. */
        FORWARD,
        /** Retained changes (an empty payload: removed), or a batch of a retained snapshot. */
        RETAINED,
        /** A node asks the receiver to give up a session its client took over there ({@link SessionWire}). */
        TAKE,
        /** The answer to TAKE: the session's state, none, or why it failed ({@link SessionWire}). */
        SESSION,
        /** Changes of the sender's persistent sessions for a backup, or a snapshot of them (replication). */
        REPLICATE,
        /** A backup's acknowledgement of a REPLICATE batch. */
        REPLICATED
    }

    /** One change of a route: {@code add} true for a new filter, false for a removed one. */
    public record RouteChange(boolean add, String filter) {}

    /**
     * A message forwarded to the receiver, and the shared subscriptions ({@code
     * $share/{group}/{filter}}, usually none) whose turn the receiver has with it: it delivers the
     * message to one of its own members of each.
     */
    public record Forwarded(Message message, List<String> shares) {}

    /**
     * A decoded frame: its kind, its sender, and the routes, retained messages or forwarded
     * messages it carries (the other lists empty).
     */
    public record Frame(Kind kind, String sender, List<RouteChange> routes, List<Message> messages, List<Forwarded> forwarded) {}

    private static final PacketEncoder ENCODER = new PacketEncoder(MqttVersion.V5);
    /** CONNACK 5.0: no session present, success, no properties. */
    private static final byte[] CONNACK = {0x20, 0x03, 0x00, 0x00, 0x00};

    private ClusterWire() {}

    /** A ROUTES frame (or ROUTE_SET, every change an add). */
    public static byte[] routes(Kind kind, String sender, List<RouteChange> changes) {
        ByteBuf out = Unpooled.buffer(64 + changes.size() * 32);
        try {
            out.writeByte(kind.ordinal());
            writeString(out, sender);
            out.writeInt(changes.size());
            for (RouteChange change : changes) {
                out.writeBoolean(change.add());
                writeString(out, change.filter());
            }
            return bytes(out);
        } finally {
            out.release();
        }
    }

    /** A RETAINED frame carrying {@code messages} in order. */
    public static byte[] messages(Kind kind, String sender, List<Message> messages) {
        if (kind != Kind.RETAINED) {
            throw new IllegalArgumentException("a frame of messages is RETAINED, not " + kind);
        }
        ByteBuf out = Unpooled.buffer(256 + messages.size() * 64);
        try {
            out.writeByte(kind.ordinal());
            writeString(out, sender);
            out.writeInt(messages.size());
            for (Message message : messages) {
                writeMessage(out, message);
            }
            return bytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * A FORWARD frame carrying {@code messages} in order: each message as in a RETAINED frame,
     * preceded by the number of its shared subscriptions and each of them.
     */
    public static byte[] forward(String sender, List<Forwarded> messages) {
        ByteBuf out = Unpooled.buffer(256 + messages.size() * 64);
        try {
            out.writeByte(Kind.FORWARD.ordinal());
            writeString(out, sender);
            out.writeInt(messages.size());
            for (Forwarded forwarded : messages) {
                out.writeInt(forwarded.shares().size());
                for (String share : forwarded.shares()) {
                    writeString(out, share);
                }
                writeMessage(out, forwarded.message());
            }
            return bytes(out);
        } finally {
            out.release();
        }
    }

    private static void writeMessage(ByteBuf out, Message message) {
        out.writeLong(message.expiresAtMillis());
        writeString(out, message.publisherId());
        // packet identifier 1: PUBLISH needs one above QoS 0; the receiver ignores it
        Publish publish = new Publish(message.topic(), message.qos(), false, message.retain(),
                message.qos() == QoS.AT_MOST_ONCE ? 0 : 1, message.properties(), Unpooled.wrappedBuffer(message.payload()));
        ENCODER.encode(publish, out);
    }

    /**
     * Decodes one frame.
     *
     * @throws IllegalArgumentException if the bytes are not a frame this version writes
     */
    public static Frame decode(byte[] frame, int offset, int length) {
        ByteBuf in = Unpooled.wrappedBuffer(frame, offset, length);
        try {
            int ordinal = in.readUnsignedByte();
            if (ordinal >= Kind.values().length) {
                throw new IllegalArgumentException("unknown cluster frame kind " + ordinal);
            }
            Kind kind = Kind.values()[ordinal];
            if (kind == Kind.TAKE || kind == Kind.SESSION || kind == Kind.REPLICATE || kind == Kind.REPLICATED) {
                throw new IllegalArgumentException(kind + " frames are read by their own wire classes");
            }
            String sender = readString(in);
            int count = in.readInt();
            if (count < 0 || count > in.readableBytes()) {
                throw new IllegalArgumentException("a cluster frame cannot hold " + count + " entries");
            }
            List<RouteChange> routes = new ArrayList<>();
            List<Message> messages = new ArrayList<>();
            List<Forwarded> forwarded = new ArrayList<>();
            if (kind == Kind.ROUTES || kind == Kind.ROUTE_SET) {
                for (int i = 0; i < count; i++) {
                    boolean add = in.readBoolean();
                    routes.add(new RouteChange(add, readString(in)));
                }
            } else if (kind == Kind.FORWARD) {
                PacketDecoder decoder = publishDecoder();
                for (int i = 0; i < count; i++) {
                    List<String> shares = readShares(in);
                    forwarded.add(new Forwarded(readMessage(in, decoder), shares));
                }
            } else {
                PacketDecoder decoder = publishDecoder();
                for (int i = 0; i < count; i++) {
                    messages.add(readMessage(in, decoder));
                }
            }
            if (in.isReadable()) {
                throw new IllegalArgumentException(in.readableBytes() + " bytes after the end of a cluster frame");
            }
            return new Frame(kind, sender, routes, messages, forwarded);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("a cluster frame ends early", e);
        } catch (PacketDecodeException e) {
            throw new IllegalArgumentException("a cluster frame holds a bad PUBLISH: " + e.getMessage(), e);
        } finally {
            in.release();
        }
    }

    private static Message readMessage(ByteBuf in, PacketDecoder decoder) {
        long expiresAt = in.readLong();
        String publisherId = readString(in);
        return message(decoder.decode(in), publisherId, expiresAt);
    }

    /** The shared subscriptions of a forwarded message: each a valid {@code $share/{group}/{filter}}. */
    private static List<String> readShares(ByteBuf in) {
        int count = in.readInt();
        if (count == 0) {
            return List.of();
        }
        if (count < 0 || count > in.readableBytes()) {
            throw new IllegalArgumentException("a forwarded message cannot name " + count + " shared subscriptions");
        }
        List<String> shares = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String share = readString(in);
            if (!Topics.isShared(share) || Topics.filterViolation(share, MqttVersion.V5) != null) {
                throw new IllegalArgumentException("a forwarded message names '" + share + "', not a shared subscription");
            }
            shares.add(share);
        }
        return List.copyOf(shares);
    }

    /**
     * A decoder of a server's packets, past the handshake: one per frame, since a decoder that
     * failed once refuses to go on. The codec reads PUBLISH on the client side only after CONNACK
     * [MQTT-3.2.0-1], so it is given one first.
     */
    private static PacketDecoder publishDecoder() {
        PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE);
        ByteBuf connack = Unpooled.wrappedBuffer(CONNACK);
        try {
            decoder.decode(connack);
        } finally {
            connack.release();
        }
        return decoder;
    }

    private static Message message(@Nullable Packet packet, String publisherId, long expiresAt) {
        if (!(packet instanceof Publish publish)) {
            throw new IllegalArgumentException("a cluster frame holds " + (packet == null ? "a cut packet" : packet.type()) + ", not PUBLISH");
        }
        try {
            byte[] payload = new byte[publish.payload().readableBytes()];
            publish.payload().getBytes(publish.payload().readerIndex(), payload);
            return new Message(publish.topic(), publish.qos(), publish.retained(), payload, publisherId, publish.properties(), expiresAt);
        } finally {
            publish.release();
        }
    }



}
