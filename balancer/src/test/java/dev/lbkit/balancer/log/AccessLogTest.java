package dev.lbkit.balancer.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer: lines reach stdout and a UDP syslog socket, framed as each {@code log} line asks. */
class AccessLogTest {

    private static AccessRecord request(String uri) {
        AccessRecord r = new AccessRecord();
        r.acceptMillis = System.currentTimeMillis();
        r.frontend = "fe";
        r.backend = "be";
        r.server = "s1";
        r.status = 200;
        r.method = "GET";
        r.uri = uri;
        r.version = "HTTP/1.1";
        return r;
    }

    private static LogTarget parse(String line) {
        List<String> alerts = new ArrayList<>();
        LogTarget target = LogLines.parse(List.of(line.split(" ")), alerts::add);
        assertThat(alerts).as("'log %s' is accepted", line).isEmpty();
        return target;
    }

    @Test
    void rawLinesReachStdoutInOrder() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            log =
                    AccessLog.open(
                            "fe",
                            new LogSettings(
                                    List.of(parse("stdout format raw local0")),
                                    LogFormat.compile("%ft %b/%s %ST %HU"),
                                    false));
        } finally {
            System.setOut(original);
        }
        for (int i = 0; i < 100; i++) {
            AccessLog.requestStarted();
            log.write(request("/" + i));
        }
        log.close();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).as("every line, in order, nothing before it (format raw)").hasSize(100);
        assertThat(lines.get(0)).isEqualTo("fe be/s1 200 /0");
        assertThat(lines.get(99)).isEqualTo("fe be/s1 200 /99");
    }

    @Test
    void linesFromManyThreadsAtOnceAreAllWritten() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            log =
                    AccessLog.open(
                            "fe",
                            new LogSettings(
                                    List.of(parse("stdout format raw local0")),
                                    LogFormat.compile("%HU"),
                                    false));
        } finally {
            System.setOut(original);
        }
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread writer =
                    new Thread(
                            () -> {
                                for (int i = 0; i < 1000; i++) {
                                    AccessLog.requestStarted();
                                    log.write(request("/" + thread + "/" + i));
                                }
                            });
            writer.start();
            threads.add(writer);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        log.close();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines)
                .as("8 threads x 1000 lines, none lost, none torn")
                .hasSize(8000)
                .allMatch(line -> line.matches("/[0-7]/\\d+"));
        assertThat(log.dropped()).as("nothing dropped below the queue's limit").isZero();
        assertThat(lines.stream().filter(line -> line.startsWith("/3/")).toList())
                .as("one thread's lines keep their order")
                .isEqualTo(
                        java.util.stream.IntStream.range(0, 1000)
                                .mapToObj(i -> "/3/" + i)
                                .toList());
    }

    @Test
    void udpSyslogGetsRfc3164Datagrams() throws Exception {
        try (DatagramSocket syslog = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            syslog.setSoTimeout(5000);
            LogTarget target =
                    parse("127.0.0.1:" + syslog.getLocalPort() + " format rfc3164 local0");
            AccessLog log =
                    AccessLog.open(
                            "fe",
                            new LogSettings(List.of(target), LogFormat.compile("%s %HU"), false));
            AccessLog.requestStarted();
            log.write(request("/udp"));
            DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
            syslog.receive(packet);
            log.close();
            String datagram =
                    new String(
                            packet.getData(), 0, packet.getLength(), StandardCharsets.ISO_8859_1);
            assertThat(datagram)
                    .as("<local0.info> Mmm dd hh:mm:ss localhost tag[pid]: line, newline-ended")
                    .matches(
                            "<134>[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d localhost lbkit\\[\\d+\\]: s1 /udp\n");
        }
    }

    @Test
    void aLineAboveTheTargetsLevelIsNotWrittenAndLenCutsLongLines() throws Exception {
        LogTarget notice = parse("stdout local0 notice");
        assertThat(notice.passes(LogTarget.INFO))
                .as("info lines do not pass a 'notice' target")
                .isFalse();
        LogTarget shortLines = parse("stdout len 80 format raw local0");
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        AccessLog log;
        try {
            log =
                    AccessLog.open(
                            "fe",
                            new LogSettings(List.of(shortLines), LogFormat.compile("%HU"), false));
        } finally {
            System.setOut(original);
        }
        AccessLog.requestStarted();
        log.write(request("/" + "a".repeat(200)));
        log.close();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .as("cut to 80 bytes, newline included")
                .hasSize(80)
                .endsWith("\n");
    }

    @Test
    void badLogLinesAreRefusedInHaproxysWords() {
        List<String> alerts = new ArrayList<>();
        LogLines.parse(List.of("stdout", "format", "raw", "local9"), alerts::add);
        LogLines.parse(List.of("stdout", "format", "bogus", "local0"), alerts::add);
        LogLines.parse(List.of("stdout", "local0", "info", "debug", "x"), alerts::add);
        LogLines.parse(List.of("stdout"), alerts::add);
        LogLines.parse(List.of("stdout", "len", "60", "local0"), alerts::add);
        LogLines.parse(List.of("1.2.3.4:99999", "local0"), alerts::add);
        LogLines.parse(List.of("stdout", "local0", "bogus"), alerts::add);
        assertThat(alerts)
                .as("what haproxy -c 2.6 says for each")
                .containsExactly(
                        "log : unknown log facility 'local9'",
                        "log : unknown log format 'bogus'",
                        "log : cannot handle unexpected argument 'x'",
                        "log : expects <address> and <facility> or global as arguments",
                        "log : invalid log length '60', must be between 80 and 65535",
                        "log : invalid port '99999'",
                        "log : unknown optional log level 'bogus'");
    }
}
