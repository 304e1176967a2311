package io.hoard.server.registration;

import java.net.URI;

/**
 * What is registered: a stable id ({@code hoard-<host>-<port>}), the URL clients reach this
 * instance at, Hoard's version and whether it speaks TLS.
 */
record ServiceRecord(String id, URI url, String version, boolean tls) {

    String host() {
        return url.getHost();
    }

    int port() {
        return url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    }
}
