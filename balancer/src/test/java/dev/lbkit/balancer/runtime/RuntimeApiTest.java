package dev.lbkit.balancer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.proxy.RawHttp;
import dev.lbkit.balancer.proxy.TestBackend;
import dev.lbkit.balancer.proxy.TestConfigs;
import dev.lbkit.balancer.proxy.TestRoundRobin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime API over a real socket, with HAProxy 2.6's answers (taken from the binary). */
class RuntimeApiTest {
    private static final String HAPROXY_HEADER_START =
            "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,"
                    + "dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,"
                    + "pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,";

    private Lbkit lbkit;
    private TestBackend backend;

    @AfterEach
    void stop() {
        if (lbkit != null) {
            lbkit.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private InetSocketAddress start(Algorithm algorithm, String level) throws IOException {
        // static-rr's rotation says its weights are static, as the real static-rr does.
        return start(
                algorithm,
                level,
                servers -> new TestRoundRobin(servers, algorithm == Algorithm.STATIC_RR));
    }

    private InetSocketAddress start(
            Algorithm algorithm, String level, Function<List<Server>, LoadBalancer> balancer)
            throws IOException {
        backend = new TestBackend("b");
        Config config =
                TestConfigs.listen("web")
                        .algorithm(algorithm)
                        .server(TestConfigs.server("s1", backend.port(), 2, false))
                        .server(TestConfigs.server("s2", backend.port(), 1, false))
                        .statsSocket("127.0.0.1", 0, null, level)
                        .config();
        lbkit = Lbkit.start(config, (section, servers) -> balancer.apply(servers));
        return (InetSocketAddress) lbkit.runtimeApis().get(0).address();
    }

    private static String ask(InetSocketAddress api, String command) throws IOException {
        try (Socket socket = new Socket(api.getAddress(), api.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> row(String csv, String svname) {
        return csv.lines()
                .filter(l -> l.split(",", -1)[1].equals(svname))
                .findFirst()
                .map(l -> Arrays.asList(l.split(",", -1)))
                .orElseThrow();
    }

    private static String column(String csv, String svname, String column) {
        List<String> header =
                Arrays.asList(csv.lines().findFirst().orElseThrow().substring(2).split(",", -1));
        return row(csv, svname).get(header.indexOf(column));
    }

    private Backend web() {
        return lbkit.backend("web").orElseThrow();
    }

    @Test
    void showStatPrintsHaproxysCsvWithFrontendServerAndBackendRows() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        int port = lbkit.frontends().get(0).ports().get(0);
        try (RawHttp client = new RawHttp(port)) {
            client.get("/");
            client.get("/");
            client.get("/");
        }
        String csv = ask(api, "show stat");
        assertThat(csv).as("HAProxy 2.6's header line").startsWith(HAPROXY_HEADER_START);
        assertThat(csv.lines().findFirst().orElseThrow()).isEqualTo(StatCsv.HEADER);
        assertThat(csv).as("the answer ends with an empty line").endsWith("\n\n");
        int columns = StatCsv.HEADER.split(",", -1).length;
        assertThat(csv.lines().filter(l -> !l.isEmpty()).skip(1).map(l -> l.split(",", -1).length))
                .as("every row has the header's column count")
                .containsOnly(columns);
        assertThat(csv.lines().skip(1).filter(l -> !l.isEmpty()).map(l -> l.split(",")[1]))
                .containsExactly("FRONTEND", "s1", "s2", "BACKEND");
        assertThat(column(csv, "FRONTEND", "status")).isEqualTo("OPEN");
        assertThat(column(csv, "FRONTEND", "stot")).isEqualTo("3");
        assertThat(column(csv, "s1", "status")).as("a server without check").isEqualTo("no check");
        assertThat(column(csv, "s1", "lbtot")).isEqualTo("2");
        assertThat(column(csv, "s2", "lbtot")).isEqualTo("1");
        assertThat(column(csv, "s1", "weight")).isEqualTo("2");
        assertThat(column(csv, "s1", "act")).isEqualTo("1");
        assertThat(column(csv, "s1", "bck")).isEqualTo("0");
        assertThat(column(csv, "s1", "scur")).isEqualTo("0");
        assertThat(column(csv, "BACKEND", "status")).isEqualTo("UP");
        assertThat(column(csv, "BACKEND", "weight"))
                .as("sum of the usable servers' weights")
                .isEqualTo("3");
        assertThat(column(csv, "BACKEND", "act")).isEqualTo("2");
        assertThat(column(csv, "BACKEND", "stot")).isEqualTo("3");
    }

    @Test
    void disableAndEnableServerToggleMaintenance() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        Server s1 = web().server("s1").orElseThrow();
        assertThat(ask(api, "disable server web/s1"))
                .as("success is an empty line")
                .isEqualTo("\n");
        assertThat(s1.usable()).isFalse();
        String csv = ask(api, "show stat");
        assertThat(column(csv, "s1", "status")).isEqualTo("MAINT");
        assertThat(column(csv, "BACKEND", "weight")).isEqualTo("1");
        assertThat(ask(api, "enable server web/s1")).isEqualTo("\n");
        assertThat(s1.usable()).isTrue();
    }

    @Test
    void setServerStateMovesBetweenReadyDrainAndMaint() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        Server s2 = web().server("s2").orElseThrow();
        assertThat(ask(api, "set server web/s2 state drain")).isEqualTo("\n");
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("DRAIN");
        assertThat(s2.usable()).as("a draining server takes no new requests").isFalse();
        assertThat(ask(api, "set server web/s2 state maint")).isEqualTo("\n");
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("MAINT");
        assertThat(ask(api, "set server web/s2 state ready")).isEqualTo("\n");
        assertThat(s2.usable()).isTrue();
        assertThat(ask(api, "set server web/s2 state foo"))
                .isEqualTo("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n");
    }

    /**
     * {@code enable server} takes a server back into the rotation whether it was in maintenance or
     * draining: HAProxy 2.6 sent requests to a drained server again after it
     * (RuntimeStateParityTest found lbkit keeping it drained).
     */
    @Test
    void enableServerEndsADrainAndDisableServerReplacesIt() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        Server s2 = web().server("s2").orElseThrow();
        assertThat(ask(api, "set server web/s2 state drain")).isEqualTo("\n");
        assertThat(ask(api, "enable server web/s2")).isEqualTo("\n");
        assertThat(s2.drain()).as("enable server ends the drain").isFalse();
        assertThat(s2.usable()).isTrue();
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("no check");
        assertThat(ask(api, "set server web/s2 state drain")).isEqualTo("\n");
        assertThat(ask(api, "disable server web/s2")).isEqualTo("\n");
        assertThat(s2.drain()).as("disable server puts maint in the drain's place").isFalse();
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("MAINT");
    }

    /** As measured on HAProxy 2.6.12, 3.0.11, 3.2.26 and 3.4.7 with servers without checks. */
    @Test
    void setServerHealthForcesTheOperationalState() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        Server s2 = web().server("s2").orElseThrow();
        assertThat(ask(api, "set server web/s2 health down")).isEqualTo("\n");
        assertThat(s2.usable()).isFalse();
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("DOWN");
        assertThat(ask(api, "set server web/s2 health stopping")).isEqualTo("\n");
        assertThat(s2.usable()).as("a stopping server gets no new request").isFalse();
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("NOLB");
        assertThat(column(ask(api, "show stat"), "BACKEND", "act")).isEqualTo("1");
        assertThat(ask(api, "set server web/s2 health up now"))
                .as("words after it are ignored")
                .isEqualTo("\n");
        assertThat(s2.usable()).isTrue();
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("no check");
        String words = "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n\n";
        assertThat(ask(api, "set server web/s2 health UP")).as("case-sensitive").isEqualTo(words);
        assertThat(ask(api, "set server web/s2 health")).isEqualTo(words);
        assertThat(ask(api, "set server web/s9 health up")).isEqualTo("No such server.\n\n");
    }

    /**
     * As measured on HAProxy 2.6.12 (3.0 and later end the two parse errors with an empty line).
     */
    @Test
    void setMaxconnServerTakesAWrappedNumberAndShowsItAsSlim() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        Server s1 = web().server("s1").orElseThrow();
        assertThat(ask(api, "set maxconn server web/s1 5")).isEqualTo("\n");
        assertThat(s1.maxconn()).isEqualTo(5);
        assertThat(column(ask(api, "show stat"), "s1", "slim")).isEqualTo("5");
        assertThat(ask(api, "set maxconn server web/s1 -5")).isEqualTo("\n");
        assertThat(column(ask(api, "show stat"), "s1", "slim")).isEqualTo("4294967291");
        assertThat(ask(api, "set maxconn server web/s1 12345678901")).isEqualTo("\n");
        assertThat(column(ask(api, "show stat"), "s1", "slim")).isEqualTo("3755744309");
        assertThat(ask(api, "set maxconn server web/s1 4294967296")).isEqualTo("\n");
        assertThat(column(ask(api, "show stat"), "s1", "slim")).as("0: no limit").isEmpty();
        assertThat(ask(api, "set maxconn server web/s1 +007 8")).isEqualTo("\n");
        assertThat(s1.maxconn()).isEqualTo(7);
        assertThat(ask(api, "set maxconn server web/s1 0x10"))
                .isEqualTo("Trailing garbage in maxconn string\n");
        assertThat(ask(api, "set maxconn server web/s1 abc"))
                .isEqualTo("maxconn string empty or preceded by garbage\n");
        assertThat(ask(api, "set maxconn server web/s1")).isEqualTo("Require <maxconn>.\n\n");
        assertThat(ask(api, "set maxconn server web")).isEqualTo("Require 'backend/server'.\n\n");
        assertThat(ask(api, "set maxconn server web/s9 3")).isEqualTo("No such server.\n\n");
        assertThat(s1.maxconn()).isEqualTo(7);
    }

    @Test
    void aDrainedServerShowsDrainOnlyWhileItIsUp() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        ask(api, "set server web/s2 state drain");
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("DRAIN");
        ask(api, "set server web/s2 health stopping");
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("NOLB");
        ask(api, "set server web/s2 health down");
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("DOWN");
        ask(api, "set server web/s2 state ready");
        assertThat(column(ask(api, "show stat"), "s2", "status"))
                .as("ending the drain leaves the forced DOWN")
                .isEqualTo("DOWN");
    }

    @Test
    void leavingMaintenanceEndsAForcedDownOrStopping() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        Server s2 = web().server("s2").orElseThrow();
        ask(api, "set server web/s2 health down");
        ask(api, "set server web/s2 state maint");
        ask(api, "set server web/s2 health stopping");
        assertThat(column(ask(api, "show stat"), "s2", "status"))
                .as("forced health leaves a server in maintenance as it is")
                .isEqualTo("MAINT");
        ask(api, "set server web/s2 state ready");
        assertThat(s2.usable()).isTrue();
        assertThat(column(ask(api, "show stat"), "s2", "status")).isEqualTo("no check");
    }

    @Test
    void onTwoSixAServerInMaintenanceShowsTheWeightItHadGoingThere() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        ask(api, "disable server web/s1");
        assertThat(ask(api, "set weight web/s1 50")).isEqualTo("\n");
        assertThat(ask(api, "get weight web/s1")).isEqualTo("50 (initial 2)\n\n");
        assertThat(column(ask(api, "show stat"), "s1", "weight")).isEqualTo("2");
        ask(api, "enable server web/s1");
        assertThat(column(ask(api, "show stat"), "s1", "weight")).isEqualTo("50");
    }

    @Test
    void setServerStateChangesBothAdminFlagsInOneStep() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        InetSocketAddress api =
                start(
                        Algorithm.ROUNDROBIN,
                        "admin",
                        servers ->
                                new LoadBalancer() {
                                    private final TestRoundRobin rotation =
                                            new TestRoundRobin(servers);

                                    @Override
                                    public Server pick(RequestInfo request, Server avoid) {
                                        return rotation.pick(request, avoid);
                                    }

                                    @Override
                                    public void serverUp(Server server) {
                                        heard.add(server + " up");
                                    }

                                    @Override
                                    public void serverDown(Server server) {
                                        heard.add(server + " down");
                                    }

                                    @Override
                                    public void weightChanged(Server server, int oldUweight) {}
                                });
        assertThat(ask(api, "set server web/s2 state maint")).isEqualTo("\n");
        assertThat(ask(api, "set server web/s2 state drain")).isEqualTo("\n");
        assertThat(heard)
                .as(
                        "from maint to drain the server is never usable, so the algorithm hears nothing")
                .containsExactly("s2 down");
        assertThat(ask(api, "set server web/s2 state ready")).isEqualTo("\n");
        assertThat(heard).containsExactly("s2 down", "s2 up");
    }

    @Test
    void setWeightTakesAbsoluteAndRelativeWeights() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        Server s1 = web().server("s1").orElseThrow();
        assertThat(ask(api, "set server web/s1 weight 7")).isEqualTo("\n");
        assertThat(s1.uweight()).isEqualTo(7);
        assertThat(ask(api, "set server web/s1 weight 50%")).isEqualTo("\n");
        assertThat(s1.uweight()).as("percent of the configured weight 2").isEqualTo(1);
        assertThat(ask(api, "set weight web/s1 4")).isEqualTo("\n");
        assertThat(ask(api, "get weight web/s1")).isEqualTo("4 (initial 2)\n\n");
        assertThat(ask(api, "set server web/s1 weight 300"))
                .isEqualTo("Absolute weight can only be between 0 and 256 inclusive.\n\n");
        assertThat(ask(api, "set server web/s1 weight abc"))
                .isEqualTo("Empty weight string empty or preceded by garbage\n");
        assertThat(ask(api, "set server web/s1 weight 5x"))
                .isEqualTo("Trailing garbage in weight string\n");
        assertThat(ask(api, "set weight web/s1")).isEqualTo("Require <weight> or <weight%>.\n\n");
        assertThat(s1.uweight()).as("refused changes leave the weight alone").isEqualTo(4);
    }

    @Test
    void staticAlgorithmsOnlyAcceptZeroOrFullWeight() throws Exception {
        InetSocketAddress api = start(Algorithm.STATIC_RR, "admin");
        String refusal =
                "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n\n";
        assertThat(ask(api, "set server web/s1 weight 3")).isEqualTo(refusal);
        assertThat(ask(api, "set server web/s1 weight 50%")).isEqualTo(refusal);
        assertThat(ask(api, "set server web/s1 weight 0%")).isEqualTo("\n");
        assertThat(web().server("s1").orElseThrow().uweight()).isZero();
        assertThat(ask(api, "set server web/s1 weight 100%")).isEqualTo("\n");
        assertThat(web().server("s1").orElseThrow().uweight()).isEqualTo(2);
    }

    @Test
    void unknownNamesAndMalformedCommandsGetHaproxysAnswers() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        assertThat(ask(api, "disable server nope/s1")).isEqualTo("No such backend.\n\n");
        assertThat(ask(api, "disable server web/nope")).isEqualTo("No such server.\n\n");
        assertThat(ask(api, "disable server web")).isEqualTo("Require 'backend/server'.\n\n");
        assertThat(ask(api, "set server web/s1"))
                .startsWith("usage: set server <backend>/<server> ");
        assertThat(ask(api, "frobnicate"))
                .startsWith(
                        "Unknown command, but maybe one of the following ones is a better match:\n");
        assertThat(ask(api, "help"))
                .startsWith("The following commands are valid at this level:\n")
                .contains("  show stat                               : ");
    }

    @Test
    void severalCommandsOnOneLineAreAnsweredInOrder() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "admin");
        String answer = ask(api, "disable server web/s1; disable server web/zz; show stat");
        assertThat(answer).startsWith("\nNo such server.\n\n# pxname,");
        assertThat(column(answer.substring(answer.indexOf("# pxname")), "s1", "status"))
                .isEqualTo("MAINT");
    }

    @Test
    void adminCommandsAreRefusedBelowLevelAdmin() throws Exception {
        InetSocketAddress api = start(Algorithm.ROUNDROBIN, "operator");
        assertThat(ask(api, "disable server web/s1")).isEqualTo("Permission denied\n\n");
        assertThat(ask(api, "set server web/s1 weight 3")).isEqualTo("Permission denied\n\n");
        assertThat(ask(api, "set weight web/s1 3")).isEqualTo("Permission denied\n\n");
        assertThat(web().server("s1").orElseThrow().usable()).isTrue();
        assertThat(ask(api, "show stat")).as("reading is allowed").startsWith("# pxname");
    }

    @Test
    void answersOnAUnixSocketToo() throws Exception {
        Path dir = Files.createTempDirectory("lbkit-api");
        Path path = dir.resolve("admin.sock");
        backend = new TestBackend("b");
        Config config =
                TestConfigs.listen("web")
                        .server(TestConfigs.server("s1", backend.port()))
                        .statsSocket(null, 0, path.toString(), "admin")
                        .config();
        lbkit =
                Lbkit.start(
                        config,
                        (section, servers) ->
                                new TestRoundRobin(
                                        servers,
                                        section.balance().algorithm()
                                                == dev.lbkit.balancer.config.Algorithm.STATIC_RR));
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            channel.write(
                    ByteBuffer.wrap("disable server web/s1\n".getBytes(StandardCharsets.UTF_8)));
            String answer =
                    new String(
                            Channels.newInputStream(channel).readAllBytes(),
                            StandardCharsets.UTF_8);
            assertThat(answer).isEqualTo("\n");
        }
        assertThat(web().server("s1").orElseThrow().maint()).isTrue();
        lbkit.close();
        lbkit = null;
        Files.deleteIfExists(path);
        Files.delete(dir);
    }
}
