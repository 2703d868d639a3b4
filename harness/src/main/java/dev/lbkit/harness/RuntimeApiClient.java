package dev.lbkit.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends one command to a runtime API socket ({@code stats socket ipv4@127.0.0.1:PORT}) and returns
 * the answer. HAProxy and lbkit both answer one command per connection, so the same client drives both.
 */
public final class RuntimeApiClient {
    private RuntimeApiClient() {
    }

    public static String send(int port, String command) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("runtime API on 127.0.0.1:" + port + " did not answer '" + command + "': " + e.getMessage(), e);
        }
    }
}
