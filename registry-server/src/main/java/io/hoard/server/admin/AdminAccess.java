package io.hoard.server.admin;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.server.auth.AccessControl;
import io.hoard.server.http.Exchange;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Who may call the admin API: with client authentication ({@code auth.htpasswd}), the htpasswd
 * users listed in {@code admin.users}, with Basic credentials; without it, only connections from
 * loopback (the socket's address: a forwarded-for header proves nothing).
 */
public final class AdminAccess {
    private final @Nullable AccessControl access;
    private final List<String> users;

    public AdminAccess(@Nullable AccessControl access, List<String> users) {
        this.access = access;
        this.users = List.copyOf(users);
    }

    /**
     * The caller's name ({@code "loopback"} without auth).
     *
     * @throws RegistryException {@code UNAUTHORIZED} without valid credentials, {@code DENIED} for anyone else
     */
    public String check(Exchange exchange) {
        if (access == null) {
            if (!exchange.fromLoopback()) {
                throw new RegistryException(ErrorCode.DENIED, "the admin API answers only connections from loopback "
                        + "while auth is off; configure auth.htpasswd and admin.users to call it from elsewhere");
            }
            return "loopback";
        }
        Optional<String> user = access.basicUser(exchange.header("Authorization").orElse(null));
        if (user.isEmpty()) {
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "the admin API needs the Basic credentials of a user "
                    + "listed in admin.users");
        }
        if (!users.contains(user.get())) {
            throw new RegistryException(ErrorCode.DENIED, "user " + user.get() + " is not listed in admin.users");
        }
        return user.get();
    }
}
