package io.framebus.manager.internal;

import io.framebus.api.Frame;
import io.framebus.api.FrameInfo;
import io.framebus.api.FrameListener;
import io.framebus.api.FrameView;
import io.framebus.api.FrameViewListener;
import io.framebus.api.Subscription;
import io.framebus.shm.RingReader;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Push delivery of one camera's frames. Each subscription holds at most one pending frame: a listener that is
 * still busy when a newer frame arrives gets the newer one afterwards, never a backlog. One copy of each frame is
 * shared by all subscriptions, each getting its own {@link Frame} over it; the copy's buffer is reused once every
 * one of them is closed (by its listener, or here when a newer frame replaced it before delivery).
 */
final class FrameDispatcher {
    /** Reads the newest frame in place if it is newer than the one given ({@code RingReader.viewNewest}). */
    @FunctionalInterface
    interface InPlaceReader {
        RingReader.ViewResult viewNewest(long generation, long afterSequence, FrameViewListener listener);
    }

    private final List<Sub> subscriptions = new CopyOnWriteArrayList<>();
    private final List<InPlaceSub> inPlace = new CopyOnWriteArrayList<>();
    private final Supplier<FramePool.Copy> latest;
    private final InPlaceReader inPlaceReader;
    private final BiConsumer<String, Throwable> errors;
    private long lastGeneration = -1;
    private long lastSequence = -1;

    FrameDispatcher(Supplier<FramePool.Copy> latest, InPlaceReader inPlaceReader, BiConsumer<String, Throwable> errors) {
        this.latest = latest;
        this.inPlaceReader = inPlaceReader;
        this.errors = errors;
    }

    Subscription subscribe(FrameListener listener, Executor executor) {
        Sub s = new Sub(listener, executor);
        subscriptions.add(s);
        return s;
    }

    Subscription subscribeInPlace(FrameViewListener listener, Executor executor) {
        InPlaceSub s = new InPlaceSub(listener, executor);
        inPlace.add(s);
        s.schedule(); // a frame published before the subscription is the first one it sees
        return s;
    }

    boolean hasSubscribers() {
        return !subscriptions.isEmpty() || !inPlace.isEmpty();
    }

    /**
     * Called by the doorbell pump: wakes every in-place subscription (each reads the frame itself, when its turn
     * comes) and, for the copying ones, reads the newest frame once and offers it to each.
     */
    void frameArrived() {
        for (InPlaceSub s : inPlace) {
            s.schedule();
        }
        if (subscriptions.isEmpty()) {
            return;
        }
        FramePool.Copy copy = latest.get();
        if (copy == null) {
            return;
        }
        try {
            synchronized (this) {
                if (copy.info().generation() == lastGeneration && copy.info().sequence() == lastSequence) {
                    return;
                }
                lastGeneration = copy.info().generation();
                lastSequence = copy.info().sequence();
            }
            for (Sub s : subscriptions) {
                s.offer(copy.newFrame());
            }
        } finally {
            copy.release();
        }
    }

    void closeAll() {
        subscriptions.forEach(Sub::close);
        inPlace.forEach(InPlaceSub::close);
    }

    /**
     * An in-place subscription: no frame is held or copied; when it runs it shows the listener the newest frame it
     * has not seen, in the ring itself, and validates it afterwards.
     */
    private final class InPlaceSub implements Subscription, Runnable, FrameViewListener {
        private final FrameViewListener listener;
        private final Executor executor;
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final AtomicBoolean again = new AtomicBoolean();
        private final AtomicLong skipped = new AtomicLong();
        private final AtomicLong torn = new AtomicLong();
        private volatile boolean closed;
        // the delivery thread's own (one run at a time): the last frame shown
        private long generation = -1;
        private long sequence = -1;

        InPlaceSub(FrameViewListener listener, Executor executor) {
            this.listener = listener;
            this.executor = executor;
        }

        void schedule() {
            if (closed) {
                return;
            }
            again.set(true);
            if (scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false);
                    errors.accept("executor of a frame listener refused a delivery", e);
                }
            }
        }

        @Override
        public void run() {
            try {
                while (!closed && again.getAndSet(false)) {
                    RingReader.ViewResult r;
                    try {
                        r = inPlaceReader.viewNewest(generation, sequence, this);
                    } catch (RuntimeException | Error e) {
                        errors.accept("frame listener " + listener.getClass().getName() + " failed", e);
                        continue;
                    }
                    if (r == RingReader.ViewResult.TORN) {
                        torn.incrementAndGet();
                    }
                }
            } finally {
                scheduled.set(false);
                if (!closed && again.get()) {
                    schedule(); // a frame arrived between the last look and the flag reset
                }
            }
        }

        /** Called inside {@code viewNewest}: notes the frame, then hands the view to the listener. */
        @Override
        public void onFrame(FrameView view) {
            FrameInfo info = view.info();
            if (info.generation() == generation && info.sequence() > sequence + 1) {
                skipped.addAndGet(info.sequence() - sequence - 1);
            }
            generation = info.generation();
            sequence = info.sequence();
            listener.onFrame(view);
        }

        @Override
        public void close() {
            closed = true;
            inPlace.remove(this);
        }

        @Override
        public long skippedFrames() {
            return skipped.get();
        }

        @Override
        public long tornFrames() {
            return torn.get();
        }
    }

    private final class Sub implements Subscription, Runnable {
        private final FrameListener listener;
        private final Executor executor;
        private final AtomicReference<Frame> pending = new AtomicReference<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final AtomicLong skipped = new AtomicLong();
        private volatile boolean closed;

        Sub(FrameListener listener, Executor executor) {
            this.listener = listener;
            this.executor = executor;
        }

        void offer(Frame f) {
            if (closed) {
                f.close();
                return;
            }
            Frame replaced = pending.getAndSet(f);
            if (replaced != null) {
                replaced.close(); // the listener is still busy: the older frame is replaced, not queued
                skipped.incrementAndGet();
            }
            schedule();
        }

        private void schedule() {
            if (scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false);
                    errors.accept("executor of a frame listener refused a delivery", e);
                }
            }
        }

        @Override
        public void run() {
            try {
                Frame f;
                while (!closed && (f = pending.getAndSet(null)) != null) {
                    try {
                        listener.onFrame(f);
                    } catch (RuntimeException | Error e) {
                        errors.accept("frame listener " + listener.getClass().getName() + " failed", e);
                    }
                }
            } finally {
                scheduled.set(false);
                if (!closed && pending.get() != null) {
                    schedule(); // a frame arrived between the last poll and the flag reset
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            Frame undelivered = pending.getAndSet(null);
            if (undelivered != null) {
                undelivered.close();
            }
            subscriptions.remove(this);
        }

        @Override
        public long skippedFrames() {
            return skipped.get();
        }
    }
}
