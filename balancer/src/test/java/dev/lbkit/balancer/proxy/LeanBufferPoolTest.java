package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.junit.jupiter.api.Test;

/** {@link LeanBufferPool}: sizes, reuse, holders, and the bound on what it keeps. */
class LeanBufferPoolTest {
    private final LeanBufferPool pool = new LeanBufferPool();

    @Test
    void aBufferHasRoomForWhatWasAskedAndComesEmpty() {
        for (int size : new int[] {1, 1024, 1025, 4096, 8192, 16_000, 65_536}) {
            RetainableByteBuffer buffer = pool.acquire(size, true);
            assertThat(buffer.capacity()).as("capacity for %d", size).isGreaterThanOrEqualTo(size);
            assertThat(buffer.capacity())
                    .as("a power of two")
                    .isEqualTo(Integer.highestOneBit(buffer.capacity()));
            assertThat(buffer.capacity())
                    .as("at most twice %d, and 1 KB at least", size)
                    .isLessThanOrEqualTo(Math.max(1024, 2 * size));
            assertThat(buffer.isDirect()).isTrue();
            assertThat(buffer.hasRemaining()).as("empty").isFalse();
            buffer.release();
        }
        RetainableByteBuffer heap = pool.acquire(2000, false);
        assertThat(heap.isDirect()).isFalse();
        heap.release();
    }

    @Test
    void aReleasedBufferIsTakenAgainEmptyAndTheOtherKindOrSizeIsNot() {
        RetainableByteBuffer first = pool.acquire(8192, true);
        ByteBuffer bytes = first.getByteBuffer();
        int pos = BufferUtil.flipToFill(bytes);
        bytes.put(new byte[100]);
        BufferUtil.flipToFlush(bytes, pos);
        assertThat(first.remaining()).isEqualTo(100);
        assertThat(first.release()).as("the last holder").isTrue();

        assertThat(pool.acquire(8192, false)).as("heap, not the direct one").isNotSameAs(first);
        assertThat(pool.acquire(4096, true)).as("another size").isNotSameAs(first);
        RetainableByteBuffer again = pool.acquire(5000, true);
        assertThat(again).as("the same 8 KB buffer").isSameAs(first);
        assertThat(again.remaining()).as("emptied").isZero();
        assertThat(again.isRetained()).as("one holder").isFalse();
        again.release();
    }

    @Test
    void aRetainedBufferGoesBackOnlyAtItsLastReleaseAndNotTwice() {
        RetainableByteBuffer buffer = pool.acquire(2048, true);
        buffer.retain();
        assertThat(buffer.isRetained()).isTrue();
        assertThat(buffer.release()).as("one holder left").isFalse();
        RetainableByteBuffer other = pool.acquire(2048, true);
        assertThat(other).as("still held: not handed out").isNotSameAs(buffer);
        assertThat(buffer.release()).isTrue();
        assertThatThrownBy(buffer::release).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(buffer::retain).isInstanceOf(IllegalStateException.class);
        other.release();
        RetainableByteBuffer next = pool.acquire(2048, true);
        assertThat(next).as("the last one given back comes first").isSameAs(other);
    }

    @Test
    void largerThan64KbComesFromJettysPool() {
        RetainableByteBuffer big = pool.acquire(100_000, true);
        assertThat(big.capacity()).isGreaterThanOrEqualTo(100_000);
        assertThat(big.getClass().getName()).doesNotContain("LeanBufferPool");
        big.release();
    }

    @Test
    void keepsAtMostItsBoundOfEachSize() {
        int keep = LeanBufferPool.keep(65_536);
        List<RetainableByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < keep + 5; i++) {
            held.add(pool.acquire(65_536, true));
        }
        held.forEach(RetainableByteBuffer::release);
        List<RetainableByteBuffer> again = new ArrayList<>();
        for (int i = 0; i < keep + 5; i++) {
            again.add(pool.acquire(65_536, true));
        }
        long reused = again.stream().filter(b -> held.stream().anyMatch(h -> h == b)).count();
        assertThat(reused).as("kept and handed out again").isEqualTo(keep);
        again.forEach(RetainableByteBuffer::release);
        assertThat(LeanBufferPool.keep(1024) * 1024)
                .as("1 KB buffers kept: 512 KB")
                .isEqualTo(512 * 1024);
    }

    @Test
    void aLoopThreadKeepsTwoSmallDirectBuffersPerSizeForItselfAndSharesTheRest() throws Exception {
        List<String> seen = new ArrayList<>();
        AtomicReference<RetainableByteBuffer> handedOver = new AtomicReference<>();
        LoopThread loop =
                new LoopThread(
                        () -> {
                            LeanBufferPool.ThreadCache own =
                                    ((LoopThread) Thread.currentThread()).buffers;
                            List<RetainableByteBuffer> three = new ArrayList<>();
                            for (int i = 0; i < 3; i++) {
                                three.add(pool.acquire(8192, true));
                            }
                            three.forEach(RetainableByteBuffer::release);
                            seen.add("kept by the thread: " + own.kept());
                            RetainableByteBuffer again = pool.acquire(8192, true);
                            seen.add(
                                    "the last one it kept comes first: " + (again == three.get(1)));
                            seen.add(
                                    "emptied and one holder: "
                                            + (!again.hasRemaining() && !again.isRetained()));
                            again.release();
                            // Not kept by the thread: larger than 16 KB, or heap.
                            pool.acquire(32_768, true).release();
                            pool.acquire(2048, false).release();
                            seen.add("after a 32 KB and a heap buffer: " + own.kept());
                            // The third went to the pool's shared stack, where another thread
                            // finds it.
                            handedOver.set(three.get(2));
                        });
        loop.start();
        loop.join();
        assertThat(seen)
                .containsExactly(
                        "kept by the thread: 2",
                        "the last one it kept comes first: true",
                        "emptied and one holder: true",
                        "after a 32 KB and a heap buffer: 2");
        RetainableByteBuffer shared = pool.acquire(8192, true);
        assertThat(shared).as("the one the loop thread had no slot for").isSameAs(handedOver.get());
        assertThat(pool.acquire(8192, true))
                .as("the loop thread's own are not handed to others")
                .isNotIn(List.of(shared));
        assertThat(LeanBufferPool.ThreadCache.SLOTS).isEqualTo(2);
    }
}
