package dev.lbkit.harness;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes to two streams, for a test that keeps a copy of what is printed to standard output or
 * error while it runs ({@code System.setOut(new PrintStream(new Tee(System.out, copy), true))}).
 * Writes are synchronized on the tee: read the copy under the same lock.
 */
public final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    public Tee(OutputStream first, OutputStream second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        first.write(b);
        second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        first.write(b, off, len);
        second.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        first.flush();
        second.flush();
    }
}
