package io.hoard.server.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the HTTP layer needs from the configuration.
 *
 * @param extraHeaders {@code http.headers}, added to every response
 * @param host {@code http.host}: the external base URL for Location headers, or empty to use the request's Host
 * @param relativeUrls {@code http.relativeurls}: Location headers without scheme and host
 * @param bodyIdleTimeout how long a request body may stall before the request is abandoned
 * @param accessLog whether to log one line per request
 * @param headTimeout how long a client may take to finish a request head it started
 * @param maxConnections open connections above which new ones are refused
 */
public record ServerSettings(Map<String, List<String>> extraHeaders, String host, boolean relativeUrls,
        Duration bodyIdleTimeout, boolean accessLog, Duration headTimeout, int maxConnections) {
}
