package io.starling.codec.packet;

import io.starling.codec.property.Properties;

/** The four packets of the QoS 1 and QoS 2 flows share one shape: PUBACK, PUBREC, PUBREL, PUBCOMP. */
public sealed interface PublishAck extends Packet permits PubAck, PubRec, PubRel, PubComp {
    int packetId();

    ReasonCode reasonCode();

    Properties properties();
}
