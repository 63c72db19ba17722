package io.starling.client;

import org.jspecify.annotations.Nullable;

/**
 * An MQTT 5.0 enhanced authentication mechanism (section 4.12): the Authentication Method named
 * in CONNECT, and the AUTH exchanges that follow, at connect and on {@link
 * MqttClient#reauthenticate()}. {@link ScramSha256Authentication} is built in; a server and a
 * client must agree on the method's name and data.
 */
public interface EnhancedAuthentication {
    /** The Authentication Method, e.g. {@code SCRAM-SHA-256}. */
    String method();

    /** Starts one exchange; called on the client's I/O thread, once per connect or re-authentication. */
    Exchange start(boolean reauthentication);

    /** One authentication exchange; its methods may throw {@link MqttClientException} to abort it. */
    interface Exchange {
        /** The Authentication Data of the CONNECT (or of the AUTH 0x19 starting a re-authentication), or null. */
        byte @Nullable [] initialData();

        /** The server sent AUTH 0x18 Continue authentication with {@code data}: the data to answer with. */
        byte[] challenge(byte @Nullable [] data);

        /**
         * The server accepted (CONNACK 0x00, or AUTH 0x00 after a re-authentication) with this
         * final data; throw to refuse a server that did not prove itself.
         */
        void succeeded(byte @Nullable [] data);
    }
}
