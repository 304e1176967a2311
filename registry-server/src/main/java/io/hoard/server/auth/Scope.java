package io.hoard.server.auth;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One token scope as the Docker token protocol writes it: {@code type:name:action,action}
 * ({@code repository:team/app:pull,push}, {@code registry:catalog:*}).
 */
record Scope(String type, String name, List<String> actions) {

    /** The scope in {@code text}, or empty when it is not {@code type:name:actions}. */
    static Optional<Scope> parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last <= first) {
            return Optional.empty();
        }
        return Optional.of(new Scope(text.substring(0, first), text.substring(first + 1, last),
                Arrays.asList(text.substring(last + 1).split(","))));
    }

    /** True when this scope grants {@code action} on {@code type:name} ({@code *} grants every action). */
    boolean grants(String type, String name, String action) {
        return this.type.equals(type) && this.name.equals(name) && (actions.contains(action) || actions.contains("*"));
    }

    @Override
    public String toString() {
        return type + ":" + name + ":" + String.join(",", actions);
    }
}
