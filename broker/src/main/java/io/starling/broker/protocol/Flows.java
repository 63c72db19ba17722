package io.starling.broker.protocol;

import io.netty.channel.group.ChannelGroup;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.routing.Router;
import io.starling.broker.session.SessionRegistry;

/** The protocol flows and what they share; built once by the broker and handed to every connection. */
public record Flows(
        ConnectFlow connect,
        PublishInFlow publishIn,
        PublishOutFlow publishOut,
        SubscribeFlow subscribe,
        SessionRegistry sessions,
        Router router,
        BrokerMetrics metrics,
        ChannelGroup channels,
        int maxPacketSize) {
}
