package io.hoard.server.registration;

import java.io.IOException;
import java.time.Duration;

/** One registration backend. Calls may block (network); they run on the registration's own virtual threads. */
interface Registrar {
    /** The backend, for log lines: {@code etcd http://127.0.0.1:2379}. */
    String describe();

    /** Registers (again): idempotent. */
    void register() throws IOException, InterruptedException;

    /** Keeps the registration alive; throws when it is gone (the caller registers again). */
    void refresh() throws IOException, InterruptedException;

    /** Removes the registration (at shutdown). */
    void deregister() throws IOException, InterruptedException;

    /** How often {@link #refresh} is due. */
    Duration refreshEvery();
}
