package io.starling.codec.packet;

import io.starling.codec.wire.PacketType;

/**
 * An MQTT control packet: an immutable value that knows nothing of sockets or of the connection
 * it travels on. One model serves MQTT 3.1, 3.1.1 and 5.0; fields that exist only in 5.0
 * (properties, most reason codes) take their neutral value in the older versions.
 */
public sealed interface Packet
        permits Connect, ConnAck, Publish, PublishAck, Subscribe, SubAck,
                Unsubscribe, UnsubAck, PingReq, PingResp, Disconnect, Auth {

    PacketType type();
}
