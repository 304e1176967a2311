package io.hoard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Bearer tokens from registry token services, cached per realm, service, scope and identity until
 * they expire. Tokens live in memory only. A GET with Basic credentials is tried first (Docker's
 * token protocol); when the service refuses it and there are credentials, the OAuth2 password
 * grant (POST) is tried, as Docker Hub and others accept.
 */
public final class TokenCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Spec default when the token service gives no {@code expires_in}. */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    private static final Duration SLACK = Duration.ofSeconds(10);

    private record Key(String realm, String service, String scope, String identity) {
    }

    private record Token(String value, Instant expires) {
    }

    private final Map<Key, Token> tokens = new ConcurrentHashMap<>();
    private final Clock clock;
    private final LongAdder fetches = new LongAdder();

    public TokenCache(Clock clock) {
        this.clock = clock;
    }

    /** How many tokens were fetched from token services (for tests and metrics). */
    public long fetches() {
        return fetches.sum();
    }

    /** A cached, unexpired token for the challenge's realm and service, this scope and identity. */
    @Nullable String cached(Challenge challenge, String scope, Credentials credentials) {
        Token t = tokens.get(key(challenge, scope, credentials));
        return t != null && clock.instant().isBefore(t.expires()) ? t.value() : null;
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
    String fetch(HttpClient http, Challenge challenge, String scope, Credentials credentials, Duration timeout) {
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
        URI uri = URI.create(realm + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + query));
        HttpRequest.Builder get = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (!credentials.isAnonymous()) {
            get.header("Authorization", credentials.basicHeader());
        }
        HttpResponse<byte[]> response = send(http, get.build(), realm);
        if (response.statusCode() != 200 && !credentials.isAnonymous()) {
            String form = "grant_type=password&client_id=hoard&access_type=online&username=" + enc(credentials.username())
                    + "&password=" + enc(credentials.password()) + "&service=" + enc(service) + "&scope=" + enc(scope);
            response = send(http, HttpRequest.newBuilder(URI.create(realm)).timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), realm);
        }
        if (response.statusCode() == 429 || response.statusCode() >= 500) {
            throw new UpstreamException(response.statusCode() == 429 ? UpstreamException.Kind.TOO_MANY_REQUESTS
                    : UpstreamException.Kind.SERVER_ERROR, "token service " + realm + " answered " + response.statusCode());
        }
        if (response.statusCode() != 200) {
            throw new UpstreamException(UpstreamException.Kind.UNAUTHORIZED, "token service " + realm + " refused "
                    + credentials + " for " + scope + " (HTTP " + response.statusCode() + ")");
        }
        fetches.increment();
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

    private static HttpResponse<byte[]> send(HttpClient http, HttpRequest request, String realm) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
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
