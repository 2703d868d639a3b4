package dev.lbkit.harness;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A scripted request sequence, sent identically to both sides: what each request carries and which
 * runtime API commands run before which request.
 *
 * @param keepAlive true: all requests on one keep-alive connection; false: a new connection each
 * @param events runtime API commands, each sent to both sides just before request {@code
 *     beforeRequest}
 */
public record Traffic(String name, List<Request> requests, List<Event> events, boolean keepAlive) {

    /**
     * One request: its target byte for byte, the source address to send it from (null = default),
     * extra headers (a {@code Host:} line among them replaces the default Host), the PROXY protocol
     * header its connection opens with (null = none; for a listener with {@code accept-proxy}), and
     * its method (GET unless said).
     */
    public record Request(
            String target,
            InetAddress source,
            List<String> headers,
            ProxyHeader proxy,
            String method) {
        public Request(String target, InetAddress source, List<String> headers) {
            this(target, source, headers, null, "GET");
        }

        public Request(String target, InetAddress source, List<String> headers, ProxyHeader proxy) {
            this(target, source, headers, proxy, "GET");
        }

        /**
         * A request with {@code method} for {@code target} and these extra headers, on a new
         * connection.
         */
        public static Request of(String method, String target, List<String> headers) {
            return new Request(target, null, headers, null, method);
        }

        public static Request get(String target) {
            return new Request(target, null, List.of());
        }

        /** A GET for {@code target} on a new connection that opens with {@code proxy}. */
        public static Request proxied(String target, ProxyHeader proxy) {
            return new Request(target, null, List.of(), proxy);
        }
    }

    /**
     * A runtime API command (e.g. {@code disable server be/s1}) sent to both sides before a
     * request.
     */
    public record Event(int beforeRequest, String command) {}

    public Traffic {
        requests = List.copyOf(requests);
        events = List.copyOf(events);
    }

    /** {@code count} requests for {@code /}, each on a new connection. */
    public static Traffic sequential(String name, int count) {
        return of(name, count, i -> Request.get("/"));
    }

    /** {@code count} requests built by {@code request}, each on a new connection. */
    public static Traffic of(String name, int count, IntFunction<Request> request) {
        List<Request> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(request.apply(i));
        }
        return new Traffic(name, requests, List.of(), false);
    }

    public Traffic keepAliveConnection() {
        return new Traffic(name + " (one keep-alive connection)", requests, events, true);
    }

    /** Adds a runtime API command before request {@code index}. */
    public Traffic withEvent(int index, String command) {
        List<Event> more = new ArrayList<>(events);
        more.add(new Event(index, command));
        more.sort((a, b) -> Integer.compare(a.beforeRequest(), b.beforeRequest()));
        return new Traffic(name, requests, more, keepAlive);
    }

    /** The first {@code count} requests, with the commands that come before them. */
    public Traffic firstRequests(int count) {
        return new Traffic(
                name + " (first " + count + ")",
                requests.subList(0, count),
                events.stream().filter(e -> e.beforeRequest() < count).toList(),
                keepAlive);
    }

    public List<String> commandsBefore(int index) {
        return events.stream().filter(e -> e.beforeRequest() == index).map(Event::command).toList();
    }
}
