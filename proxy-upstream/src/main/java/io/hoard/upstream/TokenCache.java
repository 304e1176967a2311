package io.hoard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Bearer tokens from registry token services, cached per realm, service, scope and identity until
 * they expire. Tokens live in memory only. A GET with Basic credentials is tried first (Docker's
 * token protocol); when the service refuses it and there are credentials, the OAuth2 password
 * grant (POST) is tried, as Docker Hub and others accept.
 */
public final class TokenCache {
    private static final ObjectMapper JSON = io.hoard.model.Json.MAPPER;
    /** Spec default when the token service gives no {@code expires_in}. */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    private static final Duration SLACK = Duration.ofSeconds(10);
    /** Tokens are a few KiB; no token service needs more. */
    private static final int MAX_TOKEN_BYTES = 64 * 1024;

    private record Key(String realm, String service, String scope, String identity) {
    }

    private record Token(String value, Instant expires) {
    }

    private final Map<Key, Token> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    public TokenCache(Clock clock) {
        this.clock = clock;
    }

    /** A cached, unexpired token for the challenge's realm and service, this scope and identity. */
    @Nullable String cached(Challenge challenge, String scope, Credentials credentials) {
        Token t = tokens.get(key(challenge, scope, credentials));
        return t != null && clock.instant().isBefore(t.expires()) ? t.value() : null;
    }

    /** When the cached token for this scope and identity stops being used, if there is one. */
    @Nullable Instant expires(Challenge challenge, String scope, Credentials credentials) {
        Token t = tokens.get(key(challenge, scope, credentials));
        return t == null ? null : t.expires();
    }

    /** Forgets a token the upstream no longer accepts. */
    void invalidate(Challenge challenge, String scope, Credentials credentials) {
        tokens.remove(key(challenge, scope, credentials));
    }

    /**
     * Fetches a token for {@code scope} from the challenge's realm.
     *
     * @throws UpstreamException {@code UNAUTHORIZED} when the service refuses, {@code UNREACHABLE} when it is down
     */
    String fetch(Transport http, Challenge challenge, String scope, Credentials credentials, Duration timeout) {
        String realm = challenge.realm();
        if (realm.isEmpty()) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "bearer challenge without a realm");
        }
        String service = challenge.parameters().getOrDefault("service", "");
        StringBuilder query = new StringBuilder();
        if (!service.isEmpty()) {
            query.append("service=").append(enc(service));
        }
        if (!scope.isEmpty()) {
            query.append(query.isEmpty() ? "" : "&").append("scope=").append(enc(scope));
        }
        URI realmUri = realmUri(realm);
        URI uri = URI.create(realmUri + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + query));
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (!credentials.isAnonymous()) {
            headers.put("Authorization", credentials.basicHeader());
        }
        Answer response = send(http, new Transport.Request("GET", uri, headers, null, timeout), realm);
        if (response.status() != 200 && !credentials.isAnonymous()) {
            String form = "grant_type=password&client_id=hoard&access_type=online&username=" + enc(credentials.username())
                    + "&password=" + enc(credentials.password()) + "&service=" + enc(service) + "&scope=" + enc(scope);
            response = send(http, new Transport.Request("POST", realmUri, Map.of("Content-Type",
                    "application/x-www-form-urlencoded"), form.getBytes(StandardCharsets.UTF_8), timeout), realm);
        }
        if (response.status() == 429 || response.status() >= 500) {
            throw new UpstreamException(response.status() == 429 ? UpstreamException.Kind.TOO_MANY_REQUESTS
                    : UpstreamException.Kind.SERVER_ERROR, "token service " + realm + " answered " + response.status());
        }
        if (response.status() != 200) {
            throw new UpstreamException(UpstreamException.Kind.UNAUTHORIZED, "token service " + realm + " refused "
                    + credentials + " for " + scope + " (HTTP " + response.status() + ")");
        }
        Token token = parse(response.body(), realm);
        tokens.put(key(challenge, scope, credentials), token);
        return token.value();
    }

    private Token parse(byte[] body, String realm) {
        try {
            JsonNode json = JSON.readTree(body);
            String value = json.path("token").asText(json.path("access_token").asText(""));
            if (value.isEmpty()) {
                value = json.path("access_token").asText("");
            }
            if (value.isEmpty()) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "token service " + realm + " sent no token");
            }
            long seconds = json.path("expires_in").asLong(0);
            Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_LIFETIME;
            Duration usable = lifetime.compareTo(SLACK.multipliedBy(2)) > 0 ? lifetime.minus(SLACK) : lifetime.dividedBy(2);
            return new Token(value, clock.instant().plus(usable));
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "token service " + realm + " sent invalid JSON", e);
        }
    }

    /** A token service's answer: its status and (capped) body. */
    private record Answer(int status, byte[] body) {
    }

    /** The realm as an http(s) URL with a host: a challenge cannot send Hoard anywhere else. */
    private static URI realmUri(String realm) {
        try {
            URI uri = new URI(realm);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // refused below
        }
        throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "the bearer challenge's realm is not an http(s) URL");
    }

    private static Answer send(Transport http, Transport.Request request, String realm) {
        try (Transport.Response r = http.send(request)) {
            return new Answer(r.status(), r.status() == 200 ? r.readBody(MAX_TOKEN_BYTES) : new byte[0]);
        } catch (Transport.BodyTooLargeException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "token service " + realm + " sent more than "
                    + MAX_TOKEN_BYTES + " bytes");
        } catch (AddressPolicy.RefusedAddressException e) {
            throw new UpstreamException(UpstreamException.Kind.REFUSED_ADDRESS, "token service: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.UNREACHABLE, "token service " + realm + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.UNREACHABLE, "interrupted while fetching a token", e);
        }
    }

    private static Key key(Challenge c, String scope, Credentials credentials) {
        return new Key(c.realm(), c.parameters().getOrDefault("service", ""), scope, credentials.cacheKey());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
