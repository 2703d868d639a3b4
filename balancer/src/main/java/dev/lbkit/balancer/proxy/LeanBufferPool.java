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
 * threads rarely want at once, 1.6 % (docs/benchmarks.md).
 *
 * <p>Sizes are powers of two from 1 KB to 64 KB (a streamed body's piece, {@link
 * AsyncConnection#PIECE}); larger requests go to a Jetty pool. Each size keeps at most {@link
 * #keep} direct buffers given back (11 MB in all when every stack is full) and an eighth as many
 * heap buffers (Jetty asks for few: its client connections read and write direct buffers); a buffer
 * given back to a full stack is left to the garbage collector.
 */
final class LeanBufferPool implements ByteBufferPool {
    private static final int MIN_SHIFT = 10;
    private static final int MAX_SHIFT = 16;

    private final Stack[] direct = new Stack[MAX_SHIFT - MIN_SHIFT + 1];
    private final Stack[] heap = new Stack[MAX_SHIFT - MIN_SHIFT + 1];
    private final ByteBufferPool larger = new ArrayByteBufferPool();

    LeanBufferPool() {
        for (int i = 0; i < direct.length; i++) {
            int capacity = 1 << (i + MIN_SHIFT);
            direct[i] = new Stack(capacity, true, keep(capacity));
            heap[i] = new Stack(capacity, false, Math.max(4, keep(capacity) / 8));
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

    /** The buffers of one size and kind that were given back, most recent on top. */
    private static final class Stack {
        final int capacity;
        final boolean direct;
        private final Buffer[] buffers;
        private int size;

        Stack(int capacity, boolean direct, int keep) {
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
            count.set(1);
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
            if (last) {
                stack.push(this);
            }
            return last;
        }
    }
}
