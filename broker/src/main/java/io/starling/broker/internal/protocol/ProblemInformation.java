package io.starling.broker.internal.protocol;

import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import java.util.ArrayList;
import java.util.List;

/**
 * The MQTT 5.0 "problem information" of a packet the broker sends: its Reason String and User
 * Properties. They are left out where the client asked for none (Request Problem Information 0
 * [MQTT-3.1.2-29]) and where they would make a packet larger than the client takes
 * [MQTT-3.1.2-25]; the rest of the packet is unchanged.
 */
final class ProblemInformation {
    private ProblemInformation() {}

    /** {@code packet} without Reason String and User Properties; the packet itself when it has none. */
    static Packet strip(Packet packet) {
        if (packet instanceof PubAck a && has(a.properties())) {
            return new PubAck(a.packetId(), a.reasonCode(), without(a.properties()));
        } else if (packet instanceof PubRec r && has(r.properties())) {
            return new PubRec(r.packetId(), r.reasonCode(), without(r.properties()));
        } else if (packet instanceof PubRel r && has(r.properties())) {
            return new PubRel(r.packetId(), r.reasonCode(), without(r.properties()));
        } else if (packet instanceof PubComp c && has(c.properties())) {
            return new PubComp(c.packetId(), c.reasonCode(), without(c.properties()));
        } else if (packet instanceof SubAck a && has(a.properties())) {
            return new SubAck(a.packetId(), a.reasonCodes(), without(a.properties()));
        } else if (packet instanceof UnsubAck a && has(a.properties())) {
            return new UnsubAck(a.packetId(), a.reasonCodes(), without(a.properties()));
        } else if (packet instanceof Disconnect d && has(d.properties())) {
            return new Disconnect(d.reasonCode(), without(d.properties()));
        } else if (packet instanceof ConnAck c && has(c.properties())) {
            return new ConnAck(c.sessionPresent(), c.reasonCode(), without(c.properties()));
        } else if (packet instanceof Auth a && has(a.properties())) {
            return new Auth(a.reasonCode(), without(a.properties()));
        }
        return packet;
    }

    private static boolean has(Properties properties) {
        return properties.contains(PropertyId.REASON_STRING) || properties.contains(PropertyId.USER_PROPERTY);
    }

    private static Properties without(Properties properties) {
        List<Property> kept = new ArrayList<>(properties.all().size());
        for (Property p : properties.all()) {
            if (p.id() != PropertyId.REASON_STRING && p.id() != PropertyId.USER_PROPERTY) {
                kept.add(p);
            }
        }
        return kept.isEmpty() ? Properties.EMPTY : new Properties(kept);
    }
}
