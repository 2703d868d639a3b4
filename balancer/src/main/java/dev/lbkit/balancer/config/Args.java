package dev.lbkit.balancer.config;

import java.util.List;

/** Holds the words of one line; a missing word reads as "", as in HAProxy's argument array. */
record Args(List<String> words) {
    String get(int index) {
        return index < words.size() ? words.get(index) : "";
    }

    int size() {
        return words.size();
    }

    List<String> rest(int from) {
        return from < words.size() ? words.subList(from, words.size()) : List.of();
    }

    Args shift() {
        return new Args(words.subList(1, words.size()));
    }
}
