package io.hoard.cluster;

import io.hoard.config.RedisConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Redis connection of an instance (Lettuce multiplexes every caller over it), and the rule
 * for when Redis is down: nothing waits on it. A failed call marks Redis unavailable for
 * {@link #RETRY_AFTER}; meanwhile every call answers its fallback at once (each instance on its
 * own: per-instance single flight, store lookups), and the degradation is logged once, as is the
 * recovery. Nothing durable is in Redis, so nothing is lost.
 */
public final class RedisCoordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCoordinator.class);
    /** How long Redis is left alone after a failure. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    /** Every key Hoard writes starts with this. */
    public static final String PREFIX = "hoard:";

    private final RedisClient client;
    private final String where;
    private final ReentrantLock connecting = new ReentrantLock();
    private volatile @Nullable StatefulRedisConnection<String, String> connection;
    private volatile long downUntilNanos;
    private volatile boolean degraded;

    public RedisCoordinator(RedisConfig config) {
        this.where = config.addr();
        int colon = config.addr().lastIndexOf(':');
        String host = colon <= 0 ? "127.0.0.1" : config.addr().substring(0, colon).replaceAll("^\\[|\\]$", "");
        RedisURI.Builder uri = RedisURI.builder().withHost(host).withPort(Integer.parseInt(config.addr().substring(colon + 1)))
                .withDatabase(config.db()).withSsl(config.tls()).withTimeout(config.readTimeout().plus(config.writeTimeout()));
        if (!config.password().isEmpty()) {
            if (config.username().isPresent()) {
                uri.withAuthentication(config.username().get(), config.password().toCharArray());
            } else {
                uri.withPassword(config.password().toCharArray());
            }
        }
        this.client = RedisClient.create(uri.build());
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(config.dialTimeout()).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(config.readTimeout().plus(config.writeTimeout())))
                // While disconnected, fail at once instead of queueing: callers have a fallback.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true).build());
        call(c -> c.ping(), "");
    }

    /** Where Redis is, for messages. */
    public String address() {
        return where;
    }

    /** True while Redis answers (false during the back-off after a failure). */
    public boolean available() {
        return !degraded;
    }

    /**
     * Runs {@code command}, or answers {@code fallback} when Redis is down or fails (without waiting
     * during the back-off).
     */
    public <T> T call(Function<RedisCommands<String, String>, T> command, T fallback) {
        return attempt(command).orElse(fallback);
    }

    /** Runs {@code command}; empty when Redis is down, fails, or answers null. */
    public <T> Optional<T> attempt(Function<RedisCommands<String, String>, @Nullable T> command) {
        if (degraded && System.nanoTime() < downUntilNanos) {
            return Optional.empty();
        }
        try {
            T result = command.apply(connect().sync());
            if (degraded) {
                degraded = false;
                LOG.info("Redis at {} answers again: instances coordinate through it again", where);
            }
            return Optional.ofNullable(result);
        } catch (RuntimeException e) {
            downUntilNanos = System.nanoTime() + RETRY_AFTER.toNanos();
            if (!degraded) {
                degraded = true;
                LOG.warn("Redis at {} is unavailable ({}): each instance works on its own (its own single flight and"
                        + " store lookups) until it is back", where, e.getMessage() == null ? e.toString() : e.getMessage());
            }
            return Optional.empty();
        }
    }

    private StatefulRedisConnection<String, String> connect() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c;
        }
        connecting.lock();
        try {
            StatefulRedisConnection<String, String> current = connection;
            if (current == null) {
                current = client.connect(StringCodec.UTF8);
                connection = current;
            }
            return current;
        } finally {
            connecting.unlock();
        }
    }

    /** The client, for a pub/sub connection of its own. */
    RedisClient client() {
        return client;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
