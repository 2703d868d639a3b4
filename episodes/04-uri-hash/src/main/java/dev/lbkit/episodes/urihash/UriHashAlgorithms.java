package dev.lbkit.episodes.urihash;

import dev.lbkit.balancer.algorithm.AlgorithmProvider;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.BalanceReader;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.SampleExpression;
import dev.lbkit.balancer.config.Where;
import dev.lbkit.episodes.sourcehash.HashBalancer;
import dev.lbkit.episodes.sourcehash.HashKeys;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Episode 04's algorithms for the engine: {@code balance uri}, and its cousins that hash another
 * part of the request the same way, {@code url_param} (a query parameter), {@code hdr(name)} (a
 * header) and {@code hash <expr>} (any sample lbkit can evaluate, see {@link Samples}). All use
 * episode 03's {@link HashBalancer}, map and ring.
 */
public final class UriHashAlgorithms implements AlgorithmProvider {

    @Override
    public Set<Algorithm> algorithms() {
        return Set.of(
                Algorithm.URI,
                Algorithm.URL_PARAM,
                Algorithm.HDR,
                Algorithm.HASH,
                Algorithm.RDP_COOKIE);
    }

    @Override
    public LoadBalancer create(ProxySection backend, List<Server> servers, HaproxyLine line) {
        Balance balance = backend.balance();
        HashBalancer.RequestKey key =
                switch (balance.algorithm()) {
                    case URI -> new UriKey(balance);
                    case URL_PARAM -> new UrlParamKey(balance.name(), line);
                    case HDR -> new HeaderKey(balance.name(), balance.useDomainOnly());
                    case HASH -> new ExpressionKey(balance, line);
                    case RDP_COOKIE -> new NoRdpCookie();
                    default ->
                            throw new IllegalArgumentException(
                                    "not one of episode 04's algorithms: " + balance.algorithm());
                };
        return new HashBalancer(backend, servers, key, line);
    }

    @Override
    public Balance read(
            Algorithm algorithm, List<String> words, Where where, Consumer<String> alert) {
        return switch (algorithm) {
            case URI -> readUri(words, where, alert);
            case URL_PARAM -> readUrlParam(words, where, alert);
            case HDR -> readHeader(words, where, alert);
            case HASH -> BalanceReader.hash(words, where, alert);
            default ->
                    throw new IllegalArgumentException(
                            "not one of episode 04's algorithms: " + algorithm);
        };
    }

    /**
     * {@code balance uri}: the request-target, cut as {@code len}, {@code depth}, {@code whole} and
     * {@code path-only} say.
     */
    private static final class UriKey implements HashBalancer.RequestKey {
        private final HashBalancer.KeyCut cut;

        UriKey(Balance balance) {
            this.cut = (input, length) -> RequestKeys.uriRange(input, length, balance);
        }

        // snippet:start by-uri
        @Override
        public Server pick(HashBalancer hashing, RequestInfo request, Server avoid) {
            if (hashing.table().used() == 1) {
                return hashing.table().lookup(0, avoid);
            }
            return hashing.lookup(Objects.requireNonNullElse(request.target(), ""), cut, avoid);
        }
        // snippet:end by-uri
    }

    /**
     * {@code balance url_param name}: the parameter's value in the query string, else, for a POST,
     * in the start of its body (whether {@code check_post} is written or not: HAProxy 2.6 to 3.4
     * read the word and do the same without it); none means round robin.
     */
    private static final class UrlParamKey implements HashBalancer.RequestKey {
        private final HashBalancer.KeyCut cut;
        private final HashBalancer.KeyCut bodyCut;
        private final HaproxyLine line;

        UrlParamKey(String name, HaproxyLine line) {
            byte[] param = HashKeys.bytes(name);
            this.cut = (input, length) -> RequestKeys.urlParamRange(input, length, param);
            this.bodyCut =
                    (input, length) -> RequestKeys.postParamRange(input, length, param, line);
            this.line = line;
        }

        @Override
        public Server pick(HashBalancer hashing, RequestInfo request, Server avoid) {
            // No one-server shortcut here: HAProxy still looks for the parameter first.
            if (request.target() == null) {
                return null;
            }
            Server byQuery = hashing.lookup(request.target(), cut, avoid);
            RequestInfo.PostBody body = request.postBody();
            if (byQuery != null || body == null) {
                return byQuery;
            }
            int seen =
                    Math.min(
                            body.start().length,
                            RequestKeys.postBodySeen(line, body.storedHeadSize()));
            return hashing.lookup(body.start(), seen, bodyCut, avoid);
        }
    }

    /**
     * {@code balance hdr(name)}: the header's first occurrence (or its domain label); none means
     * round robin.
     */
    private static final class HeaderKey implements HashBalancer.RequestKey {
        private final String header;
        private final HashBalancer.KeyCut cut;

        HeaderKey(String header, boolean useDomainOnly) {
            this.header = header;
            this.cut = (input, length) -> RequestKeys.headerRange(input, length, useDomainOnly);
        }

        @Override
        public Server pick(HashBalancer hashing, RequestInfo request, Server avoid) {
            if (hashing.table().used() == 1) {
                return hashing.table()
                        .lookup(0, avoid); // even with the header missing: HAProxy checks tot_used
                // first
            }
            String value = request.firstHeader().apply(header);
            return value == null ? null : hashing.lookup(value, cut, avoid);
        }
    }

    /**
     * {@code balance hash <expr>}: the sample's bytes, hashed whole; a missing sample means round
     * robin, an empty one is hashed (as "").
     */
    private static final class ExpressionKey implements HashBalancer.RequestKey {
        private final SampleExpression expression;
        private final HaproxyLine line;

        ExpressionKey(Balance balance, HaproxyLine line) {
            this.line = line;
            String refusal = SampleExpression.refusal(balance);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
            this.expression = SampleExpression.of(balance.name());
        }

        // snippet:start by-expression
        @Override
        public Server pick(HashBalancer hashing, RequestInfo request, Server avoid) {
            if (hashing.table().used() == 1) {
                return hashing.table().lookup(0, avoid); // HAProxy fetches nothing then
            }
            byte[] sample = Samples.evaluate(expression, request, line);
            return sample == null ? null : hashing.lookup(sample, avoid);
        }
        // snippet:end by-expression
    }

    /**
     * {@code balance rdp-cookie(name)} in an HTTP backend: the cookie it hashes is the one a Remote
     * Desktop client sends in its first TCP bytes, which HAProxy looks for in the raw request
     * buffer; in {@code mode http} that buffer holds the parsed request, never those bytes, so
     * every request goes round robin the hash way (the map's or the ring's walk), even one that
     * carries {@code Cookie: mstshash=...} in a header or in its body. Measured with HAProxy 2.6
     * and 3.4: weights 3/1/2/5 give s1 s2 s4 s1 s4 s3 s4 ..., as {@code static-rr} does, not {@code
     * roundrobin}'s s4 s1 s4 s3 ....
     */
    private static final class NoRdpCookie implements HashBalancer.RequestKey {
        @Override
        public Server pick(HashBalancer hashing, RequestInfo request, Server avoid) {
            return null;
        }
    }

    private static Balance readUri(List<String> words, Where where, Consumer<String> alert) {
        boolean whole = false;
        boolean pathOnly = false;
        int len = 0;
        int depth = 0;
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            switch (word) {
                case "whole" -> whole = true;
                case "path-only" -> pathOnly = true;
                case "len", "depth" -> {
                    String value = i + 1 < words.size() ? words.get(i + 1) : "";
                    int number = ConfigParser.atoi(value);
                    if (number <= 0) {
                        alert.accept(
                                "balance uri : '"
                                        + word
                                        + "' expects a positive integer (got '"
                                        + value
                                        + "').");
                        return null;
                    }
                    if (word.equals("len")) {
                        len = number;
                    } else {
                        depth = number;
                    }
                    i++;
                }
                default -> {
                    alert.accept(
                            "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '"
                                    + word
                                    + "').");
                    return null;
                }
            }
        }
        return new Balance(
                Algorithm.URI, whole, len, depth, pathOnly, 2, null, false, false, where);
    }

    private static Balance readUrlParam(List<String> words, Where where, Consumer<String> alert) {
        String param = words.size() > 1 ? words.get(1) : "";
        if (param.isEmpty()) {
            alert.accept("balance url_param requires an URL parameter name.");
            return null;
        }
        boolean checkPost = false;
        if (words.size() > 2) {
            if (!words.get(2).equals("check_post")) {
                alert.accept(
                        "balance url_param only accepts 'check_post' modifier (got '"
                                + words.get(2)
                                + "').");
                return null;
            }
            checkPost = true;
        }
        return new Balance(
                Algorithm.URL_PARAM, false, 0, 0, false, 2, param, checkPost, false, where);
    }

    /** {@code hdr(name)}, optionally followed by {@code use_domain_only}. */
    private static Balance readHeader(List<String> words, Where where, Consumer<String> alert) {
        String name = words.get(0);
        String second = words.size() > 1 ? words.get(1) : "";
        int close = name.indexOf(')');
        if (close <= 4) {
            alert.accept("balance hdr requires an http header field name.");
            return null;
        }
        boolean useDomainOnly = false;
        if (!second.isEmpty()) {
            if (!second.equals("use_domain_only")) {
                alert.accept(
                        "balance "
                                + name
                                + " only accepts 'use_domain_only' modifier (got '"
                                + second
                                + "').");
                return null;
            }
            useDomainOnly = true;
        }
        return new Balance(
                Algorithm.HDR,
                false,
                0,
                0,
                false,
                2,
                name.substring(4, close),
                false,
                useDomainOnly,
                where);
    }
}
