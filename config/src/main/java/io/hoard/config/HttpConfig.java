package io.hoard.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code http}.
 *
 * @param addr listen address, {@code host:port} or {@code :port}
 * @param headers added to every response
 * @param drainTimeout how long a graceful shutdown waits for requests in flight
 * @param headTimeout (Hoard) how long a client may take to send a request's head once it started it
 * @param maxConnections (Hoard) open client connections above which new ones are refused
 */
public record HttpConfig(
        String addr,
        String net,
        String host,
        String prefix,
        String secret,
        boolean relativeUrls,
        Duration drainTimeout,
        Map<String, List<String>> headers,
        Optional<TlsConfig> tls,
        Optional<DebugConfig> debug,
        Duration headTimeout,
        int maxConnections) {

    /** The host part of {@link #addr} (empty for all interfaces). */
    public String bindHost() {
        int colon = addr.lastIndexOf(':');
        String host = colon < 0 ? addr : addr.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port part of {@link #addr}. */
    public int port() {
        int colon = addr.lastIndexOf(':');
        return Integer.parseInt(addr.substring(colon + 1));
    }

    /**
     * {@code http.tls}: PEM certificate (chain) and key, or (Hoard) {@code selfsigned: true} for a
     * certificate Hoard makes and keeps in {@code selfsigneddir}; client CAs for mutual TLS.
     *
     * @param hosts (Hoard) the names and addresses a self-signed certificate covers, beside localhost,
     *     the loopback addresses, this machine's host name and the host of {@code http.host}
     * @param selfSignedDir (Hoard) where the generated CA and certificate live; empty: {@code _tls}
     *     under the filesystem driver's root directory
     */
    public record TlsConfig(String certificate, String key, List<String> clientCas, String minimumTls,
            boolean selfSigned, List<String> hosts, String selfSignedDir) {
        public TlsConfig {
            clientCas = List.copyOf(clientCas);
            hosts = List.copyOf(hosts);
        }
    }

    /** {@code http.debug}: a second listener for metrics and debugging. */
    public record DebugConfig(String addr, boolean prometheusEnabled, String prometheusPath) {
        /** The host part of {@link #addr} (empty for all interfaces). */
        public String bindHost() {
            int colon = addr.lastIndexOf(':');
            String host = colon < 0 ? addr : addr.substring(0, colon);
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }

        /** The port part of {@link #addr}. */
        public int port() {
            return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
        }
    }
}
