package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/** {@link LazyReadKey} on a real connection and selector. */
class LazyReadKeyTest {
    @Test
    void keepsWatchingUntilBytesArriveUnaskedThenHidesThemUntilReadingResumes() throws Exception {
        try (Connection connection = new Connection()) {
            Selector selector = connection.selector;
            SocketChannel client = connection.client;
            SelectionKey real = connection.key;
            LazyReadKey key = new LazyReadKey(real);

            // Jetty stops reading while a request is served: the selector keeps watching.
            key.interestOps(0);
            assertThat(key.interestOps()).as("what Jetty asked for").isZero();
            assertThat(real.interestOps())
                    .as("still watched: no system call")
                    .isEqualTo(SelectionKey.OP_READ);
            assertThat(selector.selectNow()).as("nothing arrived").isZero();

            // Bytes arrive unasked: hidden from Jetty, and the selector stops watching.
            client.write(ByteBuffer.wrap(new byte[] {'x'}));
            assertThat(selector.select(5_000)).isEqualTo(1);
            assertThat(key.readyOps() & SelectionKey.OP_READ).as("hidden").isZero();
            assertThat(real.interestOps()).as("no longer watched").isZero();
            selector.selectedKeys().clear();
            assertThat(selector.selectNow())
                    .as("not reported again while Jetty does not read")
                    .isZero();

            // Jetty reads again: the waiting bytes are reported at once.
            key.interestOps(SelectionKey.OP_READ);
            assertThat(real.interestOps()).isEqualTo(SelectionKey.OP_READ);
            assertThat(selector.select(5_000)).isEqualTo(1);
            assertThat(key.readyOps() & SelectionKey.OP_READ).isEqualTo(SelectionKey.OP_READ);
        }
    }

    @Test
    void aWishToReadWhileWatchedChangesNoInterestAndGetsTheNextReadiness() throws Exception {
        try (Connection connection = new Connection()) {
            Selector selector = connection.selector;
            SelectionKey real = connection.key;
            LazyReadKey key = new LazyReadKey(real);

            // A request is served: Jetty stops reading, the selector keeps watching.
            key.interestOps(0);
            // The answer is written on another thread, which asks to read again.
            assertThat(key.armRead()).as("taken without an interest update").isTrue();
            assertThat(key.interestOps()).as("Jetty's own interest is untouched").isZero();
            assertThat(real.interestOps()).isEqualTo(SelectionKey.OP_READ);

            // The next request arrives: it goes to Jetty, and the selector keeps watching.
            connection.client.write(ByteBuffer.wrap(new byte[] {'x'}));
            assertThat(selector.select(5_000)).isEqualTo(1);
            assertThat(key.readyOps() & SelectionKey.OP_READ).isEqualTo(SelectionKey.OP_READ);
            assertThat(real.interestOps()).isEqualTo(SelectionKey.OP_READ);
            selector.selectedKeys().clear();

            // Once given, the wish is spent: bytes still waiting are hidden until Jetty asks again.
            assertThat(selector.select(5_000)).isEqualTo(1);
            assertThat(key.readyOps() & SelectionKey.OP_READ).as("hidden").isZero();
            assertThat(real.interestOps()).as("no longer watched").isZero();
            assertThat(key.armRead())
                    .as("not watched: Jetty must set its interest as usual")
                    .isFalse();
            key.interestOps(SelectionKey.OP_READ);
            assertThat(key.armRead()).as("watched again").isTrue();
        }
    }

    @Test
    void writeInterestGoesStraightToTheSelector() throws Exception {
        try (Connection connection = new Connection()) {
            Selector selector = connection.selector;
            SelectionKey real = connection.key;
            LazyReadKey key = new LazyReadKey(real);
            key.interestOps(SelectionKey.OP_WRITE);
            assertThat(real.interestOps()).isEqualTo(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
            assertThat(selector.select(5_000)).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(SelectionKey.OP_WRITE);
            key.interestOps(SelectionKey.OP_READ);
            assertThat(real.interestOps()).isEqualTo(SelectionKey.OP_READ);
        }
    }

    /**
     * A real connection on the loopback: the client's end, and the accepted end registered for
     * reading with a selector.
     */
    private static final class Connection implements AutoCloseable {
        final ServerSocketChannel listener = ServerSocketChannel.open();
        final Selector selector = Selector.open();
        final SocketChannel client;
        final SocketChannel accepted;
        final SelectionKey key;

        Connection() throws java.io.IOException {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client = SocketChannel.open(listener.getLocalAddress());
            accepted = listener.accept();
            accepted.configureBlocking(false);
            key = accepted.register(selector, SelectionKey.OP_READ);
        }

        @Override
        public void close() throws java.io.IOException {
            client.close();
            accepted.close();
            selector.close();
            listener.close();
        }
    }
}
