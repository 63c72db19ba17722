package io.starling.codec.decode;

import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.Topics;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK (sections 3.8 to 3.11). Topic filters must
 * be well-formed strings here; whether their wildcards are placed legally is left to the server,
 * which refuses such a filter alone with a SUBACK failure code.
 */
final class SubscriptionDecoder {
    private SubscriptionDecoder() {}

    static Subscribe subscribe(PacketReader in) {
        int packetId = AckDecoder.packetId(in, PacketType.SUBSCRIBE);
        Properties properties = in.isV5() ? PropertiesDecoder.read(in, PacketType.SUBSCRIBE, false) : Properties.EMPTY;
        List<Subscription> subscriptions = new ArrayList<>();
        while (in.hasRemaining()) {
            String filter = in.string("topic filter");
            int options = in.u8("subscription options");
            subscriptions.add(in.isV5() ? v5Subscription(in, filter, options) : v3Subscription(in, filter, options));
        }
        if (subscriptions.isEmpty()) {
            throw in.protocolError(in.rule("MQTT-3.8.3-3", "MQTT-3.8.3-2"), "a SUBSCRIBE must contain at least one topic filter");
        }
        return new Subscribe(packetId, subscriptions, properties);
    }

    private static Subscription v3Subscription(PacketReader in, String filter, int options) {
        if ((options & 0xFC) != 0 || (options & 0x03) == 3) {
            throw in.malformed("MQTT-3-8.3-4", "requested QoS byte 0x" + Integer.toHexString(options)
                    + " has reserved bits set or QoS 3");
        }
        return new Subscription(filter, QoS.of(options));
    }

    private static Subscription v5Subscription(PacketReader in, String filter, int options) {
        if ((options & 0xC0) != 0) {
            throw in.malformed("MQTT-3.8.3-5", "reserved bits 6 and 7 of the subscription options must be 0");
        }
        if ((options & 0x03) == 3) {
            throw in.protocolError("§3.8.3.1", "maximum QoS 3 in the subscription options");
        }
        int retainHandling = (options & 0x30) >>> 4;
        if (retainHandling == 3) {
            throw in.protocolError("§3.8.3.1", "Retain Handling 3 in the subscription options");
        }
        boolean noLocal = (options & 0x04) != 0;
        if (noLocal && filter.startsWith(Topics.SHARED_PREFIX)) {
            throw in.protocolError("MQTT-3.8.3-4", "No Local must not be set on a shared subscription");
        }
        return new Subscription(filter, QoS.of(options & 0x03), noLocal, (options & 0x08) != 0,
                RetainHandling.of(retainHandling));
    }

    static SubAck subAck(PacketReader in) {
        int packetId = AckDecoder.packetId(in, PacketType.SUBACK);
        Properties properties = in.isV5() ? PropertiesDecoder.read(in, PacketType.SUBACK, false) : Properties.EMPTY;
        List<ReasonCode> codes = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.isV5()) {
                codes.add(AckDecoder.reasonCode(in, PacketType.SUBACK));
            } else {
                int value = in.u8("return code");
                if (value > 2 && value != 0x80) {
                    throw in.malformed("MQTT-3.9.3-2", "0x" + Integer.toHexString(value) + " is not a SUBACK return code");
                }
                codes.add(ReasonCode.of(PacketType.SUBACK, value));
            }
        }
        if (codes.isEmpty()) {
            throw in.protocolError("§3.9.3", "a SUBACK must contain at least one return code");
        }
        return new SubAck(packetId, codes, properties);
    }

    static Unsubscribe unsubscribe(PacketReader in) {
        int packetId = AckDecoder.packetId(in, PacketType.UNSUBSCRIBE);
        Properties properties = in.isV5() ? PropertiesDecoder.read(in, PacketType.UNSUBSCRIBE, false) : Properties.EMPTY;
        List<String> filters = new ArrayList<>();
        while (in.hasRemaining()) {
            filters.add(in.string("topic filter"));
        }
        if (filters.isEmpty()) {
            throw in.protocolError("MQTT-3.10.3-2", "an UNSUBSCRIBE must contain at least one topic filter");
        }
        return new Unsubscribe(packetId, filters, properties);
    }

    static UnsubAck unsubAck(PacketReader in) {
        if (!in.isV5()) {
            if (in.remaining() != 2) {
                throw in.malformed("§3.11.1", "UNSUBACK has a remaining length of 2, not " + in.remaining());
            }
            return new UnsubAck(AckDecoder.packetId(in, PacketType.UNSUBACK));
        }
        int packetId = AckDecoder.packetId(in, PacketType.UNSUBACK);
        Properties properties = PropertiesDecoder.read(in, PacketType.UNSUBACK, false);
        List<ReasonCode> codes = new ArrayList<>();
        while (in.hasRemaining()) {
            codes.add(AckDecoder.reasonCode(in, PacketType.UNSUBACK));
        }
        if (codes.isEmpty()) {
            throw in.protocolError("§3.11.3", "an UNSUBACK must contain at least one reason code");
        }
        return new UnsubAck(packetId, codes, properties);
    }
}
