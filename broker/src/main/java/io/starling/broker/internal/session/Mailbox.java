package io.starling.broker.internal.session;

import io.netty.util.concurrent.EventExecutor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer for a piece of state, without locks: any thread {@linkplain #submit submits} tasks,
 * and they run one at a time, in the order they were submitted, on the mailbox's owner event loop.
 * The owner can change ({@link #moveTo}); the tasks behind the one that moved it run on the new
 * owner, still in order. Each turn runs at most {@value #BATCH} tasks, then calls {@link
 * #afterBatch} once (where a session flushes its connection) and yields the event loop.
 *
 * <p>The mailbox is a stack of task nodes that any thread pushes with one CAS; a drain takes the
 * whole stack at once and reverses it. Empty, it holds no node at all, so an idle mailbox costs
 * its few fields. Subclasses hold the state the tasks change.
 */
public abstract class Mailbox {
    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);
    /** Tasks run in one turn before the mailbox yields its event loop to others. */
    static final int BATCH = 256;

    /**
     * A task and, at once, its node in the mailbox: a task that carries its own data (a delivery,
     * say) costs one allocation, where a lambda wrapped in a node would cost two.
     */
    public abstract static class Task {
        @Nullable Task next;

        /** Runs on the mailbox's owner, after every task submitted before it. */
        protected abstract void run();
    }

    /** A plain {@link Runnable} as a task. */
    private static final class RunnableTask extends Task {
        private final Runnable action;

        RunnableTask(Runnable action) {
            this.action = action;
        }

        @Override
        protected void run() {
            action.run();
        }
    }

    private static final VarHandle SUBMITTED;
    private static final VarHandle SCHEDULED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SUBMITTED = lookup.findVarHandle(Mailbox.class, "submitted", Task.class);
            SCHEDULED = lookup.findVarHandle(Mailbox.class, "scheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Tasks submitted and not yet taken, newest first (any thread pushes with a CAS). */
    private volatile @Nullable Task submitted;
    /** Tasks taken from the mailbox and not yet run, oldest first; owned by the running drain. */
    private @Nullable Task ready;
    /** Whether a drain is scheduled or running; set by the submit that finds it unset. */
    private volatile boolean scheduled;
    private volatile EventExecutor owner;

    protected Mailbox(EventExecutor owner) {
        this.owner = owner;
    }

    /** Runs {@code task} on the owner, after every task submitted before it. Any thread. */
    public final void submit(Runnable task) {
        submit(new RunnableTask(task));
    }

    /** Runs {@code task} on the owner, after every task submitted before it. Any thread; a task is submitted once. */
    public final void submit(Task task) {
        Task top;
        do {
            top = submitted;
            task.next = top;
        } while (!SUBMITTED.compareAndSet(this, top, task));
        // the plain read first: while a drain is scheduled, submitters skip the CAS
        if (!scheduled && SCHEDULED.compareAndSet(this, false, true)) {
            owner.execute(this::drain);
        }
    }

    /** The event loop the tasks run on. */
    public final EventExecutor owner() {
        return owner;
    }

    /** Moves the mailbox to {@code loop} once the running task ends. From a task only. */
    public final void moveTo(EventExecutor loop) {
        owner = loop;
    }

    /** Called on the owner after each turn of tasks, before it yields the event loop. */
    protected abstract void afterBatch();

    /** A task threw: the failure is logged and the tasks behind it still run. */
    protected void taskFailed(RuntimeException e) {
        log.error("{}: a task failed", this, e);
    }

    private void drain() {
        EventExecutor current = owner;
        if (!current.inEventLoop()) {
            current.execute(this::drain);
            return;
        }
        for (int n = 0; n < BATCH; n++) {
            Task task = ready;
            if (task == null) {
                task = takeSubmitted();
                if (task == null) {
                    afterBatch();
                    scheduled = false;
                    // a task added after the take and before the reset found scheduled still set
                    if (submitted != null && SCHEDULED.compareAndSet(this, false, true)) {
                        current.execute(this::drain);
                    }
                    return;
                }
            }
            ready = task.next;
            task.next = null;
            try {
                task.run();
            } catch (RuntimeException e) {
                taskFailed(e);
            }
            if (owner != current) {
                // the task moved the mailbox to another event loop: go on there
                afterBatch();
                owner.execute(this::drain);
                return;
            }
        }
        afterBatch();
        current.execute(this::drain);
    }

    /** Takes every submitted task at once; returns them oldest first, or null when there are none. */
    private @Nullable Task takeSubmitted() {
        Task newestFirst = (Task) SUBMITTED.getAndSet(this, (Task) null);
        Task oldestFirst = null;
        while (newestFirst != null) {
            Task next = newestFirst.next;
            newestFirst.next = oldestFirst;
            oldestFirst = newestFirst;
            newestFirst = next;
        }
        return oldestFirst;
    }
}
