package io.hoard.upstream;

/**
 * An upstream could not give an answer. The {@link Kind} tells the proxy whether serving stale
 * content is right (the upstream is unreachable or overloaded) or the client must be told.
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

    /** True when the upstream is down or overloaded, so cached content should be served instead. */
    public boolean isOutage() {
        return kind == Kind.UNREACHABLE || kind == Kind.TOO_MANY_REQUESTS || kind == Kind.SERVER_ERROR;
    }
}
