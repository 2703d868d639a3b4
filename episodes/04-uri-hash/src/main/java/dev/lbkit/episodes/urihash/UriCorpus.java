package dev.lbkit.episodes.urihash;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Builds the request-targets this episode sends: distinct origin-form URIs whose parts are the ones
 * {@code balance uri} options react to — paths of depth 1 to 6, long and short segments, "//" and
 * trailing slashes, percent-escapes, query strings with '&amp;', '=' and '/' inside, and an empty
 * query. The same seed always gives the same list, so a failing run can be replayed.
 */
public final class UriCorpus {
    /** The authority the absolute-form requests name: the article's frontend address. */
    public static final String ABSOLUTE_AUTHORITY = "127.0.0.1:8080";

    private static final String[] WORDS = {
        "item",
        "api",
        "v1",
        "v2",
        "users",
        "img",
        "static",
        "css",
        "cart",
        "p",
        "checkout",
        "search",
        "a",
        "b",
        "catalogue",
        "very-long-segment-name",
        "x",
        "%2F",
        "caf%C3%A9",
        ""
    };
    private static final String[] QUERIES = {
        "",
        "?",
        "?x=1",
        "?q=a/b/c",
        "?id=42&sort=desc",
        "?path=/x/y/z",
        "?a=1&b=2&c=3",
        "?next=/cart/checkout?step=2",
        "?s=%2Fetc",
        "?utm_source=mail&x=/"
    };

    private UriCorpus() {}

    /** {@code count} distinct origin-form targets, a few hand-picked edge cases first. */
    public static List<String> originForm(int count, long seed) {
        Set<String> uris =
                new LinkedHashSet<>(
                        List.of(
                                "/",
                                "/index.html",
                                "/a",
                                "/a/",
                                "//a//b",
                                "/a/b/c/d/e/f",
                                "/?x=1",
                                "/a?x=/y/z",
                                "/a/b?x=1",
                                "/item/1",
                                "/item/2",
                                "/item/10"));
        Random random = new Random(seed);
        while (uris.size() < count) {
            int depth = 1 + random.nextInt(6);
            StringBuilder uri = new StringBuilder();
            for (int d = 0; d < depth; d++) {
                uri.append('/').append(WORDS[random.nextInt(WORDS.length)]);
                if (random.nextInt(3) == 0) {
                    uri.append(random.nextInt(1000));
                }
            }
            if (random.nextInt(8) == 0) {
                uri.append('/');
            }
            uri.append(QUERIES[random.nextInt(QUERIES.length)]);
            uris.add(uri.toString());
        }
        return new ArrayList<>(uris).subList(0, count);
    }

    /** The same targets in absolute-form, e.g. {@code http://127.0.0.1:8080/a/b?x=1}. */
    public static List<String> absoluteForm(List<String> originForm) {
        return absoluteForm(originForm, "http://" + ABSOLUTE_AUTHORITY);
    }

    /** The same targets behind {@code schemeAndAuthority}, e.g. {@code http://127.0.0.1:80}. */
    public static List<String> absoluteForm(List<String> originForm, String schemeAndAuthority) {
        return originForm.stream().map(uri -> schemeAndAuthority + uri).toList();
    }

    /** {@code /item/1} .. {@code /item/count}: the sequential keys of the hash-spread picture. */
    public static List<String> sequentialItems(int count) {
        List<String> uris = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            uris.add("/item/" + i);
        }
        return uris;
    }
}
