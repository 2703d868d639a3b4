package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reads {@code bind} lines: comma-separated addresses, ports and port ranges, and their options.
 */
final class BindReader {

    private final Diagnostics diag;
    private final UnaryOperator<String> env;

    BindReader(Diagnostics diag, UnaryOperator<String> env) {
        this.diag = diag;
        this.env = env;
    }

    /** Reads a {@code bind} line into {@code proxy}'s listening addresses. */
    void read(ProxyDraft proxy, Args args) {
        if (proxy.isDefaults) {
            diag.alert("'bind' not allowed in 'defaults' section.");
            return;
        }
        if (!proxy.hasFrontend()) {
            diag.warn(
                    "'bind' ignored because backend '"
                            + proxy.name
                            + "' has no frontend capability.");
            return;
        }
        String raw = args.get(1);
        if (raw.isEmpty()) {
            diag.alert(
                    "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.");
            return;
        }
        boolean v4v6 = false;
        boolean acceptProxy = false;
        for (int i = 2; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("v4v6")) {
                v4v6 = true;
            } else if (option.equals("accept-proxy")) {
                acceptProxy = true;
            } else if (Keywords.BIND_OPTIONS.containsKey(option)) {
                i += Keywords.BIND_OPTIONS.get(option);
            } else {
                diag.alert(
                        "'bind "
                                + raw
                                + "' in section '"
                                + proxy.sectionName()
                                + "': unknown keyword '"
                                + option
                                + "'"
                                + Diagnostics.suggestion(option, Keywords.BIND_OPTIONS.keySet()));
                return;
            }
        }
        List<Bind> binds = new ArrayList<>();
        for (String part : raw.split(",", -1)) {
            String expanded = LineTokenizer.expandInAddress(part, env);
            Address address;
            try {
                address = Address.split(expanded);
            } catch (Address.BadPrefixException e) {
                diag.alert("'bind' : invalid address: '" + e.getMessage() + "' in '" + part + "'");
                return;
            }
            if (address.path() != null) {
                diag.warn(
                        "lbkit listens on TCP only; the unix socket '"
                                + address.path()
                                + "' is not opened.");
                continue;
            }
            if (address.portText() == null) {
                diag.alert("'bind' : missing port specification in '" + part + "'");
                return;
            }
            if (!address.host().isEmpty()
                    && Address.resolve(address.host(), address.family()) == null) {
                diag.alert("'bind' : invalid address: '" + address.host() + "' in '" + part + "'");
                return;
            }
            int[] range = bindPortRange(part, address.portText());
            if (range == null) {
                return;
            }
            for (int port = range[0]; port <= range[1]; port++) {
                binds.add(new Bind(address.host(), port, v4v6, acceptProxy, diag.where()));
            }
        }
        proxy.binds.addAll(binds);
    }

    /**
     * Reads {@code port} or {@code low-high}; alerts and returns null when HAProxy would refuse it.
     */
    private int[] bindPortRange(String part, String text) {
        if (text.startsWith("+") || text.startsWith("-")) {
            diag.alert("'bind' : port offset not permitted here in '" + part + "'");
            return null;
        }
        String[] ends = text.split("-", 2);
        int[] range = new int[2];
        for (int i = 0; i < 2; i++) {
            String end = ends.length == 2 ? ends[i] : ends[0];
            if (!end.matches("[0-9]{1,6}")
                    || Integer.parseInt(end) < 1
                    || Integer.parseInt(end) > 65535) {
                diag.alert("'bind' : invalid port '" + end + "'");
                return null;
            }
            range[i] = Integer.parseInt(end);
        }
        if (range[1] < range[0]) {
            diag.alert("'bind' : invalid port range '" + text + "'");
            return null;
        }
        return range;
    }

    /**
     * Reads the single port of a listening address (as {@code stats socket} takes it); alerts and
     * returns null when HAProxy would refuse it.
     */
    static Integer bindPort(Diagnostics diag, String keyword, String raw, Address address) {
        String text = address.portText();
        if (text == null) {
            diag.alert("'" + keyword + "' : missing port specification in '" + raw + "'");
            return null;
        }
        if (!text.matches("[0-9]{1,6}")
                || Integer.parseInt(text) < 1
                || Integer.parseInt(text) > 65535) {
            diag.alert("'" + keyword + "' : invalid port '" + text + "'");
            return null;
        }
        return Integer.parseInt(text);
    }
}
