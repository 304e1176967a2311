package io.hoard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.MediaTypes;
import io.hoard.model.RegistryException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.Map;
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
    private static final String USER_AGENT = "hoard/0.1 (pull-through cache)";
    private static final int MAX_REDIRECTS = 5;
    /** The most bytes of one tag-list page or referrers index that are buffered (distribution's manifest cap). */
    static final int MAX_LIST_BYTES = 4 * 1024 * 1024;
    private static final int MAX_TAG_PAGES = 100;
    private static final int MAX_TAGS = 100_000;
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
        try (Transport.Response r = call("HEAD", "/v2/" + repository + "/manifests/" + reference, repository,
                MANIFEST_ACCEPT, null)) {
            if (r.status() == 404) {
                return Optional.empty();
            }
            expect(r, 200, "HEAD manifest " + repository + ":" + reference);
            String digest = r.header("Docker-Content-Digest").orElseThrow(() -> new UpstreamException(
                    UpstreamException.Kind.PROTOCOL, name() + " sent no Docker-Content-Digest for " + repository + ":"
                            + reference));
            return Optional.of(new Descriptor(parseDigest(digest), Math.max(0, r.contentLength()),
                    mediaType(r.header("Content-Type").orElse(""))));
        }
    }

    @Override
    public Optional<UpstreamManifest> getManifest(String repository, String reference, int maxBytes) {
        try (Transport.Response r = call("GET", "/v2/" + repository + "/manifests/" + reference, repository,
                MANIFEST_ACCEPT, null)) {
            if (r.status() == 404) {
                return Optional.empty();
            }
            expect(r, 200, "GET manifest " + repository + ":" + reference);
            byte[] content = read(r, maxBytes, "manifest " + repository + ":" + reference);
            stats().bytes.add(content.length);
            String declared = r.header("Docker-Content-Digest").orElse(null);
            Digest digest = Digest.of(declared == null ? io.hoard.model.DigestAlgorithm.SHA256 : parseDigest(declared).algorithm(),
                    content);
            if (declared != null && !digest.toString().equals(declared.trim())) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent manifest " + repository + ":"
                        + reference + " whose digest is " + digest + ", not the one it announced");
            }
            return Optional.of(new UpstreamManifest(content, mediaType(r.header("Content-Type").orElse("")), digest));
        }
    }

    @Override
    public Optional<Descriptor> headBlob(String repository, Digest digest) {
        try (Transport.Response r = call("HEAD", "/v2/" + repository + "/blobs/" + digest, repository, null, null)) {
            if (r.status() == 404) {
                return Optional.empty();
            }
            expect(r, 200, "HEAD blob " + repository + "@" + digest);
            long size = r.contentLength();
            if (size < 0) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent no Content-Length for blob "
                        + digest);
            }
            return Optional.of(new Descriptor(digest, size, Descriptor.OCTET_STREAM));
        }
    }

    @Override
    public Optional<BlobStream> openBlob(String repository, Digest digest, long offset) {
        Optional<BlobStream> fast = openBlobDirectly(repository, digest, offset);
        if (fast.isPresent()) {
            return fast;
        }
        Transport.Response r = call("GET", "/v2/" + repository + "/blobs/" + digest, repository, null,
                offset > 0 ? "bytes=" + offset + "-" : null);
        if (r.status() == 404) {
            r.close();
            return Optional.empty();
        }
        if (offset > 0 && r.status() == 206) {
            long total = r.header("Content-Range").map(RegistryClient::totalOfContentRange).orElse(-1L);
            if (total < 0) {
                r.close();
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent a 206 without Content-Range");
            }
            return Optional.of(new BlobStream(total, offset, r.body()));
        }
        expect(r, 200, "GET blob " + repository + "@" + digest);
        long size = r.contentLength();
        if (offset > 0) {
            // The upstream ignored the Range header: skip what we have.
            try {
                r.body().skipNBytes(offset);
            } catch (IOException e) {
                r.close();
                throw failure("skipping to offset " + offset + " of blob " + digest, e);
            }
        }
        return Optional.of(new BlobStream(size, offset, r.body()));
    }

    /**
     * The common case — a 200/206 with a Content-Length from the upstream's own host, with the token
     * already known — on a plain socket ({@link SocketTransport}); empty when anything else happens,
     * so that the full client handles redirects, challenges and errors.
     */
    private Optional<BlobStream> openBlobDirectly(String repository, Digest digest, long offset) {
        SocketTransport sockets = endpoint.fastPath();
        URI uri = endpoint.base().resolve("/v2/" + repository + "/blobs/" + digest);
        if (sockets == null || !endpoint.breaker().allow() || !direct(uri)) {
            return Optional.empty(); // the full client reports the open breaker, or goes through the proxy
        }
        Transport.Response a = null;
        try {
            String scope = "repository:" + repository + ":pull";
            Challenge c = endpoint.challenge();
            if (c != null && c.isBearer() && endpoint.tokens().cached(c, scope, credentials) == null) {
                return Optional.empty(); // let the full client fetch (and cache) the token
            }
            stats().requests.increment();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("User-Agent", USER_AGENT);
            headers.put("Accept", "*/*");
            String auth = authorization(scope);
            if (auth != null) {
                headers.put("Authorization", auth);
            }
            if (offset > 0) {
                headers.put("Range", "bytes=" + offset + "-");
            }
            a = sockets.send(new Transport.Request("GET", uri, headers, null, endpoint.timeout()));
            long length = a.contentLength();
            boolean simple = length >= 0 && a.headers("Transfer-Encoding").isEmpty();
            if (simple && offset > 0 && a.status() == 206) {
                long total = a.header("Content-Range").map(RegistryClient::totalOfContentRange).orElse(-1L);
                if (total >= 0) {
                    endpoint.breaker().success();
                    return Optional.of(new BlobStream(total, offset, a.body()));
                }
            } else if (simple && offset == 0 && a.status() == 200) {
                endpoint.breaker().success();
                return Optional.of(new BlobStream(length, 0, a.body()));
            }
            a.close(); // anything else (a redirect, a challenge, an ignored Range): the full client
            return Optional.empty();
        } catch (SocketTransport.ConnectFailed e) {
            return Optional.empty(); // the full client retries refused connections with backoff
        } catch (java.net.SocketTimeoutException e) {
            // The upstream accepted and then said nothing: asking again would only wait as long once more.
            throw outage("GET", "/v2/" + repository + "/blobs/" + digest, e);
        } catch (IOException | RuntimeException e) {
            if (a != null) {
                a.close();
            }
            return Optional.empty(); // the full client retries, and reports what is wrong
        }
    }

    /** True when no HTTP proxy is configured for {@code uri} (the socket path connects directly). */
    private static boolean direct(URI uri) {
        java.net.ProxySelector selector = java.net.ProxySelector.getDefault();
        return selector == null || selector.select(uri).stream().allMatch(p -> p.type() == java.net.Proxy.Type.DIRECT);
    }

    @Override
    public Optional<List<String>> tags(String repository) {
        List<String> tags = new ArrayList<>();
        String path = "/v2/" + repository + "/tags/list";
        for (int page = 0; page < MAX_TAG_PAGES && path != null; page++) {
            String next;
            try (Transport.Response r = call("GET", path, repository, "application/json", null)) {
                if (r.status() == 404) {
                    return page == 0 ? Optional.empty() : Optional.of(tags);
                }
                expect(r, 200, "GET tags of " + repository);
                byte[] body = read(r, MAX_LIST_BYTES, "the tag list of " + repository);
                try {
                    JSON.readTree(body).path("tags").forEach(t -> tags.add(t.asText()));
                } catch (IOException e) {
                    throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent an invalid tag list", e);
                }
                if (tags.size() > MAX_TAGS) {
                    throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " lists more than " + MAX_TAGS
                            + " tags for " + repository);
                }
                next = r.header("Link").map(LINK_NEXT::matcher).filter(Matcher::find).map(m -> m.group(1)).orElse(null);
            }
            path = next;
        }
        return Optional.of(tags);
    }

    @Override
    public Optional<byte[]> referrers(String repository, Digest subject, @Nullable String artifactType) {
        String path = "/v2/" + repository + "/referrers/" + subject
                + (artifactType == null ? "" : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8));
        try (Transport.Response r = call("GET", path, repository, MediaTypes.OCI_INDEX, null)) {
            if (r.status() != 200) {
                return Optional.empty(); // 404: no referrers API upstream
            }
            return Optional.of(read(r, MAX_LIST_BYTES, "the referrers of " + subject));
        }
    }

    /**
     * True when the upstream serves {@code repository} to these credentials (its first page of tags
     * answers 200); false for a 404, 401 or 403 (Docker Hub answers 401 for names it does not have).
     *
     * @throws UpstreamException when the upstream cannot say (unreachable, 5xx, 429, anything odd)
     */
    public boolean serves(String repository) {
        try (Transport.Response r = call("GET", "/v2/" + repository + "/tags/list?n=1", repository, "application/json", null)) {
            return r.status() == 200;
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.UNAUTHORIZED) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<java.time.Instant> accessExpires(String repository) {
        Challenge c = endpoint.challenge();
        if (c == null || !c.isBearer()) {
            return Optional.empty();
        }
        return Optional.ofNullable(endpoint.tokens().expires(c, "repository:" + repository + ":pull", credentials));
    }

    // ---- the one caller ----

    private Transport.Response call(String method, String path, String repository, @Nullable String accept,
            @Nullable String range) {
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
                Transport.Response r = send(method, endpoint.base().resolve(path), scope, accept, range);
                recordRateLimit(r);
                if (r.status() == 401 && !refreshed) {
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
                if (r.status() >= 500) {
                    r.close();
                    endpoint.breaker().failure();
                    stats().errors.increment();
                    throw new UpstreamException(UpstreamException.Kind.SERVER_ERROR,
                            name() + " answered " + r.status() + " for " + method + " " + path);
                }
                endpoint.breaker().success();
                return r;
            } catch (AddressPolicy.RefusedAddressException e) {
                throw refusedAddress(e);
            } catch (ConnectException | SocketTransport.ConnectFailed e) {
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

    /**
     * Sends one request, following redirects (only to http and https URLs); credentials go only to
     * the upstream's own host.
     */
    private Transport.Response send(String method, URI uri, String scope, @Nullable String accept, @Nullable String range)
            throws IOException, InterruptedException {
        URI target = uri;
        for (int hop = 0; ; hop++) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("User-Agent", USER_AGENT);
            if (accept != null) {
                headers.put("Accept", accept);
            }
            if (range != null) {
                headers.put("Range", range);
            }
            boolean sameHost = target.getHost().equalsIgnoreCase(endpoint.base().getHost())
                    && target.getPort() == endpoint.base().getPort();
            if (sameHost) {
                String auth = authorization(scope);
                if (auth != null) {
                    headers.put("Authorization", auth);
                }
            }
            stats().requests.increment();
            Transport.Response r = endpoint.transport().send(new Transport.Request(method, target, headers, null,
                    endpoint.timeout()));
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

    /** The body, at most {@code max} bytes. */
    private byte[] read(Transport.Response r, int max, String what) {
        try {
            return r.readBody(max);
        } catch (Transport.BodyTooLargeException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, name() + " sent more than " + max + " bytes for "
                    + what);
        } catch (IOException e) {
            throw failure("reading " + what, e);
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
            token = endpoint.tokens().fetch(endpoint.transport(), c, scope, credentials, endpoint.timeout());
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
        }
    }

    private void recordRateLimit(Transport.Response r) {
        r.header("ratelimit-limit").flatMap(RegistryClient::leadingNumber)
                .ifPresent(stats().rateLimitLimit::set);
        r.header("ratelimit-remaining").flatMap(RegistryClient::leadingNumber)
                .ifPresent(stats().rateLimitRemaining::set);
    }

    private UpstreamException refusedAddress(AddressPolicy.RefusedAddressException e) {
        return new UpstreamException(UpstreamException.Kind.REFUSED_ADDRESS, name() + ": " + e.getMessage(), e);
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

    private void expect(Transport.Response r, int status, String action) {
        if (r.status() != status) {
            r.close();
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL,
                    name() + " answered " + r.status() + " to " + action);
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

    private static long totalOfContentRange(String header) {
        int slash = header.lastIndexOf('/');
        try {
            return slash < 0 ? -1 : Long.parseLong(header.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long retryAfterMillis(Transport.Response r) {
        return r.header("Retry-After").flatMap(RegistryClient::leadingNumber).map(s -> s * 1000)
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
}
