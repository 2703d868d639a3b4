package dev.lbkit.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends one command to a runtime API socket ({@code stats socket ipv4@127.0.0.1:PORT}) and returns
 * the answer. HAProxy and lbkit both answer one command per connection, so the same client drives
 * both.
 */
public final class RuntimeApiClient {
    private RuntimeApiClient() {}

    /**
     * Sends an admin command that changes state ({@code disable server}, {@code enable server},
     * {@code set weight}, {@code set server}) and checks that it was accepted: HAProxy and lbkit
     * answer an accepted change with an empty line, and a refused one with words ("No such
     * server.", "Permission denied", ...). A refused command throws, so a DOWN/UP run whose
     * commands were both refused cannot pass as a plain run. Other commands ({@code show}, {@code
     * get}) return their answer.
     */
    public static String admin(int port, String command) {
        return admin(null, port, command);
    }

    /**
     * As {@link #admin(int, String)}; {@code who} (the balancer, e.g. a {@link
     * SideBySide.Endpoint#side()}) starts any error message, so a failure says which side it met.
     */
    public static String admin(String who, int port, String command) {
        String answer = send(who, port, command);
        if (changesState(command) && !answer.isBlank()) {
            throw new IllegalStateException(
                    where(who, port) + " refused '" + command + "': " + answer.strip());
        }
        return answer;
    }

    /** True for the commands that change a server and answer nothing when accepted. */
    public static boolean changesState(String command) {
        String c = command.strip();
        return c.startsWith("disable ") || c.startsWith("enable ") || c.startsWith("set ");
    }

    public static String send(int port, String command) {
        return send(null, port, command);
    }

    /** As {@link #send(int, String)}, with {@code who} in any error message. */
    public static String send(String who, int port, String command) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketTimeoutException e) {
            throw new IllegalStateException(
                    where(who, port)
                            + " hung on '"
                            + command
                            + "': no answer and no close within 10 s",
                    e);
        } catch (java.net.ConnectException e) {
            throw new IllegalStateException(
                    where(who, port)
                            + " refused the connection for '"
                            + command
                            + "' ("
                            + e.getMessage()
                            + "): nothing listens there. Has the balancer exited, or did another"
                            + " process take the port before it bound it?",
                    e);
        } catch (IOException e) {
            throw new IllegalStateException(
                    where(who, port) + " did not answer '" + command + "': " + e.getMessage(), e);
        }
    }

    private static String where(String who, int port) {
        return (who == null ? "" : who + ": ") + "runtime API on 127.0.0.1:" + port;
    }
}
