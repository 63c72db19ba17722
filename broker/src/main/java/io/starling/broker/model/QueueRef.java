package io.starling.broker.model;


/**
 * Where a delivery to a persistent session is in the store: entry {@code seq} of the session's
 * queue, referring to the shared {@code message} record.
 */
public record QueueRef(long seq, StoredMessage message) {}
