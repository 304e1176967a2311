package io.hoard.server.http;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Maps a request path to a {@link Route}. Repository names contain slashes, so routes are matched
 * from the end of the path: {@code /v2/a/b/manifests/latest} is repository {@code a/b}.
 *
 * <p>The path is split on its raw slashes first and each segment is percent-decoded on its own, so an
 * encoded slash ({@code fuzz%2Fvictim}) can never turn into another repository's name: a decoded
 * segment that holds a slash, or an escape that is not valid UTF-8, is refused with the error code of
 * the part it is in.
 */
public final class Router {
    private static final String PEER_FILLS = io.hoard.cluster.PeerClient.ROUTE;
    /** The admin API's prefix. */
    public static final String ADMIN = "/hoard/api/v1/";
    private Router() {
    }

    /**
     * The route for a raw (not yet decoded) path without query, if it is part of the V2 API.
     *
     * @throws RegistryException {@code NAME_INVALID}, {@code TAG_INVALID}, {@code DIGEST_INVALID} or
     *         {@code BLOB_UPLOAD_UNKNOWN} for a malformed escape or an encoded slash in that part
     */
    public static Optional<Route> match(String rawPath) {
        if (rawPath.equals("/v2") || rawPath.equals("/v2/")) {
            return Optional.of(new Route.Base());
        }
        if (rawPath.equals("/auth/token")) {
            return Optional.of(new Route.Token());
        }
        if (rawPath.equals("/healthz")) {
            return Optional.of(new Route.Healthz());
        }
        if (rawPath.startsWith(ADMIN)) {
            return Optional.of(new Route.Admin(rawPath.substring(ADMIN.length())));
        }
        if (rawPath.startsWith(PEER_FILLS) && rawPath.indexOf('/', PEER_FILLS.length()) < 0) {
            return Optional.of(new Route.PeerFill(segment(rawPath.substring(PEER_FILLS.length()), ErrorCode.DIGEST_INVALID,
                    "the digest")));
        }
        if (!rawPath.startsWith("/v2/")) {
            return Optional.empty();
        }
        if (rawPath.equals("/v2/_catalog")) {
            return Optional.of(new Route.Catalog());
        }
        String[] s = rawPath.substring(4).split("/", -1);
        int n = s.length;
        if (n >= 3 && s[n - 2].equals("blobs") && s[n - 1].equals("uploads")) {
            return Optional.of(new Route.UploadStart(name(s, n - 2)));
        }
        if (n >= 4 && s[n - 3].equals("blobs") && s[n - 2].equals("uploads")) {
            return s[n - 1].isEmpty()
                    ? Optional.of(new Route.UploadStart(name(s, n - 3)))
                    : Optional.of(new Route.Upload(name(s, n - 3), segment(s[n - 1], ErrorCode.BLOB_UPLOAD_UNKNOWN,
                            "the upload id")));
        }
        if (n < 3) {
            return Optional.empty();
        }
        String last = s[n - 1];
        return switch (s[n - 2]) {
            case "manifests" -> Optional.of(new Route.Manifest(name(s, n - 2), segment(last, ErrorCode.TAG_INVALID,
                    "the manifest reference")));
            case "blobs" -> Optional.of(new Route.Blob(name(s, n - 2), segment(last, ErrorCode.DIGEST_INVALID, "the digest")));
            case "referrers" -> Optional.of(new Route.Referrers(name(s, n - 2), segment(last, ErrorCode.DIGEST_INVALID,
                    "the digest")));
            case "tags" -> last.equals("list") ? Optional.of(new Route.TagsList(name(s, n - 2))) : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static String name(String[] segments, int end) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < end; i++) {
            name.append(i == 0 ? "" : "/").append(segment(segments[i], ErrorCode.NAME_INVALID, "the repository name"));
        }
        return name.toString();
    }

    /** One path segment, percent-decoded; never contains a slash. */
    public static String segment(String raw, ErrorCode code, String what) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes.write(c);
                continue;
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (lo < 0) {
                throw new RegistryException(code, what + " has an invalid percent-escape");
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new RegistryException(code, what + " has percent-escapes that are not UTF-8");
        }
        if (decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0) {
            throw new RegistryException(code, what + " contains an encoded slash, which is never part of a name or reference");
        }
        return decoded;
    }
}
