package io.hoard.upstream;

/**
 * An upstream could not give an answer. The {@link Kind} decides what a client that asked for
 * uncached content is told (503, 429, 401/403); cached content is served whatever the kind.
 */
public final class UpstreamException extends RuntimeException {
    /** Why the upstream gave no answer. */
    public enum Kind {
        /** Connection refused, reset, timed out, or the circuit breaker is open. */
        UNREACHABLE,
        /** 429 Too Many Requests. */
        TOO_MANY_REQUESTS,
        /** A 5xx answer. */
        SERVER_ERROR,
        /** The upstream wants credentials we do not have, or refused the ones we have. */
        UNAUTHORIZED,
        /** The host (named by a client) resolves only to addresses Hoard may not connect to for clients. */
        REFUSED_ADDRESS,
        /** Any other unexpected answer (a 4xx other than 404, a malformed response, wrong content). */
        PROTOCOL
    }

    private final Kind kind;

    public UpstreamException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public UpstreamException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
