package dev.lbkit.backends;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A group of {@link FlaskReplica}s app1..appN on ephemeral 127.0.0.1 ports, closed together.
 *
 * <pre>{@code
 * try (Replicas apps = Replicas.start(3)) {
 *     apps.get(2).port();   // where app2 listens
 * }
 * }</pre>
 */
public final class Replicas implements AutoCloseable {

    /** Replicas listen on loopback only; HAProxy and lbkit reach them there. */
    public static final String LOOPBACK = "127.0.0.1";

    private final List<FlaskReplica> replicas;

    private Replicas(List<FlaskReplica> replicas) {
        this.replicas = Collections.unmodifiableList(replicas);
    }

    /** Starts app1..app{count} with no delay. */
    public static Replicas start(int count) {
        return start(count, app -> Duration.ZERO);
    }

    /** Starts app1..app{count}; {@code delayOfApp} gives each app's delay (app numbers from 1). */
    public static Replicas start(int count, IntFunction<Duration> delayOfApp) {
        if (count < 1) {
            throw new IllegalArgumentException("need at least one replica, got " + count);
        }
        List<FlaskReplica> started = new ArrayList<>(count);
        try {
            for (int app = 1; app <= count; app++) {
                started.add(FlaskReplica.start(app, LOOPBACK, 0, delayOfApp.apply(app)));
            }
        } catch (RuntimeException failed) {
            started.forEach(FlaskReplica::close);
            throw failed;
        }
        return new Replicas(started);
    }

    /** The replica for app N (1-based, like the article's app1..app3). */
    public FlaskReplica get(int app) {
        if (app < 1 || app > replicas.size()) {
            throw new IllegalArgumentException(
                    "no app" + app + ": this group has app1..app" + replicas.size());
        }
        return replicas.get(app - 1);
    }

    /** All replicas, app1 first. */
    public List<FlaskReplica> all() {
        return replicas;
    }

    public int size() {
        return replicas.size();
    }

    /** Ports in app order: {@code ports().get(0)} is app1's. */
    public List<Integer> ports() {
        return replicas.stream().map(FlaskReplica::port).toList();
    }

    @Override
    public void close() {
        replicas.forEach(FlaskReplica::close);
    }

    @Override
    public String toString() {
        return replicas.toString();
    }
}
