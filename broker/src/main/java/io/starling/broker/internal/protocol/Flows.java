package io.starling.broker.internal.protocol;

import io.netty.channel.group.ChannelGroup;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.limits.LiveLimits;
import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.broker.metrics.BrokerMetrics;

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
        int maxPacketSize,
        int maxInflightMessages,
        BrokerConfig.Mqtt5 mqtt5,
        LiveLimits limits) {
}
