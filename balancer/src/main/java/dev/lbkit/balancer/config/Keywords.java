package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The HAProxy 2.6 keywords lbkit accepts without acting on them, so the same haproxy.cfg drives
 * both; anything outside these lists is refused as HAProxy refuses an unknown keyword.
 */
final class Keywords {

    private Keywords() {}

    /** Sections lbkit skips whole (with one warning). */
    static final Set<String> IGNORED_SECTIONS =
            Set.of(
                    "peers",
                    "resolvers",
                    "userlist",
                    "mailers",
                    "program",
                    "http-errors",
                    "ring",
                    "cache",
                    "fcgi-app");

    /** Global keywords that take no argument. */
    static final Set<String> GLOBAL_FLAGS =
            Set.of(
                    "daemon",
                    "quiet",
                    "zero-warning",
                    "noepoll",
                    "nopoll",
                    "nosplice",
                    "nogetaddrinfo",
                    "noreuseport",
                    "insecure-fork-wanted",
                    "set-dumpable",
                    "strict-limits",
                    "expose-experimental-directives",
                    "external-check",
                    "insecure-setuid-wanted",
                    "nbproc");

    /** Harmless global keywords that take exactly one word: HAProxy refuses a second. */
    static final Set<String> GLOBAL_ONE_ARGUMENT =
            Set.of(
                    "uid",
                    "gid",
                    "chroot",
                    "pidfile",
                    "node",
                    "log-tag",
                    "spread-checks",
                    "localpeer",
                    "ulimit-n",
                    "maxsessrate",
                    "ssl-server-verify",
                    "tune.bufsize");

    private static final Set<String> HARMLESS_GLOBAL =
            Set.of(
                    "user",
                    "group",
                    "uid",
                    "gid",
                    "chroot",
                    "pidfile",
                    "log",
                    "log-send-hostname",
                    "log-tag",
                    "ca-base",
                    "crt-base",
                    "hard-stop-after",
                    "spread-checks",
                    "max-spread-checks",
                    "description",
                    "node",
                    "localpeer",
                    "ulimit-n",
                    "lua-load",
                    "lua-prepend-path",
                    "server-state-file",
                    "server-state-base",
                    "busy-polling",
                    "cpu-map",
                    "h1-case-adjust",
                    "h1-case-adjust-file",
                    "unix-bind",
                    "maxsslconn",
                    "maxconnrate",
                    "maxsessrate",
                    "maxsslrate",
                    "maxpipes",
                    "maxzlibmem",
                    "maxcompcpuusage",
                    "maxcomprate",
                    "issuers-chain-path",
                    "numa-cpu-mapping",
                    "master-worker",
                    "grace",
                    "pp2-never-send-local",
                    "anonkey",
                    "cluster-secret",
                    "fd-hard-limit",
                    "default-path",
                    "mworker-max-reloads",
                    "thread-groups",
                    "thread-group",
                    "stats");

    private static final List<String> HARMLESS_GLOBAL_PREFIXES =
            List.of(
                    "tune.",
                    "ssl-",
                    "ssl.",
                    "httpclient.",
                    "lua-",
                    "51degrees-",
                    "wurfl-",
                    "deviceatlas-",
                    "profiling.",
                    "log-",
                    "presetenv",
                    "setenv");

    static boolean isHarmlessGlobal(String keyword) {
        return HARMLESS_GLOBAL.contains(keyword)
                || HARMLESS_GLOBAL_PREFIXES.stream().anyMatch(keyword::startsWith);
    }

    /** Proxy keywords that lbkit accepts and ignores (with a warning). */
    static final Set<String> HARMLESS_PROXY =
            Set.of(
                    "log",
                    "description",
                    "disabled",
                    "enabled",
                    "fullconn",
                    "http-request",
                    "http-response",
                    "http-after-response",
                    "tcp-request",
                    "tcp-response",
                    "http-check",
                    "tcp-check",
                    "use-server",
                    "capture",
                    "errorfile",
                    "errorfiles",
                    "errorloc",
                    "errorloc302",
                    "errorloc303",
                    "compression",
                    "unique-id-format",
                    "unique-id-header",
                    "log-format",
                    "log-format-sd",
                    "error-log-format",
                    "log-tag",
                    "stick-table",
                    "stick",
                    "monitor-uri",
                    "monitor",
                    "rate-limit",
                    "redirect",
                    "source",
                    "filter",
                    "email-alert",
                    "external-check",
                    "dispatch",
                    "persist",
                    "ignore-persist",
                    "force-persist",
                    "server-template",
                    "load-server-state-from-file",
                    "server-state-file-name",
                    "max-keep-alive-queue",
                    "retry-on",
                    "http-send-name-header",
                    "backlog",
                    "grace",
                    "declare",
                    "bind-process",
                    "clitcpka-cnt",
                    "clitcpka-idle",
                    "clitcpka-intvl",
                    "srvtcpka-cnt",
                    "srvtcpka-idle",
                    "srvtcpka-intvl",
                    "http-error",
                    "guid",
                    "dynamic-cookie-key",
                    "use-fcgi-app");

    /** {@code stats} sub-keywords allowed in a proxy (the runtime socket belongs in global). */
    static final Set<String> PROXY_STATS =
            Set.of(
                    "admin",
                    "uri",
                    "realm",
                    "auth",
                    "scope",
                    "enable",
                    "hide-version",
                    "show-node",
                    "show-desc",
                    "show-legends",
                    "refresh",
                    "http-request",
                    "bind-process",
                    "show-modules");

    static final Set<String> TIMEOUTS =
            Set.of(
                    "client",
                    "server",
                    "connect",
                    "check",
                    "queue",
                    "http-keep-alive",
                    "http-request",
                    "tunnel",
                    "tarpit",
                    "client-fin",
                    "server-fin");

    /**
     * On/off options that act on the server side only. In a proxy without it HAProxy warns that the
     * option is ignored; from 3.2 the line is then also refused (measured on 2.6.12, 3.0.11, 3.2.26
     * and 3.4.7, each option with and without {@code no}, in a frontend and in a backend).
     */
    static final Set<String> BACKEND_FLAG_OPTIONS =
            Set.of(
                    "abortonclose",
                    "allbackups",
                    "checkcache",
                    "h1-case-adjust-bogus-server",
                    "http-pretend-keepalive",
                    "log-health-checks",
                    "persist",
                    "prefer-last-server",
                    "srvtcpka",
                    "tcp-smart-connect",
                    "transparent");

    /**
     * On/off options that act on the client side only, measured as {@link #BACKEND_FLAG_OPTIONS}.
     */
    static final Set<String> FRONTEND_FLAG_OPTIONS =
            Set.of(
                    "clitcpka",
                    "contstats",
                    "disable-h2-upgrade",
                    "dontlog-normal",
                    "dontlognull",
                    "h1-case-adjust-bogus-client",
                    "http-ignore-probes",
                    "http-use-proxy-header",
                    "idle-close-on-response",
                    "log-separate-errors",
                    "logasap",
                    "socket-stats",
                    "tcp-smart-accept");

    /**
     * Server-side options HAProxy reads with their own arguments: in a frontend, a warning on every
     * line, never a refusal. ({@code accept-invalid-http-response} and its client-side twin behave
     * so too: from 3.2 they are read as old names of other options.)
     */
    static final Set<String> BACKEND_OPTIONS_WITH_ARGUMENTS =
            Set.of(
                    "redispatch",
                    "httpchk",
                    "ldap-check",
                    "mysql-check",
                    "redis-check",
                    "smtpchk",
                    "spop-check",
                    "ssl-hello-chk",
                    "tcp-check",
                    "accept-invalid-http-response");

    /**
     * Options that refuse {@code no} on every line, with the alert "negation/default is not
     * supported".
     */
    static final Set<String> NOT_NEGATABLE_OPTIONS =
            Set.of(
                    "external-check",
                    "forwardfor",
                    "http-restrict-req-hdr-names",
                    "httpchk",
                    "httplog",
                    "httpslog",
                    "ldap-check",
                    "mysql-check",
                    "originalto",
                    "pgsql-check",
                    "redis-check",
                    "smtpchk",
                    "spop-check",
                    "ssl-hello-chk",
                    "tcp-check",
                    "tcpka",
                    "tcplog");

    /** Options that refuse {@code no} from 3.2, where they became old names of other options. */
    static final Set<String> NOT_NEGATABLE_FROM_32 =
            Set.of("accept-invalid-http-request", "accept-invalid-http-response");

    /** Options lbkit accepts without acting on them. */
    static final Set<String> HARMLESS_OPTIONS =
            Set.of(
                    "httplog",
                    "httpslog",
                    "dontlognull",
                    "http-server-close",
                    "http-keep-alive",
                    "httpclose",
                    "tcplog",
                    "tcpka",
                    "clitcpka",
                    "srvtcpka",
                    "log-health-checks",
                    "http-buffer-request",
                    "prefer-last-server",
                    "persist",
                    "log-separate-errors",
                    "logasap",
                    "splice-auto",
                    "splice-request",
                    "splice-response",
                    "independent-streams",
                    "nolinger",
                    "originalto",
                    "socket-stats",
                    "tcp-smart-accept",
                    "tcp-smart-connect",
                    "http-no-delay",
                    "http-pretend-keepalive",
                    "http-ignore-probes",
                    "accept-invalid-http-request",
                    "accept-invalid-http-response",
                    "h1-case-adjust-bogus-client",
                    "h1-case-adjust-bogus-server",
                    "checkcache",
                    "contstats",
                    "disable-h2-upgrade",
                    "dontlog-normal",
                    "external-check",
                    "ldap-check",
                    "mysql-check",
                    "pgsql-check",
                    "redis-check",
                    "smtpchk",
                    "spop-check",
                    "ssl-hello-chk",
                    "tcp-check",
                    "transparent",
                    "http-use-proxy-header",
                    "idle-close-on-response",
                    "http-restrict-req-hdr-names");

    /** Bind (and stats socket) options with the number of words each takes after it. */
    static final Map<String, Integer> BIND_OPTIONS =
            Map.ofEntries(
                    Map.entry("name", 1),
                    Map.entry("v4v6", 0),
                    Map.entry("v6only", 0),
                    Map.entry("ssl", 0),
                    Map.entry("crt", 1),
                    Map.entry("ca-file", 1),
                    Map.entry("alpn", 1),
                    Map.entry("npn", 1),
                    Map.entry("proto", 1),
                    Map.entry("accept-proxy", 0),
                    Map.entry("accept-netscaler-cip", 1),
                    Map.entry("tfo", 0),
                    Map.entry("transparent", 0),
                    Map.entry("maxconn", 1),
                    Map.entry("backlog", 1),
                    Map.entry("process", 1),
                    Map.entry("thread", 1),
                    Map.entry("mss", 1),
                    Map.entry("interface", 1),
                    Map.entry("defer-accept", 0),
                    Map.entry("id", 1),
                    Map.entry("nice", 1),
                    Map.entry("level", 1),
                    Map.entry("mode", 1),
                    Map.entry("user", 1),
                    Map.entry("group", 1),
                    Map.entry("uid", 1),
                    Map.entry("gid", 1),
                    Map.entry("expose-fd", 1),
                    Map.entry("severity-output", 1),
                    Map.entry("namespace", 1),
                    Map.entry("tcp-ut", 1),
                    Map.entry("crt-list", 1),
                    Map.entry("ciphers", 1),
                    Map.entry("ciphersuites", 1),
                    Map.entry("ssl-min-ver", 1),
                    Map.entry("ssl-max-ver", 1),
                    Map.entry("verify", 1),
                    Map.entry("strict-sni", 0),
                    Map.entry("no-sslv3", 0),
                    Map.entry("no-tlsv10", 0),
                    Map.entry("no-tlsv11", 0),
                    Map.entry("no-tlsv12", 0),
                    Map.entry("no-tlsv13", 0),
                    Map.entry("prefer-client-ciphers", 0),
                    Map.entry("allow-0rtt", 0),
                    Map.entry("curves", 1),
                    Map.entry("ecdhe", 1),
                    Map.entry("generate-certificates", 0),
                    Map.entry("ca-sign-file", 1),
                    Map.entry("crl-file", 1),
                    Map.entry("quic-cc-algo", 1),
                    Map.entry("no-tls-tickets", 0),
                    Map.entry("ca-verify-file", 1),
                    Map.entry("ca-ignore-err", 1),
                    Map.entry("crt-ignore-err", 1));

    /** Server options lbkit ignores, with the number of words each takes after it. */
    static final Map<String, Integer> SERVER_OPTIONS =
            Map.ofEntries(
                    Map.entry("port", 1),
                    Map.entry("addr", 1),
                    Map.entry("maxqueue", 1),
                    Map.entry("minconn", 1),
                    Map.entry("on-marked-down", 1),
                    Map.entry("on-marked-up", 1),
                    Map.entry("on-error", 1),
                    Map.entry("observe", 1),
                    Map.entry("error-limit", 1),
                    Map.entry("verify", 1),
                    Map.entry("verifyhost", 1),
                    Map.entry("sni", 1),
                    Map.entry("alpn", 1),
                    Map.entry("npn", 1),
                    Map.entry("check-alpn", 1),
                    Map.entry("check-sni", 1),
                    Map.entry("check-proto", 1),
                    Map.entry("proto", 1),
                    Map.entry("init-addr", 1),
                    Map.entry("resolve-prefer", 1),
                    Map.entry("resolve-net", 1),
                    Map.entry("resolve-opts", 1),
                    Map.entry("agent-port", 1),
                    Map.entry("agent-inter", 1),
                    Map.entry("agent-addr", 1),
                    Map.entry("agent-send", 1),
                    Map.entry("redir", 1),
                    Map.entry("source", 1),
                    Map.entry("pool-max-conn", 1),
                    Map.entry("pool-purge-delay", 1),
                    Map.entry("pool-low-conn", 1),
                    Map.entry("max-reuse", 1),
                    Map.entry("namespace", 1),
                    Map.entry("ca-file", 1),
                    Map.entry("crt", 1),
                    Map.entry("crl-file", 1),
                    Map.entry("ciphers", 1),
                    Map.entry("ciphersuites", 1),
                    Map.entry("ssl-min-ver", 1),
                    Map.entry("ssl-max-ver", 1),
                    Map.entry("proxy-v2-options", 1),
                    Map.entry("tcp-ut", 1),
                    Map.entry("socks4", 1),
                    Map.entry("ws", 1),
                    Map.entry("log-proto", 1),
                    Map.entry("send-proxy", 0),
                    Map.entry("send-proxy-v2", 0),
                    Map.entry("send-proxy-v2-ssl", 0),
                    Map.entry("send-proxy-v2-ssl-cn", 0),
                    Map.entry("ssl", 0),
                    Map.entry("no-ssl", 0),
                    Map.entry("check-ssl", 0),
                    Map.entry("no-check-ssl", 0),
                    Map.entry("check-send-proxy", 0),
                    Map.entry("non-stick", 0),
                    Map.entry("stick", 0),
                    Map.entry("tfo", 0),
                    Map.entry("no-tfo", 0),
                    Map.entry("no-send-proxy", 0),
                    Map.entry("no-verifyhost", 0),
                    Map.entry("tls-tickets", 0),
                    Map.entry("no-tls-tickets", 0),
                    Map.entry("allow-0rtt", 0),
                    Map.entry("check-via-socks4", 0),
                    Map.entry("no-agent-check", 0),
                    Map.entry("force-tlsv12", 0),
                    Map.entry("force-tlsv13", 0));

    static Iterable<String> globalNames() {
        TreeSet<String> names = new TreeSet<>(HARMLESS_GLOBAL);
        names.addAll(GLOBAL_FLAGS);
        names.addAll(
                List.of(
                        "nbthread",
                        "maxconn",
                        "stats",
                        "setenv",
                        "presetenv",
                        "unsetenv",
                        "resetenv",
                        "global",
                        "defaults",
                        "frontend",
                        "backend",
                        "listen"));
        return names;
    }

    static Iterable<String> proxyNames() {
        List<String> names = new ArrayList<>(HARMLESS_PROXY);
        names.addAll(
                List.of(
                        "bind",
                        "mode",
                        "default_backend",
                        "balance",
                        "hash-type",
                        "hash-balance-factor",
                        "cookie",
                        "server",
                        "default-server",
                        "timeout",
                        "retries",
                        "option",
                        "maxconn",
                        "stats",
                        "id",
                        "global",
                        "defaults",
                        "frontend",
                        "backend",
                        "listen"));
        return names;
    }

    static Iterable<String> serverNames() {
        List<String> names = new ArrayList<>(SERVER_OPTIONS.keySet());
        names.addAll(
                List.of(
                        "cookie",
                        "slowstart",
                        "track",
                        "weight",
                        "id",
                        "inter",
                        "fastinter",
                        "downinter",
                        "rise",
                        "fall",
                        "maxconn",
                        "check",
                        "no-check",
                        "backup",
                        "no-backup",
                        "disabled",
                        "enabled"));
        return names;
    }

    /** Levenshtein distance, for "did you mean" hints. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] =
                        Math.min(
                                Math.min(current[j - 1] + 1, previous[j] + 1),
                                previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
