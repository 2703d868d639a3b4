package dev.lbkit.balancer.config;

/**
 * {@code option httpchk [<method>] [<uri>] [<version>]}: an HTTP health check; 2xx and 3xx pass.
 */
public record HttpCheck(String method, String uri, String version) {
    public static HttpCheck defaults() {
        return new HttpCheck("OPTIONS", "/", "HTTP/1.0");
    }
}
