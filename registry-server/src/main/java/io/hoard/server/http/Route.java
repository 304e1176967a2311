package io.hoard.server.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;

/** The V2 API surface, one record per resource. Names and references are raw until a handler parses them. */
public sealed interface Route {
    /** The methods the resource answers; others get 405. */
    Set<HttpMethod> methods();

    /** The route's kind for metrics and logs: {@code manifest}, {@code blob}, {@code upload}, ... (bounded, no names). */
    default String kind() {
        return io.hoard.model.Labels.snakeCase(getClass());
    }

    record Base() implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.HEAD);
        }
    }

    record Catalog() implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.HEAD);
        }
    }

    record TagsList(String name) implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.HEAD);
        }
    }

    record Manifest(String name, String reference) implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE);
        }
    }

    record Blob(String name, String digest) implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE);
        }
    }

    record UploadStart(String name) implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.POST);
        }
    }

    record Upload(String name, String id) implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE);
        }
    }

    record Referrers(String name, String digest) implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.HEAD);
        }
    }

    /**
     * A fill in progress on this instance, streamed to another instance of the cluster
     * ({@code /_hoard/peer/blobs/<digest>}); answers only requests signed with {@code http.secret}.
     */
    record PeerFill(String digest) implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET);
        }
    }

    /** The admin API: {@code /hoard/api/v1/<path>}, {@code path} still percent-encoded. */
    record Admin(String path) implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE);
        }
    }

    /** {@code /healthz}: the health checks, for orchestrators; answered without credentials. */
    record Healthz() implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET, HttpMethod.HEAD);
        }
    }

    /** Hoard's token endpoint, served when {@code auth.htpasswd.anonymouspull} is on. */
    record Token() implements Route {
        public Set<HttpMethod> methods() {
            return Set.of(HttpMethod.GET);
        }
    }
}
