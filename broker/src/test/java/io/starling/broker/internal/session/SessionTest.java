package io.starling.broker.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The session's state: its lifecycle operations, queue, flow control and lazily made structures (the mechanism is {@link MailboxTest}'s). */
class SessionTest {
    private static final Session.Delivery NO_DELIVERY = (session, message, qos, retain, ids, stored) -> {
        throw new AssertionError("nothing is delivered in these tests");
    };

    private final DefaultEventLoop first = new DefaultEventLoop();
    private final DefaultEventLoop second = new DefaultEventLoop();

    @AfterEach
    void stopLoops() throws InterruptedException {
        first.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        second.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a new session has no queue, inbound QoS 2 identifiers or subscriptions, and looking does not make them")
    void lookingMakesNothing() {
        Session session = new Session("idle", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        assertThat(session.hasQueued()).isFalse();
        assertThat(session.queued()).isZero();
        assertThat(session.nextQueued()).isNull();
        assertThat(session.hasSubscriptions()).isFalse();
        assertThat(session.inflight().size()).isZero();
        assertThat(session.gate().isClear()).isTrue();

        Message message = new Message("a", QoS.AT_LEAST_ONCE, false, new byte[] {1}, "p");
        Session.Pending pending = new Session.Pending(message, QoS.AT_LEAST_ONCE, false, null);
        session.enqueue(pending);
        assertThat(session.hasQueued()).isTrue();
        assertThat(session.queued()).isEqualTo(1);
        assertThat(session.nextQueued()).isSameAs(pending);
        session.subscriptions().put("a/#", SubscriptionOptions.of(QoS.AT_LEAST_ONCE));
        assertThat(session.hasSubscriptions()).isTrue();
    }

    @Test
    @DisplayName("clearMessages empties the queue, the window and the inbound QoS 2 identifiers, and keeps the subscriptions")
    void clearMessagesKeepsSubscriptions() {
        Session session = new Session("clear", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        Message message = new Message("a", QoS.AT_LEAST_ONCE, false, new byte[] {1}, "p");
        session.enqueue(new Session.Pending(message, QoS.AT_LEAST_ONCE, false, null));
        session.enqueue(new Session.Pending(message, QoS.AT_MOST_ONCE, false, null));
        session.inflight().add(session.nextPacketId(), message, QoS.AT_LEAST_ONCE, false, null);
        session.inboundQos2().add(7);
        session.subscriptions().put("a", SubscriptionOptions.of(QoS.AT_MOST_ONCE));

        session.clearMessages(StoreChanges.NONE);

        assertThat(session.hasQueued()).isFalse();
        assertThat(session.queued()).isZero();
        assertThat(session.queuedQos0()).isZero();
        assertThat(session.takeQueued()).isNull();
        assertThat(session.inflight().size()).isZero();
        assertThat(session.inboundQos2()).isEmpty();
        assertThat(session.subscriptions()).containsOnlyKeys("a");

        // an emptied subscription map is let go of, and made again on use
        session.subscriptions().clear();
        session.clearMessages(StoreChanges.NONE);
        assertThat(session.hasSubscriptions()).isFalse();
        session.subscriptions().put("b", SubscriptionOptions.of(QoS.EXACTLY_ONCE));
        assertThat(session.subscriptions()).containsOnlyKeys("b");
    }

    @Test
    @DisplayName("queue sequence numbers count up from 1, and from where a restart left them")
    void queueSequence() {
        Session session = new Session("seq", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        assertThat(session.nextQueueSeq()).isEqualTo(1);
        assertThat(session.nextQueueSeq()).isEqualTo(2);
        session.restored(true, 41);
        assertThat(session.nextQueueSeq()).isEqualTo(41);
        assertThat(session.nextQueueSeq()).isEqualTo(42);
    }

    @Test
    @DisplayName("a delivery runs in the mailbox as one task, handing the flow the session, message, QoS and queue entry; the turn ends with a flush")
    void deliveryRunsInTheMailbox() {
        List<String> delivered = new ArrayList<>();
        Session.Delivery recording = (s, message, qos, retain, ids, stored) -> delivered.add(s.clientId() + " " + message.topic() + " " + qos);
        Session session = new Session("d", first, recording);
        RecordingConnection connection = new RecordingConnection(first);
        session.attach(connection, true, false);
        Message message = new Message("t/1", QoS.EXACTLY_ONCE, false, new byte[] {1}, "p");
        session.deliver(message, QoS.AT_LEAST_ONCE, false, new int[0], null);
        session.deliver(message, QoS.AT_MOST_ONCE, false, new int[0], null);
        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 2 && connection.flushes.get() > 0);
        assertThat(delivered).containsExactly("d t/1 AT_LEAST_ONCE", "d t/1 AT_MOST_ONCE");
    }

    @Test
    @DisplayName("attach: a connection takes the session, which moves to its event loop and holds messages until CONNACK is sent")
    void attachAndConnAck() {
        Session session = new Session("a", first, NO_DELIVERY);
        RecordingConnection connection = new RecordingConnection(second);
        session.attach(connection, false, true);
        assertThat(session.connection()).isSameAs(connection);
        assertThat(session.owner()).isSameAs(second);
        assertThat(session.connAckPending()).isTrue();
        assertThat(session.cleanSession()).isFalse();
        assertThat(session.persistent()).isTrue();
        assertThat(session.durable()).isTrue();

        session.connAckSent();
        assertThat(session.connAckPending()).isFalse();

        session.attach(connection, true, false);
        assertThat(session.cleanSession()).isTrue();
        assertThat(session.persistent()).isFalse();
        assertThat(session.durable()).isFalse();
    }

    @Test
    @DisplayName("detach resumes the publishers a congested session held back; congestion is cleared once")
    void detachClearsCongestion() {
        Session session = new Session("c", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        session.attach(new RecordingConnection(ImmediateEventExecutor.INSTANCE), true, false);
        AtomicInteger resumed = new AtomicInteger();
        session.whenDrained(resumed::incrementAndGet);
        assertThat(resumed.get()).as("not congested: at once").isEqualTo(1);

        session.markCongested();
        assertThat(session.congested()).isTrue();
        session.whenDrained(resumed::incrementAndGet);
        session.whenDrained(resumed::incrementAndGet);
        assertThat(resumed.get()).isEqualTo(1);

        session.detach();
        assertThat(session.connection()).isNull();
        assertThat(session.congested()).isFalse();
        assertThat(resumed.get()).isEqualTo(3);
        session.clearCongestion();
        assertThat(resumed.get()).isEqualTo(3);
    }

    @Test
    @DisplayName("end: an ended session is discarded and no longer persistent or durable; revive makes it usable again")
    void endAndRevive() {
        Session session = new Session("e", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        session.restored(true, 7);
        assertThat(session.persistent()).isTrue();
        assertThat(session.durable()).isTrue();
        assertThat(session.cleanSession()).isFalse();

        session.end();
        assertThat(session.isDiscarded()).isTrue();
        assertThat(session.persistent()).as("[MQTT-3.2.2-3] a revived session is new").isFalse();
        assertThat(session.durable()).isFalse();

        session.revive();
        assertThat(session.isDiscarded()).isFalse();
    }

    @Test
    @DisplayName("the queue counts its QoS 0 messages as they come and go")
    void queueCountsQos0() {
        Session session = new Session("q", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        Message message = new Message("a", QoS.AT_LEAST_ONCE, false, new byte[] {1}, "p");
        Session.Pending qos1 = new Session.Pending(message, QoS.AT_LEAST_ONCE, false, null);
        Session.Pending qos0 = new Session.Pending(message, QoS.AT_MOST_ONCE, false, null);
        session.enqueue(qos0);
        session.enqueue(qos1);
        session.enqueue(qos0);
        assertThat(session.queued()).isEqualTo(3);
        assertThat(session.queuedQos0()).isEqualTo(2);

        assertThat(session.takeQueued()).isSameAs(qos0);
        assertThat(session.queuedQos0()).isEqualTo(1);
        assertThat(session.takeQueued()).isSameAs(qos1);
        assertThat(session.queuedQos0()).isEqualTo(1);
        assertThat(session.takeQueued()).isSameAs(qos0);
        assertThat(session.queuedQos0()).isZero();
        assertThat(session.takeQueued()).isNull();
    }

    @Test
    @DisplayName("an episode of dropping starts once and ends only when the queue is empty")
    void droppingEpisode() {
        Session session = new Session("drop", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        assertThat(session.stopDroppingIfDrained()).isFalse();
        assertThat(session.startDropping()).isTrue();
        assertThat(session.startDropping()).as("already dropping: not logged again").isFalse();

        Message message = new Message("a", QoS.AT_MOST_ONCE, false, new byte[] {1}, "p");
        session.enqueue(new Session.Pending(message, QoS.AT_MOST_ONCE, false, null));
        assertThat(session.stopDroppingIfDrained()).as("queue not empty").isFalse();
        session.takeQueued();
        assertThat(session.stopDroppingIfDrained()).isTrue();
        assertThat(session.stopDroppingIfDrained()).isFalse();
        assertThat(session.startDropping()).isTrue();
    }

    @Test
    @DisplayName("expiry runs in the mailbox after its delay, and a cancelled one never runs")
    void expiry() {
        Session session = new Session("x", first, NO_DELIVERY);
        AtomicInteger expired = new AtomicInteger();
        session.submit(() -> session.expireAfter(10, expired::incrementAndGet));
        await().atMost(Duration.ofSeconds(5)).until(() -> expired.get() == 1);

        AtomicInteger cancelled = new AtomicInteger();
        CountDownLatch scheduled = new CountDownLatch(1);
        session.submit(() -> {
            session.expireAfter(200, cancelled::incrementAndGet);
            session.cancelExpiry();
            session.expireAfter(20, () -> scheduled.countDown());
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> scheduled.getCount() == 0);
        // the 20 ms expiry ran; wait past the cancelled one's 200 ms by letting a later one run
        CountDownLatch later = new CountDownLatch(1);
        session.submit(() -> session.expireAfter(400, later::countDown));
        await().atMost(Duration.ofSeconds(5)).until(() -> later.getCount() == 0);
        assertThat(cancelled.get()).isZero();
    }
}
