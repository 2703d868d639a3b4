package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsComeFromBelowTheKernelsEphemeralRangeAndNeverTwice() throws IOException {
        int ephemeralLow =
                Integer.parseInt(
                        Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                                .get(0)
                                .trim()
                                .split("\\s+")[0]);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.next();
            assertThat(port)
                    .as("a port the kernel never hands out to a bind(0) or a connect")
                    .isBetween(FreePorts.LOWEST, ephemeralLow - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }

    @Test
    void aPortThatAcceptsConnectionsIsNeverHandedOut() throws IOException {
        int[] pair = twoBindablePorts();
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("127.0.0.1", pair[0]));
            assertThat(FreePorts.next(pair[0], pair[1])).isEqualTo(pair[1]);
        }
    }

    /**
     * Another process of the harness (another Maven build) claims port {@code a}: this one must
     * skip it although nothing listens there yet. Without the shared claim this test fails either
     * way: the first call may pick {@code a}, and the second call finds the other port free.
     */
    @Test
    void aPortAnotherProcessClaimedIsSkipped() throws Exception {
        int[] pair = twoBindablePorts();
        Process holder =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                Holder.class.getName(),
                                Integer.toString(pair[0]))
                        .redirectErrorStream(true)
                        .start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("the other process's claim").isEqualTo("claimed");
            assertThat(FreePorts.next(pair[0], pair[1]))
                    .as("port %d is claimed by pid %d", pair[0], holder.pid())
                    .isEqualTo(pair[1]);
            assertThatThrownBy(() -> FreePorts.next(pair[0], pair[1]))
                    .as("both ports are taken now: one by each process")
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("no free port on 127.0.0.1 between " + pair[0]);
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
    }

    /**
     * Two neighbouring ports nothing listens on and this process did not hand out (the first test
     * hands out 200).
     */
    private static int[] twoBindablePorts() throws IOException {
        while (true) {
            int a = ThreadLocalRandom.current().nextInt(FreePorts.LOWEST, 30_000);
            if (!FreePorts.handedOut(a)
                    && !FreePorts.handedOut(a + 1)
                    && bindable(a)
                    && bindable(a + 1)) {
                return new int[] {a, a + 1};
            }
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Another harness process: claims one port as FreePorts does, until its stdin closes. */
    public static final class Holder {
        public static void main(String[] args) throws IOException {
            int port = Integer.parseInt(args[0]);
            Path path = Path.of(System.getProperty("java.io.tmpdir"), "lbkit-ports.lock");
            try (FileChannel file =
                    FileChannel.open(
                            path,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE)) {
                if (file.tryLock(port, 1, false) == null) {
                    System.out.println("already claimed");
                    return;
                }
                System.out.println("claimed");
                System.out.flush();
                System.in.readAllBytes();
            }
        }
    }
}
