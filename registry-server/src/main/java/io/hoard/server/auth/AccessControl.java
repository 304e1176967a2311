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
     * What a request acts on, as a token scope names it: {@code repository:<name>:pull|push|delete}
     * or {@code registry:catalog:*}.
     */
    public record Resource(String type, String name, String action) {
        public static Resource repository(String name, String action) {
            return new Resource("repository", name, action);
        }

        public static Resource catalog() {
            return new Resource("registry", "catalog", "*");
        }

        String scope() {
            return type + ":" + name + ":" + (action.equals("pull") || action.equals("*") ? action : "pull," + action);
        }
    }

    /** Actions a token may carry for a repository; anything else asked for is left out. */
    private static final java.util.Set<String> ACTIONS = java.util.Set.of("pull", "push", "delete", "*");
    private static final java.util.regex.Pattern SCOPE_NAME = java.util.regex.Pattern.compile("[a-z0-9._/-]{1,255}");

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
    public Optional<Denial> check(@Nullable String authorization, boolean write, @Nullable Resource resource,
            Supplier<String> tokenRealm) {
        boolean ping = resource == null;
        if (authorization == null || authorization.isBlank()) {
            if (tokens != null && !write && !ping) {
                return Optional.empty();
            }
            return Optional.of(deny(ErrorCode.UNAUTHORIZED, "authentication required", tokenRealm, resource));
        }
        if (startsWithIgnoreCase(authorization, "Basic ")) {
            return basicUser(authorization).isPresent() ? Optional.empty()
                    : Optional.of(deny(ErrorCode.UNAUTHORIZED, "invalid username or password", tokenRealm, resource));
        }
        if (tokens != null && startsWithIgnoreCase(authorization, "Bearer ")) {
            Optional<TokenService.Grant> grant = tokens.verify(authorization.substring(7).trim(), clock.instant());
            if (grant.isEmpty()) {
                return Optional.of(deny(ErrorCode.UNAUTHORIZED, "the token is invalid or has expired", tokenRealm, resource));
            }
            String subject = grant.get().subject();
            if (!subject.isEmpty() && !users.exists(subject)) {
                return Optional.of(deny(ErrorCode.UNAUTHORIZED, "the token's user is no longer allowed", tokenRealm,
                        resource));
            }
            if (resource != null && !allows(grant.get(), resource)) {
                return Optional.of(deny(ErrorCode.UNAUTHORIZED, subject.isEmpty() && write
                        ? "anonymous clients may only pull; log in to push"
                        : "the token does not grant " + resource.action() + " on " + resource.name(), tokenRealm, resource));
            }
            return Optional.empty();
        }
        return Optional.of(deny(ErrorCode.UNAUTHORIZED, "unsupported authorization scheme", tokenRealm, resource));
    }

    /** A delete is allowed by a token that may delete or push there (docker asks for push when it deletes). */
    private static boolean allows(TokenService.Grant grant, Resource r) {
        return grant.allows(r.type(), r.name(), r.action())
                || (r.action().equals("delete") && grant.allows(r.type(), r.name(), "push"));
    }

    /**
     * Answers {@code GET /auth/token}: a push-capable token for valid Basic credentials, a read-only
     * one for a caller without credentials.
     */
    public Optional<Token> token(@Nullable String authorization, java.util.List<String> requestedScopes) {
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
        return Optional.of(new Token(tokens.issue(subject, granted(requestedScopes, !subject.isEmpty()), clock.instant()),
                TokenService.LIFETIME.toSeconds()));
    }

    /**
     * The scopes a token gets: of those asked for, repository pulls for everyone, pushes and deletes
     * for users only, and reading the catalog; anything malformed or unknown is left out.
     */
    private static java.util.List<String> granted(java.util.List<String> requested, boolean user) {
        java.util.List<String> granted = new java.util.ArrayList<>();
        for (String param : requested) {
            for (String text : param.trim().split(" ")) {
                Optional<Scope> scope = Scope.parse(text);
                if (scope.isEmpty() || granted.size() >= 32) {
                    continue;
                }
                Scope asked = scope.get();
                if (asked.type().equals("registry") && asked.name().equals("catalog")) {
                    granted.add("registry:catalog:*");
                    continue;
                }
                if (!asked.type().equals("repository") || !SCOPE_NAME.matcher(asked.name()).matches()) {
                    continue;
                }
                java.util.List<String> actions = asked.actions().stream()
                        .filter(a -> ACTIONS.contains(a) && (user || a.equals("pull"))).distinct().toList();
                if (!actions.isEmpty()) {
                    granted.add(new Scope(asked.type(), asked.name(), actions).toString());
                }
            }
        }
        return granted;
    }

    /** The challenge for a refused token request: Basic, for this realm. */
    public String basicChallenge() {
        return "Basic realm=\"" + quote(realm) + "\"";
    }

    private Denial deny(ErrorCode code, String detail, Supplier<String> tokenRealm, @Nullable Resource resource) {
        String challenge = tokens == null ? basicChallenge()
                : "Bearer realm=\"" + quote(tokenRealm.get()) + "\",service=\"" + SERVICE + "\""
                        + (resource == null ? "" : ",scope=\"" + quote(resource.scope()) + "\"");
        return new Denial(new RegistryException(code, detail), challenge);
    }

    /** The htpasswd user of valid {@code Authorization: Basic} credentials (the admin API takes only those). */
    public Optional<String> basicUser(@Nullable String authorization) {
        if (authorization == null || !startsWithIgnoreCase(authorization, "Basic ")) {
            return Optional.empty();
        }
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
