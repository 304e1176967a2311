package io.hoard.server.auth;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code auth.htpasswd}: who may do what. Every request needs valid credentials (Basic, checked
 * against the htpasswd file), as in distribution. With {@code anonymouspull}, anyone may read and
 * only users may write; clients learn that through a Bearer challenge whose token endpoint
 * ({@code /auth/token}, see {@link TokenService}) gives anonymous callers read-only tokens — Basic
 * credentials keep working on every request too.
 */
public final class AccessControl {
    /** The path of the token endpoint that {@code anonymouspull} advertises. */
    public static final String TOKEN_PATH = "/auth/token";
    public static final String SERVICE = "hoard";

    private final Htpasswd users;
    private final String realm;
    private final @Nullable TokenService tokens;
    private final Clock clock;

    /** Why a request is refused, and the challenge that tells the client how to authenticate. */
    public record Denial(RegistryException error, String challenge) {
    }

    /** A successful token request: the token and its lifetime in seconds. */
    public record Token(String token, long expiresInSeconds) {
    }

    /**
     * @param tokens the token service when anonymous pulls are allowed, else null (Basic only)
     */
    public AccessControl(Htpasswd users, String realm, @Nullable TokenService tokens, Clock clock) {
        this.users = users;
        this.realm = realm;
        this.tokens = tokens;
        this.clock = clock;
    }

    public boolean anonymousPull() {
        return tokens != null;
    }

    /**
     * Checks a V2 request.
     *
     * @param ping the request is {@code /v2/}, which answers 401 to anonymous callers even when they
     *     may pull, so that clients learn the challenge before they push
     * @param tokenRealm the absolute URL of the token endpoint on this registry, asked for only to refuse
     */
    public Optional<Denial> check(@Nullable String authorization, boolean write, boolean ping,
            Supplier<String> tokenRealm) {
        if (authorization == null || authorization.isBlank()) {
            if (tokens != null && !write && !ping) {
                return Optional.empty();
            }
            return Optional.of(deny(ErrorCode.UNAUTHORIZED, "authentication required", tokenRealm));
        }
        if (startsWithIgnoreCase(authorization, "Basic ")) {
            return basicUser(authorization).isPresent() ? Optional.empty()
                    : Optional.of(deny(ErrorCode.UNAUTHORIZED, "invalid username or password", tokenRealm));
        }
        if (tokens != null && startsWithIgnoreCase(authorization, "Bearer ")) {
            Optional<TokenService.Grant> grant = tokens.verify(authorization.substring(7).trim(), clock.instant());
            if (grant.isEmpty()) {
                return Optional.of(deny(ErrorCode.UNAUTHORIZED, "the token is invalid or has expired", tokenRealm));
            }
            if (write && !grant.get().push()) {
                return Optional.of(deny(ErrorCode.UNAUTHORIZED, "anonymous clients may only pull; log in to push",
                        tokenRealm));
            }
            return Optional.empty();
        }
        return Optional.of(deny(ErrorCode.UNAUTHORIZED, "unsupported authorization scheme", tokenRealm));
    }

    /**
     * Answers {@code GET /auth/token}: a push-capable token for valid Basic credentials, a read-only
     * one for a caller without credentials.
     */
    public Optional<Token> token(@Nullable String authorization) {
        if (tokens == null) {
            return Optional.empty();
        }
        String subject = "";
        if (authorization != null && !authorization.isBlank()) {
            Optional<String> user = startsWithIgnoreCase(authorization, "Basic ") ? basicUser(authorization) : Optional.empty();
            if (user.isEmpty()) {
                return Optional.empty();
            }
            subject = user.get();
        }
        return Optional.of(new Token(tokens.issue(subject, !subject.isEmpty(), clock.instant()),
                TokenService.LIFETIME.toSeconds()));
    }

    /** The challenge for a refused token request: Basic, for this realm. */
    public String basicChallenge() {
        return "Basic realm=\"" + quote(realm) + "\"";
    }

    private Denial deny(ErrorCode code, String detail, Supplier<String> tokenRealm) {
        String challenge = tokens == null ? basicChallenge()
                : "Bearer realm=\"" + quote(tokenRealm.get()) + "\",service=\"" + SERVICE + "\"";
        return new Denial(new RegistryException(code, detail), challenge);
    }

    private Optional<String> basicUser(String authorization) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String user = decoded.substring(0, colon);
        return users.verify(user, decoded.substring(colon + 1)) ? Optional.of(user) : Optional.empty();
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
