#!/usr/bin/python3
"""Interop checks with Python paho-mqtt 1.6 (MQTT 3.1.1 and 3.1) against a running Starling broker.

Usage: /usr/bin/python3 .ci/interop_paho.py HOST PORT   (run by .ci/interop.sh)

Prints "ok   NAME" or "FAIL NAME: why" per check, then "paho: N passed, M failed"; exits 1 if a
check failed. Every wait is bounded (loop_start + threading.Event / Condition with a timeout).
"""
import queue
import subprocess
import sys
import threading
import time

import paho.mqtt.client as mqtt

TIMEOUT = 10.0  # seconds for any single wait
VERSIONS = [("3.1.1", mqtt.MQTTv311), ("3.1", mqtt.MQTTv31)]


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


class Client:
    """A paho client with its network loop in a thread and bounded waits for each acknowledgement."""

    def __init__(self, host, port, client_id, protocol, clean_session=True):
        self.host, self.port, self.client_id = host, port, client_id
        self.mqtt = mqtt.Client(client_id=client_id, protocol=protocol, clean_session=clean_session,
                                reconnect_on_failure=False)
        self.state = threading.Condition()
        self.connected = threading.Event()
        self.disconnected = threading.Event()
        self.connack = None           # (flags, rc)
        self.granted = {}             # SUBSCRIBE mid -> granted QoS tuple
        self.completed = set()        # mids of PUBLISH flows that finished (PUBACK / PUBCOMP / sent QoS 0)
        self.messages = []            # MQTTMessage, in arrival order
        self.mqtt.on_connect = self._on_connect
        self.mqtt.on_disconnect = self._on_disconnect
        self.mqtt.on_subscribe = self._on_subscribe
        self.mqtt.on_publish = self._on_publish
        self.mqtt.on_message = self._on_message
        self.looping = False

    # callbacks, on paho's network thread
    def _on_connect(self, client, userdata, flags, rc):
        self.connack = (flags, rc)
        self.connected.set()

    def _on_disconnect(self, client, userdata, rc):
        self.disconnected.set()

    def _on_subscribe(self, client, userdata, mid, granted_qos):
        with self.state:
            self.granted[mid] = tuple(granted_qos)
            self.state.notify_all()

    def _on_publish(self, client, userdata, mid):
        with self.state:
            self.completed.add(mid)
            self.state.notify_all()

    def _on_message(self, client, userdata, message):
        with self.state:
            self.messages.append(message)
            self.state.notify_all()

    def _wait_for(self, predicate, what):
        with self.state:
            expect(self.state.wait_for(predicate, TIMEOUT), f"{self.client_id}: no {what} within {TIMEOUT:.0f} s")

    def connect(self):
        """Connects and returns the CONNACK's session present flag (0 or 1)."""
        self.mqtt.connect(self.host, self.port, keepalive=30)
        self.mqtt.loop_start()
        self.looping = True
        expect(self.connected.wait(TIMEOUT), f"{self.client_id}: no CONNACK within {TIMEOUT:.0f} s")
        flags, rc = self.connack
        expect(rc == 0, f"{self.client_id}: CONNACK return code {rc}, expected 0")
        return flags.get("session present")

    def subscribe(self, topic, qos):
        result, mid = self.mqtt.subscribe(topic, qos)
        expect(result == mqtt.MQTT_ERR_SUCCESS, f"{self.client_id}: subscribe failed locally: {result}")
        self._wait_for(lambda: mid in self.granted, f"SUBACK for {topic}")
        expect(self.granted[mid] == (qos,), f"{self.client_id}: SUBACK granted {self.granted[mid]}, expected ({qos},)")

    def publish(self, topic, payload, qos, retain=False):
        """Publishes and waits until the flow is complete (sent at QoS 0, PUBACK at 1, PUBCOMP at 2)."""
        info = self.mqtt.publish(topic, payload, qos, retain)
        expect(info.rc == mqtt.MQTT_ERR_SUCCESS, f"{self.client_id}: publish failed locally: {info.rc}")
        self._wait_for(lambda: info.mid in self.completed, f"completion of the QoS {qos} PUBLISH to {topic}")

    def wait_messages(self, count):
        self._wait_for(lambda: len(self.messages) >= count, f"{count} messages (have {len(self.messages)})")
        with self.state:
            return list(self.messages)

    def disconnect(self):
        if not self.looping:
            return
        self.mqtt.disconnect()
        disconnected = self.disconnected.wait(TIMEOUT)
        self.mqtt.loop_stop()
        self.looping = False
        expect(disconnected, f"{self.client_id}: not disconnected within {TIMEOUT:.0f} s")

    def close(self):
        """Cleanup on any path: stops the network thread whatever state the client is in."""
        if self.looping:
            try:
                self.mqtt.disconnect()
                self.disconnected.wait(2)
            finally:
                self.mqtt.loop_stop()
                self.looping = False


def describe(messages):
    return [(m.topic, m.payload.decode("utf-8", "replace"), m.qos, int(m.retain)) for m in messages]


class MosquittoSub:
    """mosquitto_sub in a child process, its output lines read by a thread into a queue."""

    def __init__(self, host, port, name, topic, qos, count, version="mqttv311", fmt="%q %r %t %p"):
        """version: mosquitto_sub's -V; fmt: its -F, which must show the topic (%t)."""
        self.sync = f"interop/paho-sync/{name}"
        # the retained sync message arrives only once every earlier filter is subscribed
        subprocess.run(["mosquitto_pub", "-h", host, "-p", str(port), "-t", self.sync, "-m", "ready", "-r",
                        "-q", "1"], check=True, timeout=TIMEOUT)
        self.process = subprocess.Popen(
            ["mosquitto_sub", "-h", host, "-p", str(port), "-V", version, "-i", f"interop-{name}", "-q", str(qos),
             "-F", fmt, "-t", topic, "-t", self.sync, "-C", str(count + 1), "-W", str(int(TIMEOUT))],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def await_sync(self):
        """Returns once the subscription is in place: the sync message is the first line."""
        first = self.next_line()
        expect(first is not None and self.sync in first, f"mosquitto_sub: expected the sync message first, got {first!r}")

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self):
        try:
            return self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            return None

    def finish(self):
        """Waits for the exit (after -C messages) and returns (exit status, remaining output lines)."""
        try:
            status = self.process.wait(timeout=TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            status = "timeout"
        lines = []
        while True:
            line = self.next_line()
            if line is None:
                break
            lines.append(line)
        return status, lines

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


class Checks:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.passed = 0
        self.failed = 0
        self.resources = []

    def client(self, client_id, protocol, clean_session=True):
        c = Client(self.host, self.port, client_id, protocol, clean_session)
        self.resources.append(c)
        return c

    def mosquitto_sub(self, name, topic, qos, count):
        s = MosquittoSub(self.host, self.port, name, topic, qos, count)
        self.resources.append(s)   # before waiting, so that a failed wait still kills the process
        s.await_sync()
        return s

    def run(self, name, check):
        started = time.monotonic()
        try:
            check()
            self.passed += 1
            print(f"ok   {name} ({time.monotonic() - started:.2f} s)", flush=True)
        except Exception as e:  # a failed expectation, or anything paho or subprocess raised
            self.failed += 1
            kind = "" if isinstance(e, CheckFailed) else f"{type(e).__name__}: "
            print(f"FAIL {name}: {kind}{e}", flush=True)
        finally:
            for resource in reversed(self.resources):
                try:
                    resource.close()
                except Exception:
                    pass
            self.resources.clear()

    # ---- the checks ----

    def pub_sub(self, label, protocol, qos):
        """Four messages at one QoS arrive once each, in order [MQTT-4.6.0-6], at that QoS, RETAIN 0."""
        topic = f"interop/paho/{label}/qos{qos}"
        sub = self.client(f"interop-paho-{label}-sub-q{qos}", protocol)
        expect(sub.connect() == 0, "session present 1 for a clean session [MQTT-3.2.2-1]")
        sub.subscribe(topic, qos)
        pub = self.client(f"interop-paho-{label}-pub-q{qos}", protocol)
        pub.connect()
        payloads = ["m1", "m2", "m3", "end"]
        for p in payloads:
            pub.publish(topic, p, qos)
        received = sub.wait_messages(len(payloads))
        expected = [(topic, p, qos, 0) for p in payloads]
        # "end" is last, so a duplicate shows up here as a different list
        expect(describe(received) == expected, f"received {describe(received)}, expected {expected}")
        pub.disconnect()
        sub.disconnect()

    def persistent_session(self, label, protocol):
        """A persistent session keeps its subscription and the QoS 1 messages published while it was
        offline [MQTT-3.1.2-4/5]; QoS 0 is not queued by default. Session present: 0 for a new session
        [MQTT-3.2.2-3], 1 for an existing one [MQTT-3.2.2-2] (3.1 has no such flag: always 0)."""
        client_id = f"interop-paho-{label}-persistent"
        topic = f"interop/paho/{label}/persistent"
        present_resumed = 1 if protocol == mqtt.MQTTv311 else 0
        # start from nothing: a clean session discards whatever this id had
        wipe = self.client(client_id, protocol, clean_session=True)
        wipe.connect()
        wipe.disconnect()

        first = self.client(client_id, protocol, clean_session=False)
        expect(first.connect() == 0, "first persistent CONNECT: session present 1, expected 0 [MQTT-3.2.2-3]")
        first.subscribe(topic, 1)
        first.disconnect()

        pub = self.client(f"interop-paho-{label}-persistent-pub", protocol)
        pub.connect()
        pub.publish(topic, "offline-1", 1)
        pub.publish(topic, "offline-qos0", 0)   # not queued: queue_qos0_offline is false by default
        pub.publish(topic, "offline-2", 1)
        pub.publish(topic, "offline-3", 1)

        again = self.client(client_id, protocol, clean_session=False)
        present = again.connect()
        expect(present == present_resumed,
               f"resumed persistent CONNECT: session present {present}, expected {present_resumed} [MQTT-3.2.2-2]")
        received = again.wait_messages(3)
        pub.publish(topic, "live", 1)            # the subscription survived without a new SUBSCRIBE
        received = again.wait_messages(4)
        expected = [(topic, p, 1, 0) for p in ["offline-1", "offline-2", "offline-3", "live"]]
        expect(describe(received) == expected, f"received {describe(received)}, expected {expected}")
        again.disconnect()
        pub.disconnect()

        # a clean session afterwards finds nothing [MQTT-3.2.2-1] and leaves nothing behind
        clean = self.client(client_id, protocol, clean_session=True)
        expect(clean.connect() == 0, "clean CONNECT after a persistent session: session present 1, expected 0 [MQTT-3.2.2-1]")
        clean.disconnect()

    def paho_to_mosquitto(self, label, protocol, qos):
        topic = f"interop/paho-to-mosquitto/{label}/qos{qos}"
        payloads = ["p1", "p2", "end"]
        sub = self.mosquitto_sub(f"paho-to-mosquitto-{label}-q{qos}", topic, 2, len(payloads))
        pub = self.client(f"interop-paho-{label}-to-mosquitto-q{qos}", protocol)
        pub.connect()
        for p in payloads:
            pub.publish(topic, p, qos)
        status, lines = sub.finish()
        expected = [f"{qos} 0 {topic} {p}" for p in payloads]
        expect(status == 0 and lines == expected,
               f"mosquitto_sub exit status {status} (expected 0), output {lines}, expected {expected}")
        pub.disconnect()

    def mosquitto_to_paho(self, label, protocol, qos):
        topic = f"interop/mosquitto-to-paho/{label}/qos{qos}"
        payloads = ["s1", "s2", "end"]
        sub = self.client(f"interop-paho-{label}-from-mosquitto-q{qos}", protocol)
        sub.connect()
        sub.subscribe(topic, 2)
        done = subprocess.run(["mosquitto_pub", "-h", self.host, "-p", str(self.port), "-i",
                               f"interop-mosquitto-to-paho-{label}-q{qos}", "-t", topic, "-q", str(qos), "-l"],
                              input="\n".join(payloads) + "\n", text=True, capture_output=True, timeout=TIMEOUT)
        expect(done.returncode == 0, f"mosquitto_pub exit status {done.returncode}: {done.stderr.strip()}")
        received = sub.wait_messages(len(payloads))
        expected = [(topic, p, qos, 0) for p in payloads]
        expect(describe(received) == expected, f"received {describe(received)}, expected {expected}")
        sub.disconnect()


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    checks = Checks(sys.argv[1], int(sys.argv[2]))
    for label, protocol in VERSIONS:
        for qos in (0, 1, 2):
            checks.run(f"paho-{label}-pub-sub-qos{qos}", lambda: checks.pub_sub(label, protocol, qos))
        checks.run(f"paho-{label}-persistent-session", lambda: checks.persistent_session(label, protocol))
        for qos in (0, 1, 2):
            checks.run(f"paho-{label}-to-mosquitto_sub-qos{qos}", lambda: checks.paho_to_mosquitto(label, protocol, qos))
            checks.run(f"mosquitto_pub-to-paho-{label}-qos{qos}", lambda: checks.mosquitto_to_paho(label, protocol, qos))
    print(f"paho: {checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
