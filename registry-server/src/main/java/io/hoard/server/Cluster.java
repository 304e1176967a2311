package io.hoard.server;

import io.hoard.cluster.PeerClient;
import io.hoard.cluster.PeerSignature;
import io.hoard.cluster.RedisCoordinator;
import io.hoard.cluster.RedisDescriptors;
import io.hoard.cluster.RedisFillLeases;
import io.hoard.config.RegistryConfig;
import io.hoard.proxy.FillLeases;
import io.hoard.proxy.PeerSource;
import io.hoard.storage.SharedDescriptors;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.time.Clock;
import java.util.Collections;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * This instance's part in a cluster ({@code redis} configured): the Redis connection, fill leases
 * under a per-start instance id, and the signed peer route's two ends.
 */
final class Cluster implements AutoCloseable {
    private final RedisCoordinator redis;
    private final RedisFillLeases leases;
    private final PeerSignature signature;
    private final PeerClient peers;
    private final RedisDescriptors descriptors;

    private Cluster(RedisCoordinator redis, RedisFillLeases leases, PeerSignature signature, boolean shareDescriptors) {
        this.redis = redis;
        this.leases = leases;
        this.descriptors = new RedisDescriptors(redis, shareDescriptors);
        this.signature = signature;
        this.peers = new PeerClient(signature);
    }

    /** The cluster part of {@code config}, or null without a {@code redis} section. */
    static @Nullable Cluster of(RegistryConfig config, Clock clock, Supplier<URI> peerUrl) {
        if (config.redis().isEmpty()) {
            return null;
        }
        RedisCoordinator redis = new RedisCoordinator(config.redis().get());
        String instance = UUID.randomUUID().toString();
        return new Cluster(redis, new RedisFillLeases(redis, instance, peerUrl),
                new PeerSignature(config.http().secret(), clock),
                config.storage().blobDescriptorCache().equals("redis"));
    }

    FillLeases leases() {
        return leases;
    }

    Function<URI, PeerSource> peerSources() {
        return peer -> (digest, offset) -> peers.open(peer, digest, offset);
    }

    /**
     * Removals announced to every instance, and with {@code storage.cache.blobdescriptor: redis} blob
     * descriptors and manifests shared through Redis.
     */
    SharedDescriptors descriptors() {
        return descriptors;
    }

    /** Runs cluster-wide background work on one instance at a time. */
    io.hoard.cluster.RedisTurns turns() {
        return new io.hoard.cluster.RedisTurns(redis);
    }

    /** Last pulls shared through Redis, for eviction. */
    io.hoard.storage.PullLog pullLog() {
        return new io.hoard.cluster.RedisPullLog(redis);
    }

    PeerSignature signature() {
        return signature;
    }

    /**
     * Where the other instances reach this one: {@code cluster.advertise}, else the address
     * {@code http.addr} binds (or, for a wildcard, this host's first non-loopback IPv4 address) and
     * the port the server listens on.
     */
    static URI peerUrl(Optional<URI> advertise, boolean tls, String bindHost, InetSocketAddress listening) {
        if (advertise.isPresent()) {
            return advertise.get();
        }
        String host = bindHost;
        if (host.isEmpty() || listening.getAddress().isAnyLocalAddress()) {
            host = firstNonLoopback().orElse("127.0.0.1");
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + listening.getPort());
    }

    private static Optional<String> firstNonLoopback() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return Optional.of(a.getHostAddress());
                    }
                }
            }
        } catch (SocketException e) {
            // no interfaces to ask: loopback it is
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        descriptors.close();
        leases.close();
        redis.close();
    }
}
