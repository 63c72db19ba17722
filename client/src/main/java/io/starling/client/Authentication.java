package io.starling.client;

import io.starling.client.internal.Callbacks;
import io.starling.client.internal.Wire;
import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The client's side of MQTT 5.0 enhanced authentication (section 4.12): the Authentication Method
 * and Data of the CONNECT, the AUTH 0x18 exchanges before the CONNACK, the server's final data in
 * the CONNACK, and re-authentication (AUTH 0x19, ending with AUTH 0x00). The mechanism's own
 * steps are {@link EnhancedAuthentication}'s. Confined to the client's I/O thread.
 */
final class Authentication {
    private final ClientCore core;
    private final Wire wire;
    private final @Nullable EnhancedAuthentication mechanism;
    private final Callbacks callbacks;
    private EnhancedAuthentication.@Nullable Exchange exchange;
    private @Nullable CompletableFuture<Void> reauthenticating;

    Authentication(ClientCore core, @Nullable EnhancedAuthentication mechanism, Callbacks callbacks) {
        this.core = core;
        this.wire = core;
        this.mechanism = mechanism;
        this.callbacks = callbacks;
    }

    /** The CONNECT's Authentication Method and Data; starts the exchange. Empty without a mechanism. */
    List<Property> connectProperties() {
        if (mechanism == null) {
            return List.of();
        }
        exchange = mechanism.start(false);
        return methodAndData(exchange.initialData());
    }

    /** An AUTH from the server, before the CONNACK or during a re-authentication. */
    void onAuth(Auth auth, boolean accepted) {
        EnhancedAuthentication.Exchange now = exchange;
        if (mechanism == null || now == null) {
            // [MQTT-4.12.0-6] [MQTT-4.12.0-7] no AUTH without an Authentication Method in the CONNECT
            wire.protocolError(ReasonCode.PROTOCOL_ERROR, "the server sent AUTH, but no authentication is under way");
            return;
        }
        Optional<String> method = auth.properties().string(PropertyId.AUTHENTICATION_METHOD);
        if (method.isEmpty() || !method.get().equals(mechanism.method())) {
            // [MQTT-4.12.0-5] the same method throughout the exchange
            wire.protocolError(ReasonCode.PROTOCOL_ERROR, "the server's AUTH names the method " + method.orElse("(none)")
                    + ", not " + mechanism.method());
            return;
        }
        byte @Nullable [] data = data(auth.properties());
        try {
            if (auth.reasonCode() == ReasonCode.CONTINUE_AUTHENTICATION) {
                wire.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, new Properties(methodAndData(now.challenge(data)))));
            } else if (auth.reasonCode() == ReasonCode.SUCCESS && accepted && reauthenticating != null) {
                now.succeeded(data);
                exchange = null;
                callbacks.complete(reauthenticating, null);
                reauthenticating = null;
            } else {
                wire.protocolError(ReasonCode.PROTOCOL_ERROR, "the server sent AUTH " + auth.reasonCode()
                        + (accepted ? " outside a re-authentication" : " before CONNACK"));
            }
        } catch (MqttClientException e) {
            core.abort(new MqttClientException("enhanced authentication (" + mechanism.method() + ") failed: " + e.getMessage(), e));
        }
    }

    /** The accepting CONNACK: the mechanism checks the server's final data. False when it refuses the server. */
    boolean onConnAck(ConnAck ack) {
        EnhancedAuthentication.Exchange now = exchange;
        exchange = null;
        if (mechanism == null || now == null) {
            return true;
        }
        try {
            now.succeeded(data(ack.properties()));
            return true;
        } catch (MqttClientException e) {
            core.abort(new MqttClientException("enhanced authentication (" + mechanism.method() + ") failed: " + e.getMessage(), e));
            return false;
        }
    }

    void reauthenticate(CompletableFuture<Void> future) {
        if (mechanism == null) {
            callbacks.fail(future, new MqttClientException("no enhanced authentication is configured: nothing to re-authenticate with"));
            return;
        }
        if (reauthenticating != null) {
            callbacks.fail(future, new MqttClientException("a re-authentication is under way already"));
            return;
        }
        EnhancedAuthentication.Exchange started = mechanism.start(true);
        exchange = started;
        reauthenticating = future;
        // [MQTT-4.12.1-1] AUTH 0x19 with the method of the CONNECT
        wire.send(new Auth(ReasonCode.RE_AUTHENTICATE, new Properties(methodAndData(started.initialData()))));
    }

    /** The connection closed: an exchange under way ends with it. */
    void onClosed(Throwable cause) {
        exchange = null;
        if (reauthenticating != null) {
            callbacks.fail(reauthenticating, cause);
            reauthenticating = null;
        }
    }

    private List<Property> methodAndData(byte @Nullable [] data) {
        List<Property> p = new ArrayList<>(2);
        p.add(Property.of(PropertyId.AUTHENTICATION_METHOD, mechanism == null ? "" : mechanism.method()));
        if (data != null) {
            p.add(Property.of(PropertyId.AUTHENTICATION_DATA, Bytes.of(data)));
        }
        return p;
    }

    private static byte @Nullable [] data(Properties properties) {
        return properties.binary(PropertyId.AUTHENTICATION_DATA).map(Bytes::toArray).orElse(null);
    }
}
