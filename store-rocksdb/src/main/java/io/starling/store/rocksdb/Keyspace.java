package io.starling.store.rocksdb;

import java.nio.charset.StandardCharsets;

/**
 * The column families of a store, one per kind of record, so that each is scanned on its own at
 * start-up and compacted by its own pattern of writes.
 */
public enum Keyspace {
    /** client id → the session's own state (clean flag, expiry). */
    SESSIONS("sessions"),
    /** client id, topic filter → the subscription's options. */
    SUBSCRIPTIONS("subscriptions"),
    /** message id → topic, QoS, flags and payload, stored once however many sessions hold it. */
    MESSAGES("messages"),
    /** client id, sequence → a queued or in-flight delivery: message id, packet id, state. */
    QUEUES("queues"),
    /** client id, packet id → an inbound QoS 2 message awaiting PUBREL. */
    INBOUND("inbound"),
    /** topic → the retained message, stored whole: one per topic, replaced in place. */
    RETAINED("retained"),
    /** client id → the will of the session's connection not yet published, with its delay (MQTT 5.0). */
    WILLS("wills");

    private final String familyName;

    Keyspace(String familyName) {
        this.familyName = familyName;
    }

    public String familyName() {
        return familyName;
    }

    byte[] familyNameBytes() {
        return familyName.getBytes(StandardCharsets.UTF_8);
    }
}
