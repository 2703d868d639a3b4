package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives every server its id (puid) the way HAProxy does: explicit {@code id N} first; then, in
 * declaration order, a counter starting at 1 gives each server without an id the smallest unused id
 * at or above the counter, and moves to that id; the counter goes up by one after every server,
 * explicit or not. So ids 30, 10 and none give the third server id 3, and none, none, 2, none give
 * 1, 3, 2, 5: the second server skips the taken 2 and the counter goes on from 3 (HAProxy 2.6.12,
 * 3.0.11, 3.2.26 and 3.4.7 alike, read from their {@code show stat}'s {@code sid}).
 */
final class ServerIds {

    private ServerIds() {}

    /**
     * Resolves ids; {@code explicitIds} holds each server's {@code id N} in declaration order, or
     * null.
     */
    static List<Integer> resolve(List<Integer> explicitIds) {
        Set<Integer> used = new HashSet<>();
        for (Integer id : explicitIds) {
            if (id != null) {
                used.add(id);
            }
        }
        List<Integer> ids = new ArrayList<>();
        int counter = 1;
        for (Integer explicit : explicitIds) {
            if (explicit != null) {
                ids.add(explicit);
            } else {
                int id = counter;
                while (used.contains(id)) {
                    id++;
                }
                used.add(id);
                ids.add(id);
                counter = id;
            }
            counter++;
        }
        return List.copyOf(ids);
    }
}
