package io.starling.cli.bench.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import org.jspecify.annotations.Nullable;

/**
 * One publisher's PUBLISH, encoded once by the codec: per message only the packet identifier and
 * the sequence number and send time of the {@link PayloadHeader} are patched into a copy of the
 * head, appended to the publisher's batch buffer. The head is everything up to the end of the
 * payload header, plus the padding when it is short; a padding of {@value #SHARED_PADDING} bytes
 * or more is not copied but written as a retained duplicate of one shared buffer, which the
 * channel gathers into the same write. In MQTT 5.0 the PUBLISH carries no properties: its
 * variable header ends with a property length of 0, one byte between the packet identifier and
 * the payload, so the per-message work is the same as in 3.1.1.
 */
public final class PublishTemplate implements AutoCloseable {
    /** Padding this long is shared between messages rather than copied into each. */
    static final int SHARED_PADDING = 512;

    private final ByteBuf head;
    /** The head's bytes again, on the heap: copying from an array is the fastest way into a pooled buffer. */
    private final byte[] headBytes;
    private final @Nullable ByteBuf padding;
    private final int packetIdOffset;
    private final int headerOffset;
    private final QoS qos;

    /**
     * @param payloadSize bytes of payload, at least {@link PayloadHeader#SIZE}
     * @throws IllegalArgumentException for a topic a PUBLISH cannot carry
     */
    public PublishTemplate(MqttVersion version, String topic, QoS qos, int payloadSize, int run, int publisher) {
        if (payloadSize < PayloadHeader.SIZE) {
            throw new IllegalArgumentException("the payload size is at least " + PayloadHeader.SIZE
                    + " bytes (the bench header), not " + payloadSize);
        }
        this.qos = qos;
        ByteBuf payload = Unpooled.buffer(payloadSize, payloadSize);
        PayloadHeader.write(payload, run, publisher, 0, 0);
        payload.writeZero(payloadSize - PayloadHeader.SIZE);
        Publish publish = new Publish(topic, qos, false, false, qos == QoS.AT_MOST_ONCE ? 0 : 1, payload);
        PacketEncoder encoder = new PacketEncoder(version);
        ByteBuf encoded = Unpooled.directBuffer(encoder.encodedSize(publish));
        try {
            encoder.encode(publish, encoded);
        } finally {
            publish.release();
        }
        int size = encoded.readableBytes();
        this.headerOffset = size - payloadSize;
        // 3.1 and 3.1.1: the packet identifier is the last field before the payload; 5.0 [MQTT-2.2.2-1]: then
        // the property length, a variable byte integer of one byte for no properties
        this.packetIdOffset = headerOffset - 2 - (version.isV5() ? 1 : 0);
        int paddingSize = payloadSize - PayloadHeader.SIZE;
        if (paddingSize >= SHARED_PADDING) {
            int headSize = size - paddingSize;
            this.head = encoded.retainedSlice(0, headSize);
            this.padding = encoded.retainedSlice(headSize, paddingSize);
            encoded.release();
        } else {
            this.head = encoded;
            this.padding = null;
        }
        this.headBytes = new byte[head.readableBytes()];
        head.getBytes(head.readerIndex(), headBytes);
    }

    public QoS qos() {
        return qos;
    }

    /** Bytes per message on the wire, to check against the broker's Maximum Packet Size. */
    public int packetSize() {
        return head.readableBytes() + (padding == null ? 0 : padding.readableBytes());
    }

    /** Bytes of the head: the whole packet unless the padding is shared. */
    public int headSize() {
        return headBytes.length;
    }

    /**
     * Appends the head of message {@code sequence} to {@code out}, with {@code packetId} (ignored
     * at QoS 0) and {@code sendTime} patched in; when {@link #padding()} is not null, the caller
     * writes it next.
     */
    public void writeHead(ByteBuf out, int packetId, long sequence, long sendTime) {
        int at = out.writerIndex();
        out.writeBytes(headBytes);
        if (qos != QoS.AT_MOST_ONCE) {
            out.setShort(at + packetIdOffset, packetId);
        }
        out.setLong(at + headerOffset + PayloadHeader.SEQUENCE_OFFSET, sequence);
        out.setLong(at + headerOffset + PayloadHeader.SEND_TIME_OFFSET, sendTime);
    }

    /** The shared padding to write after the head (retain it per write), or null when the head holds it. */
    public @Nullable ByteBuf padding() {
        return padding;
    }

    @Override
    public void close() {
        head.release();
        if (padding != null) {
            padding.release();
        }
    }
}
