package io.hoard.server.http;

import java.io.IOException;

/** The client disconnected, or stopped sending its request body, before the request was complete. */
public final class ClientGoneException extends IOException {
    public ClientGoneException(String message) {
        super(message);
    }
}
