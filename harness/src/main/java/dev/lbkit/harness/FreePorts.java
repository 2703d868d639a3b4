package dev.lbkit.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out TCP ports on 127.0.0.1 for a balancer to bind later: a {@code bind} line, a {@code
 * stats socket}, a server nothing listens on.
 *
 * <p>A port is free when it is handed out and must stay free until the balancer binds it. Two
 * things can take it in between, and both were seen in CI as a balancer that looked started but was
 * not the one answering:
 *
 * <ul>
 *   <li>the kernel: a port from its ephemeral range ({@code ip_local_port_range}) is what it gives
 *       to the next {@code bind(port 0)} or outgoing connection of any test running beside this
 *       one. A replica that got the port listens there, HAProxy's own bind then fails, and a probe
 *       that connects finds the replica. So ports come from below that range, which the kernel
 *       never hands out by itself;
 *   <li>another run of the harness (a second Maven build, a demo): every port handed out is also
 *       claimed by a lock on one byte of a file every harness process shares ({@code
 *       lbkit-ports.lock} in the temporary folder), held until the process exits. A lock held by
 *       another process makes the port taken.
 * </ul>
 *
 * <p>Where the ephemeral range leaves no room below it, ports come from the kernel as before.
 */
public final class FreePorts {
    /** The lowest port handed out: below are the well-known services' usual ports. */
    static final int LOWEST = 10_000;

    /** Ports this process handed out and still claims, oldest first. */
    private static final Map<Integer, FileLock> CLAIMED = new LinkedHashMap<>();

    /** How many claims this process keeps; the oldest is given back beyond that. */
    private static final int KEPT = 4096;

    private static final int ATTEMPTS = 10_000;

    /** From {@value #LOWEST} to just below the kernel's ephemeral range, read once. */
    private static final int[] RANGE = range();

    private static FileChannel lockFile;
    private static boolean lockFileTried;

    private FreePorts() {}

    /**
     * A port on 127.0.0.1 that nothing listens on, that the kernel does not hand out by itself, and
     * that neither this process nor another harness process handed out recently.
     */
    public static int next() throws IOException {
        return RANGE == null ? fromKernel() : next(RANGE[0], RANGE[1]);
    }

    /** A port from {@code low} to {@code high} (both included), as {@link #next()}. */
    static synchronized int next(int low, int high) throws IOException {
        int size = high - low + 1;
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < Math.min(size, ATTEMPTS); i++) {
            int port = low + (start + i) % size;
            if (CLAIMED.containsKey(port) || !bindable(port)) {
                continue;
            }
            FileLock claim = claim(port);
            if (claim == null && lockFile != null) {
                continue; // another harness process holds it
            }
            return remember(port, claim);
        }
        throw new IOException(
                "no free port on 127.0.0.1 between "
                        + low
                        + " and "
                        + high
                        + " after "
                        + Math.min(size, ATTEMPTS)
                        + " tries: close what listens there, or widen the range below"
                        + " net.ipv4.ip_local_port_range");
    }

    /** True when this process handed {@code port} out and still claims it. */
    static synchronized boolean handedOut(int port) {
        return CLAIMED.containsKey(port);
    }

    /**
     * The ports handed out: from {@value #LOWEST} to just below the kernel's ephemeral range, or
     * null when that leaves fewer than 1000.
     */
    static int[] range() {
        int low = 32_768;
        try {
            // readAllLines, not readString: the JDK reads a /proc file's reported size (0) and gets
            // one byte with readString.
            String text =
                    Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
            low = Integer.parseInt(text.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException notLinux) {
            // keep the usual default
        }
        int high = low - 1;
        return high - LOWEST + 1 < 1000 ? null : new int[] {LOWEST, high};
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** Locks byte {@code port} of the shared file; null when another process holds it. */
    private static FileLock claim(int port) {
        FileChannel file = lockFile();
        if (file == null) {
            return null;
        }
        try {
            return file.tryLock(port, 1, false);
        } catch (IOException | OverlappingFileLockException e) {
            return null;
        }
    }

    private static FileChannel lockFile() {
        if (!lockFileTried) {
            lockFileTried = true;
            Path path = Path.of(System.getProperty("java.io.tmpdir"), "lbkit-ports.lock");
            try {
                lockFile =
                        FileChannel.open(
                                path,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.READ,
                                StandardOpenOption.WRITE);
            } catch (IOException | UnsupportedOperationException e) {
                System.err.println(
                        "[lbkit] cannot open "
                                + path
                                + " ("
                                + e.getMessage()
                                + "): ports are kept apart within this process only");
            }
        }
        return lockFile;
    }

    /**
     * Keeps {@code port} (and its claim) as handed out, giving back the oldest beyond {@value
     * #KEPT}.
     */
    private static int remember(int port, FileLock claim) {
        CLAIMED.put(port, claim);
        if (CLAIMED.size() > KEPT) {
            giveBack(CLAIMED.keySet().iterator().next());
        }
        return port;
    }

    private static void giveBack(int port) {
        FileLock claim = CLAIMED.remove(port);
        if (claim != null) {
            try {
                claim.release();
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
        }
    }

    /** The old way, where there is no room below the ephemeral range: a port the kernel picks. */
    private static synchronized int fromKernel() throws IOException {
        while (true) {
            int port;
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
                port = socket.getLocalPort();
            }
            if (!CLAIMED.containsKey(port)) {
                return remember(port, null);
            }
        }
    }
}
