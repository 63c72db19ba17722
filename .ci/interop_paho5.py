#!/usr/bin/python3
"""Interop checks with Python paho-mqtt 1.6 over MQTT 5.0 against a running Starling broker.

Usage: /usr/bin/python3 -B .ci/interop_paho5.py HOST PORT   (run by .ci/interop.sh)

Properties, session expiry, message expiry, subscription options and identifiers, shared
subscriptions, topic aliases from the client, the will delay, take-over's DISCONNECT 0x8E, and
mixed versions (paho 3.1.1 and 5.0, paho and mosquitto_pub/mosquitto_sub -V mqttv5). Prints
"ok   NAME" or "FAIL NAME: why" per check, then "paho5: N passed, M failed"; exits 1 if a check
failed. Every wait is bounded (loop_start + threading.Event / Condition with a timeout).
"""
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ left in .ci/ by the import below
import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.packettypes import PacketTypes  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402
from paho.mqtt.subscribeoptions import SubscribeOptions  # noqa: E402

from interop_paho import TIMEOUT, Checks, MosquittoSub, describe, expect  # noqa: E402

SESSION_TAKEN_OVER = 0x8E


def code(rc):
    """A paho reason code (ReasonCodes in 5.0, or an int for local errors) as an int."""
    return getattr(rc, "value", rc)


def prop(properties, name, default=None):
    """A property of a paho Properties object, which has an attribute only for what was present."""
    return getattr(properties, name, default) if properties is not None else default


class Client5:
    """A paho MQTTv5 client with its network loop in a thread and bounded waits for each acknowledgement."""

    def __init__(self, host, port, client_id):
        self.host, self.port, self.client_id = host, port, client_id
        self.mqtt = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5, reconnect_on_failure=False)
        self.state = threading.Condition()
        self.connected = threading.Event()
        self.connack = None           # (flags, reason code, properties)
        self.subacks = {}             # SUBSCRIBE mid -> reason codes (ints)
        self.completed = set()        # mids of PUBLISH flows that finished (PUBACK / PUBCOMP / sent QoS 0)
        self.messages = []            # (MQTTMessage, time.monotonic() of arrival), in arrival order
        self.disconnects = []         # reason codes (ints) of every on_disconnect
        self.mqtt.on_connect = self._on_connect
        self.mqtt.on_disconnect = self._on_disconnect
        self.mqtt.on_subscribe = self._on_subscribe
        self.mqtt.on_publish = self._on_publish
        self.mqtt.on_message = self._on_message
        self.looping = False

    # callbacks, on paho's network thread
    def _on_connect(self, client, userdata, flags, rc, properties=None):
        self.connack = (flags, code(rc), properties)
        self.connected.set()

    def _on_disconnect(self, client, userdata, rc, properties=None):
        with self.state:
            self.disconnects.append(code(rc))
            self.state.notify_all()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties=None):
        with self.state:
            self.subacks[mid] = [code(rc) for rc in reason_codes]
            self.state.notify_all()

    def _on_publish(self, client, userdata, mid):
        with self.state:
            self.completed.add(mid)
            self.state.notify_all()

    def _on_message(self, client, userdata, message):
        with self.state:
            self.messages.append((message, time.monotonic()))
            self.state.notify_all()

    def _wait_for(self, predicate, what):
        with self.state:
            expect(self.state.wait_for(predicate, TIMEOUT), f"{self.client_id}: no {what} within {TIMEOUT:.0f} s")

    def connect(self, clean_start=True, session_expiry=0, will=None):
        """Connects; returns (session present, CONNACK properties). will: (topic, payload, qos, Properties)."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = session_expiry
        if will is not None:
            topic, payload, qos, will_properties = will
            self.mqtt.will_set(topic, payload, qos, False, will_properties)
        self.mqtt.connect(self.host, self.port, keepalive=30, clean_start=clean_start, properties=properties)
        self.mqtt.loop_start()
        self.looping = True
        expect(self.connected.wait(TIMEOUT), f"{self.client_id}: no CONNACK within {TIMEOUT:.0f} s")
        flags, rc, connack_properties = self.connack
        expect(rc == 0, f"{self.client_id}: CONNACK reason code {rc:#04x}, expected 0x00")
        return flags.get("session present"), connack_properties

    def subscribe(self, topic, qos, no_local=False, retain_as_published=False, retain_handling=0, identifier=None):
        options = SubscribeOptions(qos=qos, noLocal=no_local, retainAsPublished=retain_as_published,
                                   retainHandling=retain_handling)
        properties = None
        if identifier is not None:
            properties = Properties(PacketTypes.SUBSCRIBE)
            properties.SubscriptionIdentifier = identifier
        result, mid = self.mqtt.subscribe(topic, options=options, properties=properties)
        expect(result == mqtt.MQTT_ERR_SUCCESS, f"{self.client_id}: subscribe failed locally: {result}")
        self._wait_for(lambda: mid in self.subacks, f"SUBACK for {topic}")
        expect(self.subacks[mid] == [qos], f"{self.client_id}: SUBACK reason codes {self.subacks[mid]}, expected [{qos}]")

    def publish(self, topic, payload, qos, retain=False, properties=None):
        """Publishes and waits until the flow is complete (sent at QoS 0, PUBACK at 1, PUBCOMP at 2)."""
        info = self.mqtt.publish(topic, payload, qos, retain, properties)
        expect(info.rc == mqtt.MQTT_ERR_SUCCESS, f"{self.client_id}: publish failed locally: {info.rc}")
        self._wait_for(lambda: info.mid in self.completed, f"completion of the QoS {qos} PUBLISH to {topic!r}")

    def wait_messages(self, count):
        """Waits for at least count messages; returns every MQTTMessage received so far."""
        self._wait_for(lambda: len(self.messages) >= count, f"{count} messages (have {len(self.messages)})")
        with self.state:
            return [m for m, _ in self.messages]

    def arrival(self, index):
        with self.state:
            return self.messages[index][1]

    def wait_disconnected(self):
        """Waits until paho reports the connection ended; returns the reason codes it reported."""
        self._wait_for(lambda: self.disconnects, "on_disconnect")
        with self.state:
            return list(self.disconnects)

    def quiet(self, count, seconds):
        """Checks that no more than count messages arrive within seconds."""
        with self.state:
            self.state.wait_for(lambda: len(self.messages) > count, seconds)
            expect(len(self.messages) == count, f"{self.client_id}: {len(self.messages)} messages, expected {count}: "
                   f"{describe([m for m, _ in self.messages])}")

    def die(self):
        """Ends the connection without DISCONNECT, as a failing network would: the will is due."""
        self.mqtt.socket().shutdown(socket.SHUT_RDWR)
        self.wait_disconnected()
        self.mqtt.loop_stop()
        self.looping = False

    def disconnect(self, session_expiry=None):
        """DISCONNECT (0x00), with a new Session Expiry Interval if given; waits for the close."""
        if not self.looping:
            return
        properties = None
        if session_expiry is not None:
            properties = Properties(PacketTypes.DISCONNECT)
            properties.SessionExpiryInterval = session_expiry
        self.mqtt.disconnect(properties=properties)
        with self.state:
            disconnected = self.state.wait_for(lambda: self.disconnects, TIMEOUT)
        self.mqtt.loop_stop()
        self.looping = False
        expect(disconnected, f"{self.client_id}: not disconnected within {TIMEOUT:.0f} s")

    def close(self):
        """Cleanup on any path: stops the network thread whatever state the client is in."""
        if self.looping:
            try:
                self.mqtt.disconnect()
                with self.state:
                    self.state.wait_for(lambda: self.disconnects, 2)
            finally:
                self.mqtt.loop_stop()
                self.looping = False


def publish_properties(**values):
    properties = Properties(PacketTypes.PUBLISH)
    for name, value in values.items():
        setattr(properties, name, value)
    return properties


class Checks5(Checks):
    def client5(self, client_id):
        c = Client5(self.host, self.port, client_id)
        self.resources.append(c)
        return c

    def mosquitto_sub5(self, name, topic, qos, count, fmt):
        s = MosquittoSub(self.host, self.port, name, topic, qos, count, version="mqttv5", fmt=fmt)
        self.resources.append(s)   # before waiting, so that a failed wait still kills the process
        s.await_sync()
        return s

    def mosquitto_pub(self, *args, stdin=None):
        done = subprocess.run(["mosquitto_pub", "-h", self.host, "-p", str(self.port), *args],
                              input=stdin, text=True, capture_output=True, timeout=TIMEOUT)
        expect(done.returncode == 0, f"mosquitto_pub exit status {done.returncode}: {done.stderr.strip()}")
        return done.stdout + done.stderr

    def fresh(self, client_id):
        """Ends any session client_id has: Clean Start 1 with Session Expiry Interval 0."""
        wipe = self.client5(client_id)
        wipe.connect(clean_start=True)
        wipe.disconnect()

    # ---- the checks ----

    def connack(self):
        """An empty client identifier gets one assigned [MQTT-3.2.2-16]; what CONNACK offers."""
        c = self.client5("")
        present, properties = c.connect()
        expect(present == 0, "session present 1 for a clean start")
        assigned = prop(properties, "AssignedClientIdentifier", "")
        expect(assigned.startswith("starling-"), f"Assigned Client Identifier {assigned!r}, expected starling-...")
        offered = {name: prop(properties, name) for name in
                   ("TopicAliasMaximum", "MaximumPacketSize", "ReceiveMaximum", "MaximumQoS", "RetainAvailable",
                    "SharedSubscriptionAvailable", "SubscriptionIdentifierAvailable", "WildcardSubscriptionAvailable")}
        expected = {"TopicAliasMaximum": 10, "MaximumPacketSize": 1024 * 1024, "ReceiveMaximum": None, "MaximumQoS": None,
                    "RetainAvailable": None, "SharedSubscriptionAvailable": 1, "SubscriptionIdentifierAvailable": 1,
                    "WildcardSubscriptionAvailable": 1}
        expect(offered == expected, f"CONNACK properties {offered}, expected {expected}")
        c.disconnect()

    def properties(self, qos):
        """Every PUBLISH property arrives unchanged, user properties in order, duplicates kept."""
        topic = f"interop/paho5/props/q{qos}"
        sub = self.client5(f"interop-paho5-props-sub-q{qos}")
        sub.connect()
        sub.subscribe(topic, 2)
        pub = self.client5(f"interop-paho5-props-pub-q{qos}")
        pub.connect()
        user = [("k", "2"), ("a", "1"), ("k", "1"), ("ünï", "çödé")]
        pub.publish(topic, "payload", qos, properties=publish_properties(
            UserProperty=user, ContentType="text/plain", ResponseTopic="interop/paho5/reply",
            CorrelationData=b"\x00\xff\x10", PayloadFormatIndicator=1, MessageExpiryInterval=3600))
        [m] = sub.wait_messages(1)
        got = {name: prop(m.properties, name) for name in
               ("UserProperty", "ContentType", "ResponseTopic", "CorrelationData", "PayloadFormatIndicator")}
        expected = {"UserProperty": user, "ContentType": "text/plain", "ResponseTopic": "interop/paho5/reply",
                    "CorrelationData": b"\x00\xff\x10", "PayloadFormatIndicator": 1}
        expect(got == expected, f"properties {got}, expected {expected}")
        left = prop(m.properties, "MessageExpiryInterval")
        expect(left in (3599, 3600), f"Message Expiry Interval {left}, expected 3600 (rounded up) [MQTT-3.3.2-6]")
        expect(describe([m]) == [(topic, "payload", qos, 0)], f"received {describe([m])}")
        sub.quiet(1, 0.3)

    def session_expiry(self):
        """Session Expiry Interval 60: session present 1 on Clean Start 0, queued messages in order
        [MQTT-3.1.2-23] [MQTT-3.2.2-2]; a DISCONNECT that sets it to 0 ends the session."""
        client_id = "interop-paho5-session"
        topic = "interop/paho5/session"
        self.fresh(client_id)
        first = self.client5(client_id)
        present, _ = first.connect(clean_start=True, session_expiry=60)
        expect(present == 0, "session present 1 on Clean Start 1 [MQTT-3.2.2-2]")
        first.subscribe(topic, 1)
        first.disconnect()
        pub = self.client5("interop-paho5-session-pub")
        pub.connect()
        for p in ("q1", "q2", "q3"):
            pub.publish(topic, p, 1)
        again = self.client5(client_id)
        present, _ = again.connect(clean_start=False, session_expiry=60)
        expect(present == 1, "session present 0 for a session that should have lasted 60 s")
        received = again.wait_messages(3)
        expect(describe(received) == [(topic, p, 1, 0) for p in ("q1", "q2", "q3")], f"received {describe(received)}")
        again.disconnect(session_expiry=0)
        last = self.client5(client_id)
        present, _ = last.connect(clean_start=False, session_expiry=60)
        expect(present == 0, "session present 1 on Clean Start 0 right after a DISCONNECT with Session Expiry "
               "Interval 0 ended the session and closed its connection [MQTT-3.2.2-3]")
        last.disconnect(session_expiry=0)

    def message_expiry(self):
        """A message that expires while its subscriber is offline is not delivered [MQTT-3.3.2-5];
        the others carry the seconds left [MQTT-3.3.2-6]."""
        client_id = "interop-paho5-expiry"
        topic = "interop/paho5/expiry"
        self.fresh(client_id)
        first = self.client5(client_id)
        first.connect(clean_start=True, session_expiry=60)
        first.subscribe(topic, 1)
        first.disconnect()
        pub = self.client5("interop-paho5-expiry-pub")
        pub.connect()
        pub.publish(topic, "short", 1, properties=publish_properties(MessageExpiryInterval=1))
        pub.publish(topic, "long", 1, properties=publish_properties(MessageExpiryInterval=60))
        time.sleep(1.5)   # past the short one's expiry
        again = self.client5(client_id)
        present, _ = again.connect(clean_start=False, session_expiry=60)
        expect(present == 1, "session present 0")
        pub.publish(topic, "marker", 1)
        received = again.wait_messages(2)
        expect(describe(received) == [(topic, "long", 1, 0), (topic, "marker", 1, 0)], f"received {describe(received)}")
        left = prop(received[0].properties, "MessageExpiryInterval")
        expect(left in (58, 59), f"Message Expiry Interval {left} after 1.5 s of 60, expected 58 or 59")
        again.disconnect(session_expiry=0)

    def no_local(self):
        """No Local: a client's own messages do not come back to it [MQTT-3.8.3-3]."""
        topic = "interop/paho5/nolocal"
        talker = self.client5("interop-paho5-nolocal")
        talker.connect()
        talker.subscribe(topic, 1, no_local=True)
        other = self.client5("interop-paho5-nolocal-other")
        other.connect()
        talker.publish(topic, "own", 1)
        other.publish(topic, "other", 1)
        received = talker.wait_messages(1)
        expect(describe(received) == [(topic, "other", 1, 0)], f"received {describe(received)}")
        talker.quiet(1, 0.3)

    def retain_options(self):
        """Retain Handling 0 / 1 / 2 [MQTT-3.3.1-9..11] and Retain As Published [MQTT-3.3.1-12/13]."""
        topic = "interop/paho5/retain"
        pub = self.client5("interop-paho5-retain-pub")
        pub.connect()
        pub.publish(topic, "kept", 1, retain=True)
        subs = {}
        for handling in (0, 1, 2):
            subs[handling] = self.client5(f"interop-paho5-retain-rh{handling}")
            subs[handling].connect()
            subs[handling].subscribe(topic, 1, retain_handling=handling, retain_as_published=(handling == 2))
        subs[0].subscribe(topic, 1, retain_handling=0)   # again: sent again
        subs[1].subscribe(topic, 1, retain_handling=1)   # again: the subscription exists, not sent
        pub.publish(topic, "live retained", 1, retain=True)
        expected = {
            0: [(topic, "kept", 1, 1), (topic, "kept", 1, 1), (topic, "live retained", 1, 0)],
            1: [(topic, "kept", 1, 1), (topic, "live retained", 1, 0)],
            2: [(topic, "live retained", 1, 1)],  # Retain As Published keeps RETAIN on the live message
        }
        for handling, sub in subs.items():
            received = sub.wait_messages(len(expected[handling]))
            expect(describe(received) == expected[handling],
                   f"Retain Handling {handling}: received {describe(received)}, expected {expected[handling]}")
        pub.publish(topic, b"", 1, retain=True)   # leaves no retained message behind

    def subscription_identifiers(self):
        """One copy carrying the identifiers of every matching subscription [MQTT-3.3.4-3/4]."""
        sub = self.client5("interop-paho5-subid")
        sub.connect()
        sub.subscribe("interop/paho5/subid/+", 1, identifier=7)
        sub.subscribe("interop/paho5/subid/#", 1, identifier=42)
        pub = self.client5("interop-paho5-subid-pub")
        pub.connect()
        pub.publish("interop/paho5/subid/a", "both", 1)
        pub.publish("interop/paho5/subid/a/b", "deep", 1)
        received = sub.wait_messages(2)
        ids = [sorted(prop(m.properties, "SubscriptionIdentifier", [])) for m in received]
        expect(describe(received) == [("interop/paho5/subid/a", "both", 1, 0), ("interop/paho5/subid/a/b", "deep", 1, 0)]
               and ids == [[7, 42], [42]], f"received {describe(received)} with identifiers {ids}")
        sub.quiet(2, 0.3)

    def shared(self):
        """$share/{group}/{filter} with two 5.0 members and a 3.1.1 member: each message to one, in turn."""
        topic = "interop/paho5/shared"
        shared = f"$share/interop-paho5/{topic}"
        members = []
        for i in range(2):
            m = self.client5(f"interop-paho5-shared-{i}")
            m.connect()
            m.subscribe(shared, 1)
            members.append(m)
        old = self.client("interop-paho5-shared-v311", mqtt.MQTTv311)
        old.connect()
        old.subscribe(shared, 1)
        pub = self.client5("interop-paho5-shared-pub")
        pub.connect()
        for i in range(9):
            pub.publish(topic, str(i), 1)
        got = [[int(m.payload) for m in member.wait_messages(3)] for member in members]
        got.append([int(m.payload) for m in old.wait_messages(3)])
        residues = sorted(g[0] % 3 for g in got)
        expect(all(len(g) == 3 and len({i % 3 for i in g}) == 1 for g in got) and residues == [0, 1, 2],
               f"members received {got}: expected every third message each")
        for member in members:
            member.quiet(3, 0.1)

    def topic_alias_from_client(self):
        """Topic aliases set by the client stand for their topic on that connection [MQTT-3.3.2-12]."""
        topic = "interop/paho5/alias"
        sub = self.client5("interop-paho5-alias-sub")
        sub.connect()
        sub.subscribe(topic, 1)
        pub = self.client5("interop-paho5-alias-pub")
        pub.connect()
        pub.publish(topic, "a1", 1, properties=publish_properties(TopicAlias=1))   # sets alias 1
        pub.publish("", "a2", 1, properties=publish_properties(TopicAlias=1))      # uses it
        pub.publish("", "a3", 1, properties=publish_properties(TopicAlias=1))
        received = sub.wait_messages(3)
        expect(describe(received) == [(topic, p, 1, 0) for p in ("a1", "a2", "a3")], f"received {describe(received)}")

    def will_delay(self):
        """A will with Will Delay Interval 1 s comes no sooner than 1 s after the connection failed,
        with its properties [MQTT-3.1.2-8]; a will whose client comes back within its delay does not
        come at all [MQTT-3.1.3-9]."""
        topic = "interop/paho5/will"
        watcher = self.client5("interop-paho5-will-watcher")
        watcher.connect()
        watcher.subscribe(topic, 1)
        will_properties = Properties(PacketTypes.WILLMESSAGE)
        will_properties.WillDelayInterval = 1
        will_properties.UserProperty = [("why", "network")]
        self.fresh("interop-paho5-will-dying")
        dying = self.client5("interop-paho5-will-dying")
        dying.connect(session_expiry=60, will=(topic, "gone", 1, will_properties))
        cut = time.monotonic()
        dying.die()
        [will] = watcher.wait_messages(1)
        waited = watcher.arrival(0) - cut
        expect(describe([will]) == [(topic, "gone", 1, 0)] and prop(will.properties, "UserProperty") == [("why", "network")],
               f"will {describe([will])} with properties {will.properties}")
        expect(waited >= 1.0, f"the will came {waited:.3f} s after the connection failed, before its 1 s delay")

        back_properties = Properties(PacketTypes.WILLMESSAGE)
        back_properties.WillDelayInterval = 2
        self.fresh("interop-paho5-will-back")
        leaving = self.client5("interop-paho5-will-back")
        leaving.connect(session_expiry=60, will=(topic, "should not come", 1, back_properties))
        leaving.die()
        back = self.client5("interop-paho5-will-back")
        present, _ = back.connect(clean_start=False, session_expiry=60)
        expect(present == 1, "session present 0 on the way back")
        watcher.quiet(1, 2.5)   # past the 2 s delay
        back.disconnect(session_expiry=0)

    def takeover(self):
        """A second connection with the same client identifier: the first gets DISCONNECT 0x8E."""
        first = self.client5("interop-paho5-takeover")
        first.connect()
        second = self.client5("interop-paho5-takeover")
        second.connect()
        codes = first.wait_disconnected()
        expect(codes[0] == SESSION_TAKEN_OVER, f"on_disconnect reason codes {codes}, expected 0x8E first")
        second.disconnect()

    def mixed(self):
        """paho 3.1.1 to paho 5.0 (no properties arrive) and 5.0 to 3.1.1 (properties left out)."""
        up, down = "interop/paho5/mixed/up", "interop/paho5/mixed/down"
        new = self.client5("interop-paho5-mixed-5")
        new.connect()
        new.subscribe(up, 2)
        old = self.client("interop-paho5-mixed-311", mqtt.MQTTv311)
        old.connect()
        old.subscribe(down, 2)
        for qos in (0, 1, 2):
            old.publish(up, f"up {qos}", qos)
            new.publish(down, f"down {qos}", qos, properties=publish_properties(UserProperty=[("k", "v")], ContentType="x"))
        received = new.wait_messages(3)
        expect(describe(received) == [(up, f"up {q}", q, 0) for q in (0, 1, 2)], f"5.0 received {describe(received)}")
        extra = [(prop(m.properties, "UserProperty"), prop(m.properties, "ContentType")) for m in received]
        expect(extra == [(None, None)] * 3, f"properties on messages from a 3.1.1 client: {extra}")
        received = old.wait_messages(3)
        expect(describe(received) == [(down, f"down {q}", q, 0) for q in (0, 1, 2)], f"3.1.1 received {describe(received)}")

    def paho5_to_mosquitto_sub(self):
        """paho 5.0 with properties to mosquitto_sub -V mqttv5, which prints them."""
        topic = "interop/paho5/to-mosquitto"
        sub = self.mosquitto_sub5("paho5-to-mosquitto", topic, 1, 1, "%t|%p|%P|%C|%R")
        pub = self.client5("interop-paho5-to-mosquitto-pub")
        pub.connect()
        pub.publish(topic, "hello", 1, properties=publish_properties(
            UserProperty=[("k", "2"), ("a", "1")], ContentType="text/plain", ResponseTopic="r/t"))
        status, lines = sub.finish()
        expected = [f"{topic}|hello|k:2 a:1|text/plain|r/t"]
        expect(status == 0 and lines == expected, f"mosquitto_sub exit status {status}, output {lines}, expected {expected}")

    def mosquitto_pub5_to_paho5(self):
        """mosquitto_pub -V mqttv5 with properties to paho 5.0."""
        topic = "interop/paho5/from-mosquitto"
        sub = self.client5("interop-paho5-from-mosquitto")
        sub.connect()
        sub.subscribe(topic, 1)
        self.mosquitto_pub("-V", "mqttv5", "-q", "1", "-t", topic, "-m", "hi", "-D", "publish", "user-property", "k", "2",
                           "-D", "publish", "user-property", "a", "1", "-D", "publish", "correlation-data", "c1")
        [m] = sub.wait_messages(1)
        got = (prop(m.properties, "UserProperty"), prop(m.properties, "CorrelationData"))
        expect(describe([m]) == [(topic, "hi", 1, 0)] and got == ([("k", "2"), ("a", "1")], b"c1"),
               f"received {describe([m])} with {got}")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    checks = Checks5(sys.argv[1], int(sys.argv[2]))
    checks.run("paho5-connack", checks.connack)
    for qos in (0, 1, 2):
        checks.run(f"paho5-properties-qos{qos}", lambda: checks.properties(qos))
    checks.run("paho5-session-expiry", checks.session_expiry)
    checks.run("paho5-message-expiry", checks.message_expiry)
    checks.run("paho5-no-local", checks.no_local)
    checks.run("paho5-retain-handling-and-as-published", checks.retain_options)
    checks.run("paho5-subscription-identifiers", checks.subscription_identifiers)
    checks.run("paho5-shared-subscription", checks.shared)
    checks.run("paho5-topic-alias-from-client", checks.topic_alias_from_client)
    checks.run("paho5-will-delay", checks.will_delay)
    checks.run("paho5-takeover-disconnect-0x8e", checks.takeover)
    checks.run("paho5-mixed-versions", checks.mixed)
    checks.run("paho5-to-mosquitto_sub-v5", checks.paho5_to_mosquitto_sub)
    checks.run("mosquitto_pub-v5-to-paho5", checks.mosquitto_pub5_to_paho5)
    print(f"paho5: {checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
