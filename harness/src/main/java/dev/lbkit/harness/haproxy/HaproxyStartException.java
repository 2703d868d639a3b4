package dev.lbkit.harness.haproxy;

/** HAProxy could not be started, or did not listen in time; the message carries its output. */
public final class HaproxyStartException extends RuntimeException {

    public HaproxyStartException(String message) {
        super(message);
    }

    public HaproxyStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
