package io.hoard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.MediaTypes;
import io.hoard.model.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The V2 client for one upstream and one identity. Every call goes through {@link #call}: it adds
 * the cached token, answers {@code WWW-Authenticate} challenges (at most once per call), follows
 * redirects itself (never sending credentials to another host, as blob CDNs require), retries
 * refused connections with backoff and a short {@code 429}, and feeds the circuit breaker.
 * Nothing here pings {@code /v2/} first: the first 401 tells what authentication is needed.
 */
public final class RegistryClient implements UpstreamRegistry {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MANIFEST_ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_CONNECT_RETRIES = 2;
    private static final long MAX_RETRY_AFTER_MS = 2000;
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*(\\d+)");

    private final UpstreamEndpoint endpoint;
    private final Credentials credentials;

    public RegistryClient(UpstreamEndpoint endpoint, Credentials credentials) {
        this.endpoint = endpoint;
        this.credentials = credentials;
    }

    @Override
    public String name() {
        return endpoint.name();
    }

    @Override
    public UpstreamStats stats() {
        return endpoint.stats();
    }

    @Override
    public Optional<Descriptor> headManifest(String repository, String reference) {
        HttpResponse<byte[]> r = call("HEAD", "/v2/" + repository + "/manifests/" + reference, repository,
                MANIFEST_ACCEPT, null, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, 200, "HEAD manifest " + repository + ":" + reference);
        String digest = r.headers().firstValue("Docker-Content-Digest").orElseThrow(() -> new UpstreamException(
                UpstreamException.Kind.PROTOCOL, name() + " sent no Docker-Content-Digest for " + repository + ":" + reference));
        return Optional.of(new Descriptor(parseDigest(digest), contentLength(r).orElse(0),
                mediaType(r.headers().firstValue("Content-Type").orElse(""))));
    }

    @Override
    public Optional<UpstreamManifest> getManifest(String repository, String reference, int maxBytes) {
        HttpResponse<InputStream> r = call("GET", "/v2/" + repository + "/manifests/" + reference, repository,
                MANIFEST_ACCEPT, null, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            expect(r, 200, "GET manifest " + repository + ":" + reference);
            byte[] content = body.readNBytes(maxBytes + 1);
            if (content.length > maxBytes) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "manifest " + repository + ":" + reference
                        + " on " + name() + " is larger than " + maxBytes + " bytes");
            }
            stats().bytes.add(content.length);
            String declared = r.headers().firstValue("Docker-Content-Digest").orElse(null);
            Digest digest = Digest.of(declared == null ? io.hoard.model.DigestAlgorithm.SHA256 : parseDigest(declared).algorithm(),
                    content);
            if (declared != null && !digest.toString().equals(declared)) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent manifest " + repository + ":"
                        + reference + " whose digest is " + digest + ", not " + declared);
            }
            return Optional.of(new UpstreamManifest(content, mediaType(r.headers().firstValue("Content-Type").orElse("")), digest));
        } catch (IOException e) {
            throw failure("reading manifest " + repository + ":" + reference, e);
        }
    }

    @Override
    public Optional<Descriptor> headBlob(String repository, Digest digest) {
        HttpResponse<byte[]> r = call("HEAD", "/v2/" + repository + "/blobs/" + digest, repository, null, null,
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, 200, "HEAD blob " + repository + "@" + digest);
        return Optional.of(new Descriptor(digest, contentLength(r).orElseThrow(() -> new UpstreamException(
                UpstreamException.Kind.PROTOCOL, name() + " sent no Content-Length for blob " + digest)),
                Descriptor.OCTET_STREAM));
    }

    @Override
    public Optional<BlobStream> openBlob(String repository, Digest digest, long offset) {
        Optional<BlobStream> fast = openBlobDirectly(repository, digest, offset);
        if (fast.isPresent()) {
            return fast;
        }
        HttpResponse<InputStream> r = call("GET", "/v2/" + repository + "/blobs/" + digest, repository, null,
                offset > 0 ? "bytes=" + offset + "-" : null, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 404) {
            close(r.body());
            return Optional.empty();
        }
        if (offset > 0 && r.statusCode() == 206) {
            long total = r.headers().firstValue("Content-Range").map(RegistryClient::totalOfContentRange).orElse(-1L);
            if (total < 0) {
                close(r.body());
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent a 206 without Content-Range");
            }
            return Optional.of(new BlobStream(total, offset, r.body()));
        }
        if (r.statusCode() != 200) {
            close(r.body());
            expect(r, 200, "GET blob " + repository + "@" + digest);
        }
        long size = contentLength(r).orElse(-1);
        if (offset > 0) {
            // The upstream ignored the Range header: skip what we have.
            try {
                r.body().skipNBytes(offset);
            } catch (IOException e) {
                close(r.body());
                throw failure("skipping to offset " + offset + " of blob " + digest, e);
            }
        }
        return Optional.of(new BlobStream(size, offset, r.body()));
    }

    /**
     * The common case — a 200/206 with a Content-Length from the upstream's own host, with the token
     * already known — on a plain socket ({@link RawBlobGet}); empty when anything else happens, so
     * that the full client handles redirects, challenges and errors.
     */
    private Optional<BlobStream> openBlobDirectly(String repository, Digest digest, long offset) {
        URI uri = endpoint.base().resolve("/v2/" + repository + "/blobs/" + digest);
        if (!endpoint.breaker().allow() || !RawBlobGet.direct(uri)) {
            return Optional.empty(); // the full client reports the open breaker, or goes through the proxy
        }
        try {
            String scope = "repository:" + repository + ":pull";
            Challenge c = endpoint.challenge();
            if (c != null && c.isBearer() && endpoint.tokens().cached(c, scope, credentials) == null) {
                return Optional.empty(); // let the full client fetch (and cache) the token
            }
            stats().requests.increment();
            Optional<RawBlobGet.Answer> answer = RawBlobGet.get(endpoint, uri, authorization(scope),
                    offset > 0 ? "bytes=" + offset + "-" : null, endpoint.connectTimeout());
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            RawBlobGet.Answer a = answer.get();
            long length = Long.parseLong(a.headers().get("content-length"));
            if (offset > 0 && a.status() == 206) {
                long total = totalOfContentRange(a.headers().getOrDefault("content-range", ""));
                if (total < 0) {
                    a.body().close();
                    return Optional.empty();
                }
                endpoint.breaker().success();
                return Optional.of(new BlobStream(total, offset, a.body()));
            }
            if (offset > 0) {
                a.body().close(); // the upstream ignored the Range: let the full client skip
                return Optional.empty();
            }
            endpoint.breaker().success();
            return Optional.of(new BlobStream(length, 0, a.body()));
        } catch (RawBlobGet.ConnectFailed e) {
            return Optional.empty(); // the full client retries refused connections with backoff
        } catch (java.net.SocketTimeoutException e) {
            // The upstream accepted and then said nothing: asking again would only wait as long once more.
            throw outage("GET", "/v2/" + repository + "/blobs/" + digest, e);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the full client retries, and reports what is wrong
        }
    }

    @Override
    public Optional<List<String>> tags(String repository) {
        List<String> tags = new ArrayList<>();
        String path = "/v2/" + repository + "/tags/list";
        for (int page = 0; page < 100 && path != null; page++) {
            HttpResponse<byte[]> r = call("GET", path, repository, "application/json", null,
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 404) {
                return page == 0 ? Optional.empty() : Optional.of(tags);
            }
            expect(r, 200, "GET tags of " + repository);
            try {
                JSON.readTree(r.body()).path("tags").forEach(t -> tags.add(t.asText()));
            } catch (IOException e) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent an invalid tag list", e);
            }
            path = r.headers().firstValue("Link").map(LINK_NEXT::matcher).filter(Matcher::find).map(m -> m.group(1))
                    .orElse(null);
        }
        return Optional.of(tags);
    }

    @Override
    public Optional<byte[]> referrers(String repository, Digest subject, @Nullable String artifactType) {
        String path = "/v2/" + repository + "/referrers/" + subject
                + (artifactType == null ? "" : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = call("GET", path, repository, MediaTypes.OCI_INDEX, null, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            return Optional.empty(); // 404: no referrers API upstream
        }
        return Optional.of(r.body());
    }

    // ---- the one caller ----

    private <T> HttpResponse<T> call(String method, String path, String repository, @Nullable String accept,
            @Nullable String range, HttpResponse.BodyHandler<T> handler) {
        if (!endpoint.breaker().allow()) {
            throw new UpstreamException(UpstreamException.Kind.UNREACHABLE,
                    name() + " is failing; not asking it again for a while (circuit breaker open)");
        }
        String scope = "repository:" + repository + ":pull";
        boolean refreshed = false;
        int connectRetries = 0;
        int throttled = 0;
        while (true) {
            try {
                HttpResponse<T> r = send(method, endpoint.base().resolve(path), scope, accept, range, handler);
                recordRateLimit(r);
                if (r.statusCode() == 401 && !refreshed) {
                    refreshed = true;
                    close(r.body());
                    authenticate(r, scope);
                    continue;
                }
                if (r.statusCode() == 401 || r.statusCode() == 403) {
                    close(r.body());
                    endpoint.breaker().success();
                    throw new UpstreamException(UpstreamException.Kind.UNAUTHORIZED, name() + " refused " + credentials
                            + " for " + method + " " + path + " (HTTP " + r.statusCode() + ")");
                }
                if (r.statusCode() == 429) {
                    close(r.body());
                    stats().tooManyRequests.increment();
                    long wait = retryAfterMillis(r);
                    if (throttled++ == 0 && wait <= MAX_RETRY_AFTER_MS) {
                        Thread.sleep(Math.max(wait, 100));
                        continue;
                    }
                    endpoint.breaker().failure();
                    throw new UpstreamException(UpstreamException.Kind.TOO_MANY_REQUESTS,
                            name() + " answered 429 Too Many Requests for " + method + " " + path);
                }
                if (r.statusCode() >= 500) {
                    close(r.body());
                    endpoint.breaker().failure();
                    stats().errors.increment();
                    throw new UpstreamException(UpstreamException.Kind.SERVER_ERROR,
                            name() + " answered " + r.statusCode() + " for " + method + " " + path);
                }
                endpoint.breaker().success();
                return r;
            } catch (ConnectException e) {
                if (connectRetries++ < MAX_CONNECT_RETRIES) {
                    sleep(200L << (2 * (connectRetries - 1)));
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

    /** Sends one request, following redirects; credentials go only to the upstream's own host. */
    private <T> HttpResponse<T> send(String method, URI uri, String scope, @Nullable String accept, @Nullable String range,
            HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        URI target = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(endpoint.timeout())
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", "hoard/0.1 (pull-through cache)");
            if (accept != null) {
                b.header("Accept", accept);
            }
            if (range != null) {
                b.header("Range", range);
            }
            boolean sameHost = target.getHost().equalsIgnoreCase(endpoint.base().getHost())
                    && target.getPort() == endpoint.base().getPort();
            if (sameHost) {
                String auth = authorization(scope);
                if (auth != null) {
                    b.header("Authorization", auth);
                }
            }
            stats().requests.increment();
            HttpResponse<T> r = endpoint.http().send(b.build(), handler);
            int status = r.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return r;
            }
            close(r.body());
            Optional<String> location = r.headers().firstValue("Location");
            if (location.isEmpty() || hop >= MAX_REDIRECTS) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " redirected "
                        + (location.isEmpty() ? "without a Location" : "more than " + MAX_REDIRECTS + " times"));
            }
            target = target.resolve(location.get());
        }
    }

    private @Nullable String authorization(String scope) {
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
            token = endpoint.tokens().fetch(endpoint.http(), c, scope, credentials, endpoint.timeout());
        }
        return "Bearer " + token;
    }

    private void authenticate(HttpResponse<?> r, String scope) {
        Challenge c = r.headers().allValues("WWW-Authenticate").stream().map(Challenge::parse).flatMap(Optional::stream)
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
            endpoint.tokens().fetch(endpoint.http(), c, scope, credentials, endpoint.timeout());
        }
    }

    private void recordRateLimit(HttpResponse<?> r) {
        r.headers().firstValue("ratelimit-limit").flatMap(RegistryClient::leadingNumber)
                .ifPresent(stats().rateLimitLimit::set);
        r.headers().firstValue("ratelimit-remaining").flatMap(RegistryClient::leadingNumber)
                .ifPresent(stats().rateLimitRemaining::set);
    }

    private UpstreamException outage(String method, String path, IOException e) {
        endpoint.breaker().failure();
        stats().errors.increment();
        String what = e instanceof HttpConnectTimeoutException ? "connection timed out"
                : e instanceof HttpTimeoutException ? "no answer within " + endpoint.timeout().toSeconds() + "s"
                : e instanceof ConnectException ? "connection refused" : e.toString();
        return new UpstreamException(UpstreamException.Kind.UNREACHABLE, name() + " unreachable for " + method + " "
                + path + ": " + what, e);
    }

    private UpstreamException failure(String action, IOException e) {
        stats().errors.increment();
        return new UpstreamException(UpstreamException.Kind.UNREACHABLE, name() + ": failed " + action + ": " + e, e);
    }

    private void expect(HttpResponse<?> r, int status, String action) {
        if (r.statusCode() != status) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL,
                    name() + " answered " + r.statusCode() + " to " + action);
        }
    }

    private Digest parseDigest(String text) {
        try {
            return Digest.parse(text.trim());
        } catch (RegistryException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent an invalid digest: " + e.detail());
        }
    }

    private static String mediaType(String contentType) {
        return contentType.split(";", 2)[0].trim();
    }

    private static OptionalLong contentLength(HttpResponse<?> r) {
        return r.headers().firstValueAsLong("Content-Length");
    }

    private static long totalOfContentRange(String header) {
        int slash = header.lastIndexOf('/');
        try {
            return slash < 0 ? -1 : Long.parseLong(header.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long retryAfterMillis(HttpResponse<?> r) {
        return r.headers().firstValue("Retry-After").flatMap(RegistryClient::leadingNumber).map(s -> s * 1000)
                .orElse(1000L);
    }

    private static Optional<Long> leadingNumber(String s) {
        Matcher m = LEADING_NUMBER.matcher(s);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(Object body) {
        if (body instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException e) {
                // nothing left to do with it
            }
        }
    }
}
