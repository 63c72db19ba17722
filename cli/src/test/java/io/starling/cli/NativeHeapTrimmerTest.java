package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.metrics.BrokerMetrics;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class NativeHeapTrimmerTest {
    private final AtomicLong activity = new AtomicLong();
    private final AtomicInteger trims = new AtomicInteger();
    private final NativeHeapTrimmer trimmer = new NativeHeapTrimmer(activity::get, () -> "trim " + trims.incrementAndGet());

    @Test
    void trimsInTheQuietPeriodsAfterStart() {
        for (int i = 0; i < NativeHeapTrimmer.QUIET_TRIMS; i++) {
            assertThat(trimmer.tick()).isTrue();
        }
        assertThat(trimmer.tick()).isFalse();
        assertThat(trimmer.tick()).isFalse();
        assertThat(trims).hasValue(NativeHeapTrimmer.QUIET_TRIMS);
    }

    @Test
    void neverTrimsWhileTheBrokerIsBusy() {
        for (int i = 0; i < 10; i++) {
            activity.addAndGet(1000);
            assertThat(trimmer.tick()).isFalse();
        }
        assertThat(trims).hasValue(0);
    }

    @Test
    void activityStopsTheTrimsAndArmsThemAgain() {
        quietUntilDone();
        activity.addAndGet(10_000); // a connection storm
        assertThat(trimmer.tick()).isFalse();
        assertThat(trimmer.tick()).isTrue();
        assertThat(trimmer.tick()).isTrue();
        activity.incrementAndGet(); // traffic again: no trim while it lasts
        assertThat(trimmer.tick()).isFalse();
        activity.incrementAndGet();
        assertThat(trimmer.tick()).isFalse();
        int before = trims.get();
        assertThat(quietUntilDone()).isEqualTo(NativeHeapTrimmer.QUIET_TRIMS);
        assertThat(trims.get() - before).isEqualTo(NativeHeapTrimmer.QUIET_TRIMS);
    }

    /** Ticks without activity until the trimmer stops trimming; returns how many times it trimmed. */
    private int quietUntilDone() {
        int n = 0;
        while (trimmer.tick()) {
            n++;
            assertThat(n).isLessThanOrEqualTo(NativeHeapTrimmer.QUIET_TRIMS);
        }
        return n;
    }

    @Test
    void aTrimThatFailsIsNotTriedAgain() {
        AtomicInteger calls = new AtomicInteger();
        NativeHeapTrimmer failing = new NativeHeapTrimmer(activity::get, () -> {
            calls.incrementAndGet();
            throw new UnsupportedOperationException("no such command");
        });
        assertThat(failing.tick()).isFalse();
        activity.incrementAndGet();
        failing.tick();
        failing.tick();
        assertThat(calls).hasValue(1);
    }

    @Test
    void activityCountsConnectionsAndMessages() {
        BrokerMetrics metrics = new BrokerMetrics();
        var sum = NativeHeapTrimmer.activityOf(metrics);
        metrics.connectionsOpened.increment();
        metrics.connectionsClosed.increment();
        metrics.messagesReceived.add(3);
        for (int i = 0; i < 5; i++) {
            metrics.sent(MqttVersion.V5, QoS.AT_LEAST_ONCE, 10);
        }
        assertThat(sum.getAsLong()).isEqualTo(10);
    }

    @Test
    void trimsThroughTheJvmDiagnosticCommand() throws Exception {
        MBeanOperationInfo[] operations = ManagementFactory.getPlatformMBeanServer()
                .getMBeanInfo(new ObjectName("com.sun.management:type=DiagnosticCommand")).getOperations();
        assumeTrue(Arrays.stream(operations).anyMatch(o -> o.getName().equals("systemTrimNativeHeap")),
                "this JVM has no System.trim_native_heap (JDK 17.0.9 and later have it)");
        // on glibc: "Trim native heap: RSS+Swap: ...", elsewhere a line that says it is not supported
        assertThat(NativeHeapTrimmer.trimThroughJvm()).isNotBlank();
    }

    @Test
    void brokerCommandTrimsByDefaultAndCanBeToldNotTo() {
        BrokerCommand byDefault = new BrokerCommand();
        new CommandLine(byDefault).parseArgs();
        assertThat(byDefault.trimNativeHeap).isTrue();
        BrokerCommand without = new BrokerCommand();
        new CommandLine(without).parseArgs("--no-trim-native-heap");
        assertThat(without.trimNativeHeap).isFalse();
    }
}
