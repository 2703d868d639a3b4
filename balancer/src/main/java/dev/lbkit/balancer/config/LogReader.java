package dev.lbkit.balancer.config;

import dev.lbkit.balancer.log.LogFormat;
import dev.lbkit.balancer.log.LogLines;
import dev.lbkit.balancer.log.LogTarget;

/**
 * Reads the logging lines of a proxy or defaults section: {@code log}, {@code no log}, {@code
 * log-format}, {@code option httplog [clf]}, {@code option tcplog} and {@code option dontlognull}.
 * The format string itself is read after the whole file ({@link AfterParsing}), as HAProxy reads
 * it.
 */
final class LogReader {
    private final Diagnostics diag;

    LogReader(Diagnostics diag) {
        this.diag = diag;
    }

    /**
     * {@code log global}, {@code log <address> ... <facility>}: a null entry stands for the global
     * targets.
     */
    void readLog(ProxyDraft proxy, Args args) {
        if (args.size() == 2 && args.get(1).equals("global")) {
            proxy.logTargets.add(null);
            return;
        }
        LogTarget target = LogLines.parse(args.rest(1), diag::alert);
        if (target != null) {
            proxy.logTargets.add(target);
        }
    }

    /** {@code no log}: the targets inherited or given so far are dropped. */
    void readNoLog(ProxyDraft proxy) {
        proxy.logTargets.clear();
    }

    /**
     * {@code log-format "<format>"}: one word; read as a format once the whole file is (as HAProxy
     * does).
     */
    void readLogFormat(ProxyDraft proxy, Args args) {
        if (args.get(1).isEmpty()) {
            diag.alert("log-format expects an argument.");
        } else if (args.size() > 2) {
            diag.alert("log-format expects only one argument, don't forget to escape spaces!");
        } else {
            setLogFormat(proxy, "log-format", args.get(1));
        }
    }

    /**
     * {@code option httplog [clf]}, {@code option tcplog}, {@code [no] option dontlognull}; {@code
     * args} start at "option".
     */
    void readOption(ProxyDraft proxy, Args args, boolean negated) {
        String name = args.get(1);
        if (name.equals("dontlognull")) {
            proxy.dontLogNull = !negated;
            return;
        }
        // "no option httplog" and "no option tcplog" never come here: ProxyReader refuses them
        // with the other options that take no "no".
        if (name.equals("tcplog")) {
            setLogFormat(proxy, "option tcplog", LogFormat.TCPLOG);
            return;
        }
        String variant = args.get(2);
        if (!variant.isEmpty() && !variant.equals("clf")) {
            diag.alert("keyword 'httplog' only supports option 'clf'.");
            return;
        }
        setLogFormat(
                proxy, "option httplog", variant.equals("clf") ? LogFormat.CLF : LogFormat.HTTPLOG);
    }

    /** A line format belongs to the frontend that logs; a backend only warns, as HAProxy's does. */
    private void setLogFormat(ProxyDraft proxy, String directive, String format) {
        if (!proxy.hasFrontend()) {
            diag.warn(
                    proxy.typeWord()
                            + " '"
                            + proxy.name
                            + "' : '"
                            + directive
                            + "' directive is ignored in backends.");
            return;
        }
        proxy.logFormat = format;
        proxy.logFormatWhere = diag.where();
    }
}
