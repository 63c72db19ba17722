package io.starling.cluster.replication;

import static io.starling.cluster.wire.FrameFields.bytes;
import static io.starling.cluster.wire.FrameFields.readCount;
import static io.starling.cluster.wire.FrameFields.readOptions;
import static io.starling.cluster.wire.FrameFields.readString;
import static io.starling.cluster.wire.FrameFields.writeOptions;
import static io.starling.cluster.wire.FrameFields.writeString;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.broker.cluster.SessionChange;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.cluster.wire.ClusterWire;
import io.starling.cluster.wire.FrameFields;
import io.starling.codec.packet.QoS;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of replication: {@link ClusterWire.Kind#REPLICATE}, a batch of an origin node's
 * session changes for one of its backups (or, flagged, a snapshot of all its sessions), and
 * {@link ClusterWire.Kind#REPLICATED}, the backup's acknowledgement of a batch. The messages the
 * changes carry travel as a {@link ClusterWire} message list, exactly as forwarded ones do.
 */
public final class ReplicationWire {
    /** A batch: {@code id} counts the origin's batches; a snapshot is not waited for by anyone. */
    public record Batch(String origin, long id, boolean snapshot, List<SessionChange> changes) {}

    /** The acknowledgement of batch {@code id} by {@code backup}. */
    public record Ack(String backup, long id) {}

    private static final int SESSION = 1;
    private static final int WILL = 2;
    private static final int WILL_REMOVED = 3;
    private static final int SESSION_REMOVED = 4;
    private static final int SUBSCRIBED = 5;
    private static final int UNSUBSCRIBED = 6;
    private static final int MESSAGE = 7;
    private static final int MESSAGE_RELEASED = 8;
    private static final int QUEUED = 9;
    private static final int DEQUEUED = 10;
    private static final int INBOUND = 11;
    private static final int INBOUND_RELEASED = 12;
    private static final int RETAINED = 13;
    private static final int RETAINED_REMOVED = 14;

    private ReplicationWire() {}

    /** Whether {@code frame} is a REPLICATE or REPLICATED frame. */
    public static boolean isReplicationFrame(byte[] frame, int offset, int length) {
        return FrameFields.startsWith(frame, offset, length, ClusterWire.Kind.REPLICATE, ClusterWire.Kind.REPLICATED);
    }

    public static byte[] ack(Ack ack) {
        ByteBuf out = Unpooled.buffer(32);
        try {
            out.writeByte(ClusterWire.Kind.REPLICATED.ordinal());
            writeString(out, ack.backup());
            out.writeLong(ack.id());
            return bytes(out);
        } finally {
            out.release();
        }
    }

    public static byte[] batch(Batch batch) {
        ByteBuf out = Unpooled.buffer(128 + batch.changes().size() * 48);
        try {
            out.writeByte(ClusterWire.Kind.REPLICATE.ordinal());
            writeString(out, batch.origin());
            out.writeLong(batch.id());
            out.writeBoolean(batch.snapshot());
            out.writeInt(batch.changes().size());
            List<Message> messages = new ArrayList<>();
            for (SessionChange change : batch.changes()) {
                write(out, change, messages);
            }
            byte[] list = ClusterWire.messages(ClusterWire.Kind.RETAINED, batch.origin(), messages);
            out.writeInt(list.length);
            out.writeBytes(list);
            return bytes(out);
        } finally {
            out.release();
        }
    }

    /** Decodes a REPLICATE ({@link Batch}) or REPLICATED ({@link Ack}) frame. @throws IllegalArgumentException if broken */
    public static Object decode(byte[] frame, int offset, int length) {
        ByteBuf in = Unpooled.wrappedBuffer(frame, offset, length);
        try {
            int kind = in.readUnsignedByte();
            String sender = readString(in);
            long id = in.readLong();
            Object decoded;
            if (kind == ClusterWire.Kind.REPLICATED.ordinal()) {
                decoded = new Ack(sender, id);
            } else if (kind == ClusterWire.Kind.REPLICATE.ordinal()) {
                boolean snapshot = in.readBoolean();
                int count = readCount(in, 5);
                List<Object[]> heads = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    heads.add(readHead(in));
                }
                byte[] list = new byte[readCount(in, 1)];
                in.readBytes(list);
                List<Message> messages = ClusterWire.decode(list, 0, list.length).messages();
                decoded = new Batch(sender, id, snapshot, changes(heads, messages));
            } else {
                throw new IllegalArgumentException("not a replication frame: kind " + kind);
            }
            if (in.isReadable()) {
                throw new IllegalArgumentException(in.readableBytes() + " bytes after the end of a replication frame");
            }
            return decoded;
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("a replication frame ends early", e);
        } finally {
            in.release();
        }
    }

    private static void write(ByteBuf out, SessionChange change, List<Message> messages) {
        if (change instanceof SessionChange.Session c) {
            out.writeByte(SESSION);
            writeString(out, c.clientId());
            out.writeLong(c.offlineSinceMillis());
            out.writeLong(c.expirySeconds());
        } else if (change instanceof SessionChange.Will c) {
            out.writeByte(WILL);
            writeString(out, c.clientId());
            out.writeLong(c.delaySeconds());
            messages.add(c.will());
        } else if (change instanceof SessionChange.WillRemoved c) {
            out.writeByte(WILL_REMOVED);
            writeString(out, c.clientId());
        } else if (change instanceof SessionChange.SessionRemoved c) {
            out.writeByte(SESSION_REMOVED);
            writeString(out, c.clientId());
        } else if (change instanceof SessionChange.Subscribed c) {
            out.writeByte(SUBSCRIBED);
            writeString(out, c.clientId());
            writeString(out, c.filter());
            writeOptions(out, c.options());
        } else if (change instanceof SessionChange.Unsubscribed c) {
            out.writeByte(UNSUBSCRIBED);
            writeString(out, c.clientId());
            writeString(out, c.filter());
        } else if (change instanceof SessionChange.MessageStored c) {
            out.writeByte(MESSAGE);
            out.writeLong(c.id());
            messages.add(c.message());
        } else if (change instanceof SessionChange.MessageReleased c) {
            out.writeByte(MESSAGE_RELEASED);
            out.writeLong(c.id());
        } else if (change instanceof SessionChange.Queued c) {
            out.writeByte(QUEUED);
            writeString(out, c.clientId());
            out.writeLong(c.seq());
            out.writeLong(c.messageId());
            out.writeByte(c.qos().value());
            out.writeBoolean(c.retain());
            out.writeInt(c.subscriptionIds().length);
            for (int subscriptionId : c.subscriptionIds()) {
                out.writeInt(subscriptionId);
            }
            out.writeShort(c.packetId());
            out.writeBoolean(c.released());
        } else if (change instanceof SessionChange.Dequeued c) {
            out.writeByte(DEQUEUED);
            writeString(out, c.clientId());
            out.writeLong(c.seq());
        } else if (change instanceof SessionChange.Inbound c) {
            out.writeByte(INBOUND);
            writeString(out, c.clientId());
            out.writeShort(c.packetId());
        } else if (change instanceof SessionChange.InboundReleased c) {
            out.writeByte(INBOUND_RELEASED);
            writeString(out, c.clientId());
            out.writeShort(c.packetId());
        } else if (change instanceof SessionChange.Retained c) {
            out.writeByte(RETAINED);
            messages.add(c.message());
        } else if (change instanceof SessionChange.RetainedRemoved c) {
            out.writeByte(RETAINED_REMOVED);
            writeString(out, c.topic());
        }
    }

    /** One change as read, before its message (if any) is attached: the kind, then its fields. */
    private static Object[] readHead(ByteBuf in) {
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case SESSION -> new Object[] {kind, readString(in), in.readLong(), in.readLong()};
            case WILL -> new Object[] {kind, readString(in), in.readLong()};
            case WILL_REMOVED, SESSION_REMOVED -> new Object[] {kind, readString(in)};
            case SUBSCRIBED -> {
                String clientId = readString(in);
                String filter = readString(in);
                yield new Object[] {kind, clientId, filter, readOptions(in)};
            }
            case UNSUBSCRIBED -> new Object[] {kind, readString(in), readString(in)};
            case MESSAGE, MESSAGE_RELEASED -> new Object[] {kind, in.readLong()};
            case QUEUED -> {
                String clientId = readString(in);
                long seq = in.readLong();
                long messageId = in.readLong();
                QoS qos = QoS.of(in.readUnsignedByte());
                boolean retain = in.readBoolean();
                int[] ids = new int[readCount(in, 4)];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = in.readInt();
                }
                yield new Object[] {kind, clientId, seq, messageId, qos, retain, ids, in.readUnsignedShort(), in.readBoolean()};
            }
            case DEQUEUED -> new Object[] {kind, readString(in), in.readLong()};
            case INBOUND, INBOUND_RELEASED -> new Object[] {kind, readString(in), in.readUnsignedShort()};
            case RETAINED -> new Object[] {kind};
            case RETAINED_REMOVED -> new Object[] {kind, readString(in)};
            default -> throw new IllegalArgumentException("unknown session change " + kind);
        };
    }

    private static List<SessionChange> changes(List<Object[]> heads, List<Message> messages) {
        List<SessionChange> changes = new ArrayList<>(heads.size());
        int nextMessage = 0;
        for (Object[] h : heads) {
            int kind = (Integer) h[0];
            SessionChange change = switch (kind) {
                case SESSION -> new SessionChange.Session((String) h[1], (Long) h[2], (Long) h[3]);
                case WILL -> new SessionChange.Will((String) h[1], message(messages, nextMessage++), (Long) h[2]);
                case WILL_REMOVED -> new SessionChange.WillRemoved((String) h[1]);
                case SESSION_REMOVED -> new SessionChange.SessionRemoved((String) h[1]);
                case SUBSCRIBED -> new SessionChange.Subscribed((String) h[1], (String) h[2], (SubscriptionOptions) h[3]);
                case UNSUBSCRIBED -> new SessionChange.Unsubscribed((String) h[1], (String) h[2]);
                case MESSAGE -> new SessionChange.MessageStored((Long) h[1], message(messages, nextMessage++));
                case MESSAGE_RELEASED -> new SessionChange.MessageReleased((Long) h[1]);
                case QUEUED -> new SessionChange.Queued((String) h[1], (Long) h[2], (Long) h[3], (QoS) h[4], (Boolean) h[5], (int[]) h[6],
                        (Integer) h[7], (Boolean) h[8]);
                case DEQUEUED -> new SessionChange.Dequeued((String) h[1], (Long) h[2]);
                case INBOUND -> new SessionChange.Inbound((String) h[1], (Integer) h[2]);
                case INBOUND_RELEASED -> new SessionChange.InboundReleased((String) h[1], (Integer) h[2]);
                case RETAINED -> new SessionChange.Retained(message(messages, nextMessage++));
                case RETAINED_REMOVED -> new SessionChange.RetainedRemoved((String) h[1]);
                default -> throw new IllegalArgumentException("unknown session change " + kind);
            };
            changes.add(change);
        }
        if (nextMessage != messages.size()) {
            throw new IllegalArgumentException("a replication frame carries " + messages.size() + " messages for " + nextMessage);
        }
        return changes;
    }

    private static Message message(List<Message> messages, int index) {
        if (index >= messages.size()) {
            throw new IllegalArgumentException("a replication frame carries too few messages");
        }
        return messages.get(index);
    }




}
