package io.hoard.server.http;

/** Runs the handler for a matched route, on a virtual thread; it may block. */
@FunctionalInterface
public interface RequestDispatcher {
    /**
     * Handles the request and answers it through {@code exchange}. A thrown
     * {@link io.hoard.model.RegistryException} is answered as a V2 error; a
     * {@link ClientGoneException} closes the connection.
     */
    void dispatch(Route route, Exchange exchange) throws Exception;

    /**
     * Answers the request on the calling thread — the connection's event loop — when memory alone
     * can (a cached manifest); must not block, and must either answer and return true, or leave
     * the exchange untouched and return false ({@link #dispatch} then runs on a virtual thread).
     */
    default boolean answerFromMemory(Route route, Exchange exchange) throws java.io.IOException {
        return false;
    }
}
