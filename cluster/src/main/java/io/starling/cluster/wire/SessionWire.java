package io.starling.cluster.wire;

import static io.starling.cluster.wire.FrameFields.bytes;
import static io.starling.cluster.wire.FrameFields.readCount;
import static io.starling.cluster.wire.FrameFields.readOptions;
import static io.starling.cluster.wire.FrameFields.readString;
import static io.starling.cluster.wire.FrameFields.writeOptions;
import static io.starling.cluster.wire.FrameFields.writeString;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.broker.cluster.SessionState;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The frames of a session hand-over: {@link ClusterWire.Kind#TAKE}, a node asking the node that
 * held a session to give it up, and {@link ClusterWire.Kind#SESSION}, the answer with the
 * session's state (its messages as a {@link ClusterWire} message list, so that they travel exactly
 * as forwarded ones do).
 */
public final class SessionWire {
    /**
     * A TAKE: request {@code id} from {@code sender} for the session of {@code clientId}; with a
     * {@code replicaOf} node name (else empty), for the replica of the session that node held
     * before it died.
     */
    public record Take(String sender, long id, String clientId, boolean cleanStart, String replicaOf) {
        public Take(String sender, long id, String clientId, boolean cleanStart) {
            this(sender, id, clientId, cleanStart, "");
        }
    }

    /** What SESSION says: the state handed over, none (nothing goes on), or the failure. */
    public enum Outcome { STATE, NONE, FAILED }

    /** A SESSION: the answer to request {@code id}; {@code state} with STATE, {@code failure} with FAILED. */
    public record Answer(String sender, long id, Outcome outcome, @Nullable SessionState state, String failure) {}

    private SessionWire() {}

    /** Whether {@code frame} (from {@code offset}) is a TAKE or SESSION frame. */
    public static boolean isSessionFrame(byte[] frame, int offset, int length) {
        return FrameFields.startsWith(frame, offset, length, ClusterWire.Kind.TAKE, ClusterWire.Kind.SESSION);
    }

    public static byte[] take(Take take) {
        ByteBuf out = Unpooled.buffer(64);
        try {
            out.writeByte(ClusterWire.Kind.TAKE.ordinal());
            writeString(out, take.sender());
            out.writeLong(take.id());
            writeString(out, take.clientId());
            out.writeBoolean(take.cleanStart());
            writeString(out, take.replicaOf());
            return bytes(out);
        } finally {
            out.release();
        }
    }

    public static byte[] answer(Answer answer) {
        ByteBuf out = Unpooled.buffer(256);
        try {
            out.writeByte(ClusterWire.Kind.SESSION.ordinal());
            writeString(out, answer.sender());
            out.writeLong(answer.id());
            out.writeByte(answer.outcome().ordinal());
            switch (answer.outcome()) {
                case FAILED -> writeString(out, answer.failure());
                case NONE -> { }
                case STATE -> writeState(out, answer.sender(), requireState(answer.state()));
            }
            return bytes(out);
        } finally {
            out.release();
        }
    }

    /** Decodes a TAKE or a SESSION frame. @throws IllegalArgumentException if it is neither, or broken */
    public static Object decode(byte[] frame, int offset, int length) {
        ByteBuf in = Unpooled.wrappedBuffer(frame, offset, length);
        try {
            int kind = in.readUnsignedByte();
            String sender = readString(in);
            long id = in.readLong();
            Object decoded;
            if (kind == ClusterWire.Kind.TAKE.ordinal()) {
                decoded = new Take(sender, id, readString(in), in.readBoolean(), readString(in));
            } else if (kind == ClusterWire.Kind.SESSION.ordinal()) {
                int outcome = in.readUnsignedByte();
                if (outcome >= Outcome.values().length) {
                    throw new IllegalArgumentException("unknown hand-over outcome " + outcome);
                }
                decoded = switch (Outcome.values()[outcome]) {
                    case FAILED -> new Answer(sender, id, Outcome.FAILED, null, readString(in));
                    case NONE -> new Answer(sender, id, Outcome.NONE, null, "");
                    case STATE -> new Answer(sender, id, Outcome.STATE, readState(in), "");
                };
            } else {
                throw new IllegalArgumentException("not a hand-over frame: kind " + kind);
            }
            if (in.isReadable()) {
                throw new IllegalArgumentException(in.readableBytes() + " bytes after the end of a hand-over frame");
            }
            return decoded;
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("a hand-over frame ends early", e);
        } finally {
            in.release();
        }
    }

    private static SessionState requireState(@Nullable SessionState state) {
        if (state == null) {
            throw new IllegalArgumentException("a STATE answer carries a state");
        }
        return state;
    }

    private static void writeState(ByteBuf out, String sender, SessionState state) {
        writeString(out, state.clientId());
        out.writeLong(state.expirySeconds());
        out.writeInt(state.subscriptions().size());
        state.subscriptions().forEach((filter, o) -> {
            writeString(out, filter);
            writeOptions(out, o);
        });
        out.writeInt(state.inbound().size());
        for (int packetId : state.inbound()) {
            out.writeShort(packetId);
        }
        out.writeInt(state.deliveries().size());
        List<Message> messages = new ArrayList<>(state.deliveries().size());
        for (SessionState.Delivery d : state.deliveries()) {
            out.writeByte(d.qos().value());
            out.writeBoolean(d.retain());
            out.writeInt(d.subscriptionIds().length);
            for (int subscriptionId : d.subscriptionIds()) {
                out.writeInt(subscriptionId);
            }
            out.writeShort(d.packetId());
            out.writeBoolean(d.released());
            messages.add(d.message());
        }
        Message will = state.will();
        out.writeBoolean(will != null);
        out.writeLong(state.willDelaySeconds());
        if (will != null) {
            messages.add(will);
        }
        byte[] list = ClusterWire.messages(ClusterWire.Kind.RETAINED, sender, messages);
        out.writeInt(list.length);
        out.writeBytes(list);
    }

    private static SessionState readState(ByteBuf in) {
        String clientId = readString(in);
        long expiry = in.readLong();
        int subscriptionCount = readCount(in, 8);
        Map<String, SubscriptionOptions> subscriptions = new LinkedHashMap<>();
        for (int i = 0; i < subscriptionCount; i++) {
            String filter = readString(in);
            subscriptions.put(filter, readOptions(in));
        }
        int inboundCount = readCount(in, 2);
        Set<Integer> inbound = new HashSet<>();
        for (int i = 0; i < inboundCount; i++) {
            inbound.add(in.readUnsignedShort());
        }
        int deliveryCount = readCount(in, 8);
        record Head(QoS qos, boolean retain, int[] ids, int packetId, boolean released) {}
        List<Head> heads = new ArrayList<>(deliveryCount);
        for (int i = 0; i < deliveryCount; i++) {
            QoS qos = QoS.of(in.readUnsignedByte());
            boolean retain = in.readBoolean();
            int[] ids = new int[readCount(in, 4)];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = in.readInt();
            }
            heads.add(new Head(qos, retain, ids, in.readUnsignedShort(), in.readBoolean()));
        }
        boolean hasWill = in.readBoolean();
        long willDelay = in.readLong();
        int listLength = readCount(in, 1);
        byte[] list = new byte[listLength];
        in.readBytes(list);
        List<Message> messages = ClusterWire.decode(list, 0, list.length).messages();
        if (messages.size() != heads.size() + (hasWill ? 1 : 0)) {
            throw new IllegalArgumentException("a hand-over frame has " + heads.size() + " deliveries and " + messages.size() + " messages");
        }
        Message will = hasWill ? messages.get(heads.size()) : null;
        List<SessionState.Delivery> deliveries = new ArrayList<>(heads.size());
        for (int i = 0; i < heads.size(); i++) {
            Head h = heads.get(i);
            deliveries.add(new SessionState.Delivery(messages.get(i), h.qos(), h.retain(), h.ids(), h.packetId(), h.released()));
        }
        return new SessionState(clientId, expiry, subscriptions, deliveries, inbound, will, willDelay);
    }




}
