package io.hoard.server.http;

import java.util.Arrays;
import java.util.Optional;

/**
 * Maps a request path to a {@link Route}. Repository names contain slashes, so routes are matched
 * from the end of the path: {@code /v2/a/b/manifests/latest} is repository {@code a/b}.
 */
public final class Router {
    private Router() {
    }

    /** The route for a decoded path (no query), if it is part of the V2 API. */
    public static Optional<Route> match(String path) {
        if (path.equals("/v2") || path.equals("/v2/")) {
            return Optional.of(new Route.Base());
        }
        if (path.equals("/auth/token")) {
            return Optional.of(new Route.Token());
        }
        if (!path.startsWith("/v2/")) {
            return Optional.empty();
        }
        if (path.equals("/v2/_catalog")) {
            return Optional.of(new Route.Catalog());
        }
        String[] s = path.substring(4).split("/", -1);
        int n = s.length;
        if (n >= 3 && s[n - 2].equals("blobs") && s[n - 1].equals("uploads")) {
            return Optional.of(new Route.UploadStart(name(s, n - 2)));
        }
        if (n >= 4 && s[n - 3].equals("blobs") && s[n - 2].equals("uploads")) {
            return s[n - 1].isEmpty()
                    ? Optional.of(new Route.UploadStart(name(s, n - 3)))
                    : Optional.of(new Route.Upload(name(s, n - 3), s[n - 1]));
        }
        if (n < 3) {
            return Optional.empty();
        }
        String last = s[n - 1];
        return switch (s[n - 2]) {
            case "manifests" -> Optional.of(new Route.Manifest(name(s, n - 2), last));
            case "blobs" -> Optional.of(new Route.Blob(name(s, n - 2), last));
            case "referrers" -> Optional.of(new Route.Referrers(name(s, n - 2), last));
            case "tags" -> last.equals("list") ? Optional.of(new Route.TagsList(name(s, n - 2))) : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static String name(String[] segments, int end) {
        return String.join("/", Arrays.copyOfRange(segments, 0, end));
    }
}
