package io.hoard.server.http;

/**
 * Told about every answered request (metrics). Called on whatever thread finished the response:
 * must be quick and must not block.
 */
public interface RequestObserver {
    /**
     * @param route the route's kind ({@code manifest}, {@code blob}, ...; {@code none} when nothing matched)
     * @param method the HTTP method
     * @param status the status sent (499 when the connection was cut)
     * @param bytes the body bytes announced or sent
     * @param nanos from the request head to the end of the response
     */
    void finished(String route, String method, int status, long bytes, long nanos);

    RequestObserver NONE = (route, method, status, bytes, nanos) -> {
    };
}
