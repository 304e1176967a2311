package io.hoard.upstream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Sends {@link UpstreamCall}s to one upstream with one identity, and owns the policy every call
 * shares: the cached token (a {@code WWW-Authenticate} challenge is answered at most once per
 * call), redirects followed by hand (credentials never go to another host, as blob CDNs require;
 * only http and https), refused connections retried with backoff, a short {@code 429} waited out
 * once, the circuit breaker and the statistics. Nothing pings {@code /v2/} first: the first 401
 * tells what authentication is needed. {@link #callDirect} applies the same policy to the plain
 * socket path for blob bodies.
 */
final class UpstreamCaller {
    private static final String USER_AGENT = "hoard/0.1 (pull-through cache)";
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_CONNECT_RETRIES = 2;
    private static final long MAX_RETRY_AFTER_MS = 2000;

    private final UpstreamEndpoint endpoint;
    private final Credentials credentials;
    private final UpstreamAnswers answers;

    UpstreamCaller(UpstreamEndpoint endpoint, Credentials credentials) {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.answers = new UpstreamAnswers(endpoint.name(), endpoint.stats());
    }

    private String name() {
        return endpoint.name();
    }

    /** The call's result, through the full client. */
    <T> T call(String repository, UpstreamCall<T> call) {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            Transport.Response r = send(repository, call.method(), call.path(), call.accept(), call.range());
            T result = call.handle(r, answers);
            failed = false;
            return result;
        } finally {
            endpoint.stats().recordCall(kind(call), System.nanoTime() - start, failed);
        }
    }

    /** {@code ManifestGet} → {@code manifest_get}: the label of the call's kind in metrics. */
    private static String kind(UpstreamCall<?> call) {
        return io.hoard.model.Labels.snakeCase(call.getClass());
    }

    /**
     * The common case of a blob body — a 200/206 with a Content-Length from the upstream's own host,
     * with the token already known — on a plain socket ({@link SocketTransport}); empty when anything
     * else happens, so that {@link #call} handles redirects, challenges, retries and errors.
     */
    Optional<BlobStream> callDirect(String repository, BlobGet call) {
        SocketTransport sockets = endpoint.fastPath();
        URI uri = endpoint.base().resolve(call.path());
        if (sockets == null || !endpoint.breaker().allow() || !direct(uri)) {
            return Optional.empty(); // the full client reports the open breaker, or goes through the proxy
        }
        String scope = scope(repository);
        Challenge c = endpoint.challenge();
        if (c != null && c.isBearer() && !credentials.isToken() && endpoint.tokens().cached(c, scope, credentials) == null) {
            return Optional.empty(); // let the full client fetch (and cache) the token
        }
        Transport.Response r = null;
        try {
            endpoint.stats().requests.increment();
            long start = System.nanoTime();
            r = sockets.send(new Transport.Request(call.method(), uri, headers(call.accept(), call.range(), scope, true), null,
                    endpoint.timeout()));
            Optional<BlobStream> stream = call.handleSimple(r);
            if (stream.isPresent()) {
                endpoint.breaker().success();
                endpoint.stats().recordCall("blob_get", System.nanoTime() - start, false);
            }
            return stream;
        } catch (SocketTransport.ConnectFailed e) {
            return Optional.empty(); // the full client retries refused connections with backoff
        } catch (java.net.SocketTimeoutException e) {
            // The upstream accepted and then said nothing: asking again would only wait as long once more.
            throw outage(call.method(), call.path(), e);
        } catch (IOException | RuntimeException e) {
            if (r != null) {
                r.close();
            }
            return Optional.empty(); // the full client retries, and reports what is wrong
        }
    }

    /** When the token for {@code repository} expires, if a bearer token is in use and known. */
    Optional<java.time.Instant> accessExpires(String repository) {
        Challenge c = endpoint.challenge();
        if (c == null || !c.isBearer()) {
            return Optional.empty();
        }
        return Optional.ofNullable(endpoint.tokens().expires(c, scope(repository), credentials));
    }

    private static String scope(String repository) {
        return "repository:" + repository + ":pull";
    }

    /** True when no HTTP proxy is configured for {@code uri} (the socket path connects directly). */
    private static boolean direct(URI uri) {
        java.net.ProxySelector selector = java.net.ProxySelector.getDefault();
        return selector == null || selector.select(uri).stream().allMatch(p -> p.type() == java.net.Proxy.Type.DIRECT);
    }

    private Transport.Response send(String repository, String method, String path, @Nullable String accept,
            @Nullable String range) {
        if (!endpoint.breaker().allow()) {
            throw new UpstreamException(UpstreamException.Kind.UNREACHABLE,
                    name() + " is failing; not asking it again for a while (circuit breaker open)");
        }
        String scope = scope(repository);
        boolean refreshed = false;
        int connectRetries = 0;
        int throttled = 0;
        while (true) {
            try {
                Transport.Response r = follow(method, endpoint.base().resolve(path), scope, accept, range);
                recordRateLimit(r);
                if (r.status() == 401 && !refreshed && !credentials.isToken()) {
                    refreshed = true;
                    r.close();
                    authenticate(r, scope);
                    continue;
                }
                if (r.status() == 401 || r.status() == 403) {
                    r.close();
                    endpoint.breaker().success();
                    throw new UpstreamException(UpstreamException.Kind.UNAUTHORIZED, name() + " refused " + credentials
                            + " for " + method + " " + path + " (HTTP " + r.status() + ")");
                }
                if (r.status() == 429) {
                    r.close();
                    endpoint.stats().tooManyRequests.increment();
                    long wait = r.header("Retry-After").flatMap(UpstreamAnswers::leadingNumber).map(s -> s * 1000)
                            .orElse(1000L);
                    if (throttled++ == 0 && wait <= MAX_RETRY_AFTER_MS) {
                        Thread.sleep(Math.max(wait, 100));
                        continue;
                    }
                    endpoint.breaker().failure();
                    throw new UpstreamException(UpstreamException.Kind.TOO_MANY_REQUESTS,
                            name() + " answered 429 Too Many Requests for " + method + " " + path);
                }
                if (r.status() >= 500) {
                    r.close();
                    endpoint.breaker().failure();
                    endpoint.stats().errors.increment();
                    throw new UpstreamException(UpstreamException.Kind.SERVER_ERROR,
                            name() + " answered " + r.status() + " for " + method + " " + path);
                }
                endpoint.breaker().success();
                return r;
            } catch (AddressPolicy.RefusedAddressException e) {
                throw new UpstreamException(UpstreamException.Kind.REFUSED_ADDRESS, name() + ": " + e.getMessage(), e);
            } catch (ConnectException | SocketTransport.ConnectFailed e) {
                if (connectRetries++ < MAX_CONNECT_RETRIES) {
                    backOff(200L << (2 * (connectRetries - 1)));
                    continue;
                }
                throw outage(method, path, e);
            } catch (IOException e) {
                throw outage(method, path, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UpstreamException(UpstreamException.Kind.UNREACHABLE, "interrupted calling " + name(), e);
            }
        }
    }

    private void backOff(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.UNREACHABLE, "interrupted calling " + name(), e);
        }
    }

    /**
     * Sends one request, following redirects (only to http and https URLs); credentials go only to
     * the upstream's own host.
     */
    private Transport.Response follow(String method, URI uri, String scope, @Nullable String accept, @Nullable String range)
            throws IOException, InterruptedException {
        URI target = uri;
        for (int hop = 0; ; hop++) {
            boolean sameHost = target.getHost().equalsIgnoreCase(endpoint.base().getHost())
                    && target.getPort() == endpoint.base().getPort();
            endpoint.stats().requests.increment();
            Transport.Response r = endpoint.transport().send(new Transport.Request(method, target,
                    headers(accept, range, scope, sameHost), null, endpoint.timeout()));
            int status = r.status();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return r;
            }
            r.close();
            Optional<String> location = r.header("Location");
            if (location.isEmpty() || hop >= MAX_REDIRECTS) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " redirected "
                        + (location.isEmpty() ? "without a Location" : "more than " + MAX_REDIRECTS + " times"));
            }
            target = redirectTarget(target, location.get());
        }
    }

    private Map<String, String> headers(@Nullable String accept, @Nullable String range, String scope, boolean withAuth) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("User-Agent", USER_AGENT);
        if (accept != null) {
            headers.put("Accept", accept);
        }
        if (range != null) {
            headers.put("Range", range);
        }
        if (withAuth) {
            String auth = authorization(scope);
            if (auth != null) {
                headers.put("Authorization", auth);
            }
        }
        return headers;
    }

    /** Where a redirect goes: an http or https URL with a host, never another scheme (file:, ftp:, ...). */
    private URI redirectTarget(URI from, String location) {
        URI next;
        try {
            next = from.resolve(new URI(location.trim()));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " redirected to a malformed URL");
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || next.getHost() == null) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " redirected to a URL that is not "
                    + "http(s) with a host; not followed");
        }
        return next;
    }

    private @Nullable String authorization(String scope) {
        if (credentials.isToken()) {
            return "Bearer " + credentials.token();
        }
        Challenge c = endpoint.challenge();
        if (c == null) {
            return null;
        }
        if (c.isBasic()) {
            return credentials.isAnonymous() ? null : credentials.basicHeader();
        }
        if (!c.isBearer()) {
            return null;
        }
        String token = endpoint.tokens().cached(c, scope, credentials);
        if (token == null) {
            token = endpoint.tokens().fetch(endpoint.transport(), c, scope, credentials, endpoint.timeout());
            endpoint.stats().tokensFetched.increment();
        }
        return "Bearer " + token;
    }

    private void authenticate(Transport.Response r, String scope) {
        Challenge c = r.headers("WWW-Authenticate").stream().map(Challenge::parse).flatMap(Optional::stream)
                .filter(ch -> ch.isBearer() || ch.isBasic()).findFirst()
                .orElseThrow(() -> new UpstreamException(UpstreamException.Kind.UNAUTHORIZED,
                        name() + " wants authentication but sent no Bearer or Basic challenge"));
        Challenge previous = endpoint.challenge();
        if (previous != null && previous.isBearer()) {
            endpoint.tokens().invalidate(previous, scope, credentials);
        }
        if (c.isBasic() && credentials.isAnonymous()) {
            throw new UpstreamException(UpstreamException.Kind.UNAUTHORIZED, name() + " requires credentials");
        }
        endpoint.challenge(c);
        if (c.isBearer()) {
            // Fetch now so that a refusal surfaces as the token service's answer.
            endpoint.tokens().fetch(endpoint.transport(), c, scope, credentials, endpoint.timeout());
            endpoint.stats().tokensFetched.increment();
        }
    }

    private void recordRateLimit(Transport.Response r) {
        r.header("ratelimit-limit").flatMap(UpstreamAnswers::leadingNumber).ifPresent(endpoint.stats().rateLimitLimit::set);
        r.header("ratelimit-remaining").flatMap(UpstreamAnswers::leadingNumber)
                .ifPresent(endpoint.stats().rateLimitRemaining::set);
    }

    private UpstreamException outage(String method, String path, IOException e) {
        endpoint.breaker().failure();
        endpoint.stats().errors.increment();
        String what = e instanceof HttpConnectTimeoutException ? "connection timed out"
                : e instanceof HttpTimeoutException ? "no answer within " + endpoint.timeout().toSeconds() + "s"
                : e instanceof ConnectException ? "connection refused" : e.toString();
        return new UpstreamException(UpstreamException.Kind.UNREACHABLE, name() + " unreachable for " + method + " "
                + path + ": " + what, e);
    }
}
