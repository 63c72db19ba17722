package io.starling.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns Netty's leak reports into test failures. Netty's detector (paranoid in tests, see the
 * parent pom) only logs a leak when a buffer is garbage collected unreleased; this listens to it
 * and fails the test class at its end. Every test class gets it automatically (registered as a
 * service, see junit-platform.properties), the property tests included.
 */
public final class NettyLeaks implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    /** Starts recording leaks of Netty buffers. Idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(type + " leaked:\n" + records));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot listen to Netty's leak detector", e);
        }
        installed = true;
    }

    /** Collects garbage, lets the detector look at what was collected, and fails on any leak. */
    public static void assertNone() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            // the detector checks its queue of collected buffers when a new buffer is tracked
            for (int i = 0; i < 64; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.buffer(8);
                pooled.release();
                ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
                unpooled.release();
            }
        }
        List<String> leaks = new ArrayList<>(LEAKS);
        LEAKS.clear();
        assertThat(leaks).as("Netty buffers garbage collected without release").isEmpty();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNone();
    }
}
