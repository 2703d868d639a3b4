package dev.lbkit.balancer.proxy;

import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Retainable;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The buffers of a frontend's client connections: each request takes three (Jetty's request buffer,
 * its response head buffer, and the relayed body) and gives them back. Jetty's own pool, which
 * searches its entries with compare-and-set, had 2.6 % of lbkit's CPU samples at 64 connections,
 * about 0.3 µs per take and give-back; this one, a plain stack per size under a lock that two
 * threads rarely want at once, 1.6 %; with each loop thread's own few buffers in front of the
 * stacks (below), 0.2 to 0.4 % (docs/benchmarks.md).
 *
 * <p>Sizes are powers of two from 1 KB to 64 KB (a streamed body's piece, {@link
 * AsyncConnection#PIECE}); larger requests go to a Jetty pool. Each size keeps at most {@link
 * #keep} direct buffers given back (11 MB in all when every stack is full) and an eighth as many
 * heap buffers (Jetty asks for few: its client connections read and write direct buffers); a buffer
 * given back to a full stack is left to the garbage collector.
 *
 * <p>Before the shared stacks, each {@link LoopThread} keeps {@link ThreadCache#SLOTS} direct
 * buffers per size up to 16 KB (62 KB at most per thread): most buffers are given back on the
 * thread that took them, soon after, and taken again there, so the common case takes no lock and
 * touches memory no other core wrote last.
 */
final class LeanBufferPool implements ByteBufferPool {
    private static final int MIN_SHIFT = 10;
    private static final int MAX_SHIFT = 16;

    /** The largest size a thread keeps for itself: 16 KB. */
    private static final int CACHED_MAX_SHIFT = 14;

    private final Stack[] direct = new Stack[MAX_SHIFT - MIN_SHIFT + 1];
    private final Stack[] heap = new Stack[MAX_SHIFT - MIN_SHIFT + 1];
    private final ByteBufferPool larger = new ArrayByteBufferPool();

    LeanBufferPool() {
        for (int i = 0; i < direct.length; i++) {
            int capacity = 1 << (i + MIN_SHIFT);
            direct[i] = new Stack(i, capacity, true, keep(capacity));
            heap[i] = new Stack(i, capacity, false, Math.max(4, keep(capacity) / 8));
        }
    }

    /** How many buffers of {@code capacity} bytes a stack keeps: 512 KB to 2 MB of each size. */
    static int keep(int capacity) {
        return capacity <= 2048 ? (512 * 1024) / capacity : Math.max(32, (2 << 20) / capacity);
    }

    @Override
    public RetainableByteBuffer.Mutable acquire(int size, boolean isDirect) {
        if (size > 1 << MAX_SHIFT) {
            return larger.acquire(size, isDirect);
        }
        int shift =
                size <= 1 << MIN_SHIFT ? MIN_SHIFT : 32 - Integer.numberOfLeadingZeros(size - 1);
        if (isDirect
                && shift <= CACHED_MAX_SHIFT
                && Thread.currentThread() instanceof LoopThread thread) {
            Buffer own = thread.buffers.take(shift - MIN_SHIFT);
            if (own != null) {
                own.reuse();
                return own;
            }
        }
        Stack stack = (isDirect ? direct : heap)[shift - MIN_SHIFT];
        Buffer buffer = stack.pop();
        if (buffer == null) {
            return new Buffer(this, stack);
        }
        buffer.reuse();
        return buffer;
    }

    @Override
    public void clear() {
        for (int i = 0; i < direct.length; i++) {
            direct[i].clear();
            heap[i].clear();
        }
        larger.clear();
    }

    /**
     * A {@link LoopThread}'s own buffers: {@link #SLOTS} per size from 1 KB to 16 KB, direct only.
     * Only its thread uses it, so it needs no lock.
     */
    static final class ThreadCache {
        static final int SLOTS = 2;

        private final Buffer[] slots = new Buffer[(CACHED_MAX_SHIFT - MIN_SHIFT + 1) * SLOTS];

        /** A buffer of size {@code index} (0 for 1 KB), or null when the thread keeps none. */
        Buffer take(int index) {
            int base = index * SLOTS;
            for (int i = base + SLOTS - 1; i >= base; i--) {
                Buffer buffer = slots[i];
                if (buffer != null) {
                    slots[i] = null;
                    return buffer;
                }
            }
            return null;
        }

        /** Keeps {@code buffer} when a slot of its size is free. */
        boolean keep(Buffer buffer, int index) {
            int base = index * SLOTS;
            for (int i = base; i < base + SLOTS; i++) {
                if (slots[i] == null) {
                    slots[i] = buffer;
                    return true;
                }
            }
            return false;
        }

        /** How many buffers the thread keeps (tests). */
        int kept() {
            int n = 0;
            for (Buffer buffer : slots) {
                n += buffer == null ? 0 : 1;
            }
            return n;
        }
    }

    /** The buffers of one size and kind that were given back, most recent on top. */
    private static final class Stack {
        final int index;
        final boolean threadCached;
        final int capacity;
        final boolean direct;
        private final Buffer[] buffers;
        private int size;

        Stack(int index, int capacity, boolean direct, int keep) {
            this.index = index;
            this.threadCached = direct && index <= CACHED_MAX_SHIFT - MIN_SHIFT;
            this.capacity = capacity;
            this.direct = direct;
            this.buffers = new Buffer[keep];
        }

        synchronized Buffer pop() {
            if (size == 0) {
                return null;
            }
            Buffer top = buffers[--size];
            buffers[size] = null;
            return top;
        }

        synchronized void push(Buffer buffer) {
            if (size < buffers.length) {
                buffers[size++] = buffer;
            }
        }

        synchronized void clear() {
            java.util.Arrays.fill(buffers, 0, size, null);
            size = 0;
        }
    }

    /**
     * How many hold a buffer. Jetty's own counter takes a compare-and-set loop to be taken again;
     * here the buffer comes off a stack that only its taker sees, so a plain write does.
     */
    private static final class Holders implements Retainable {
        private final AtomicInteger count = new AtomicInteger(1);

        void reset() {
            // Only the taker sees the buffer now; whoever it hands the buffer to gets it through a
            // queue or lock, which orders this write before their reads.
            count.setRelease(1);
        }

        @Override
        public boolean canRetain() {
            return true;
        }

        @Override
        public void retain() {
            if (count.getAndIncrement() <= 0) {
                count.decrementAndGet();
                throw new IllegalStateException("retained after its release: " + this);
            }
        }

        @Override
        public boolean release() {
            int left = count.decrementAndGet();
            if (left < 0) {
                count.incrementAndGet();
                throw new IllegalStateException("released twice: " + this);
            }
            return left == 0;
        }

        @Override
        public boolean isRetained() {
            return count.get() > 1;
        }

        @Override
        public int getRetained() {
            return count.get();
        }

        @Override
        public String toString() {
            return "holders=" + count.get();
        }
    }

    /** A buffer that goes back to its stack when its last holder releases it. */
    private static final class Buffer extends RetainableByteBuffer.Pooled {
        private final Stack stack;
        private final Holders references;

        Buffer(LeanBufferPool pool, Stack stack) {
            this(pool, stack, new Holders());
        }

        private Buffer(LeanBufferPool pool, Stack stack, Holders references) {
            super(pool, BufferUtil.allocate(stack.capacity, stack.direct), references);
            this.stack = stack;
            this.references = references;
        }

        /** Taken again from the stack: one holder, nothing in it. */
        void reuse() {
            references.reset();
            clear();
        }

        @Override
        public boolean release() {
            boolean last = super.release();
            if (last
                    && !(stack.threadCached
                            && Thread.currentThread() instanceof LoopThread thread
                            && thread.buffers.keep(this, stack.index))) {
                stack.push(this);
            }
            return last;
        }
    }
}
