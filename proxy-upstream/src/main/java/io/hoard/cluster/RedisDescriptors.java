package io.hoard.cluster;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.LinkKind;
import io.hoard.storage.Origin;
import io.hoard.storage.SharedDescriptors;
import io.lettuce.core.SetArgs;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code storage.cache.blobdescriptor: redis}: blob sizes ({@code hoard:size:<digest>}), repository
 * links ({@code hoard:link:<kind>:<repository>:<digest>}), repository origins ({@code hoard:origin:<repository>})
 * and manifest bytes up to
 * {@link #MAX_MANIFEST} ({@code hoard:manifest:<digest>}), each kept for {@link #KEEP} after it was
 * last learned from storage. Removals are deleted and announced on {@code hoard:invalidate}, so every
 * instance drops them from memory at once. Redis being down only means asking storage.
 */
public final class RedisDescriptors implements SharedDescriptors, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisDescriptors.class);
    static final Duration KEEP = Duration.ofDays(7);
    static final int MAX_MANIFEST = 1024 * 1024;
    static final String CHANNEL = RedisCoordinator.PREFIX + "invalidate";

    private final RedisCoordinator redis;
    /** Whether entries are shared ({@code blobdescriptor: redis}); removals are announced either way. */
    private final boolean shareEntries;
    private final List<Consumer<Invalidation>> listeners = new CopyOnWriteArrayList<>();
    private volatile @Nullable StatefulRedisPubSubConnection<String, String> subscription;
    private volatile boolean closed;

    /**
     * @param shareEntries keep sizes, links, origins and manifests in Redis
     *        ({@code storage.cache.blobdescriptor: redis}); without, only removals go through Redis
     */
    public RedisDescriptors(RedisCoordinator redis, boolean shareEntries) {
        this.redis = redis;
        this.shareEntries = shareEntries;
        subscribe();
    }

    @Override
    public boolean announcesRemovals() {
        return true;
    }

    private static String sizeKey(Digest digest) {
        return RedisCoordinator.PREFIX + "size:" + digest;
    }

    private static String linkKey(LinkKind kind, RepositoryName repository, Digest digest) {
        return RedisCoordinator.PREFIX + "link:" + kind.name().toLowerCase() + ":" + repository + ":" + digest;
    }

    private static String manifestKey(Digest digest) {
        return RedisCoordinator.PREFIX + "manifest:" + digest;
    }

    @Override
    public Optional<Long> size(Digest digest) {
        if (!shareEntries) {
            return Optional.empty();
        }
        return redis.attempt(c -> c.get(sizeKey(digest))).flatMap(v -> {
            try {
                return Optional.of(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void size(Digest digest, long size) {
        if (!shareEntries) {
            return;
        }
        redis.attempt(c -> c.set(sizeKey(digest), Long.toString(size), SetArgs.Builder.ex(KEEP)));
    }

    @Override
    public boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
        if (!shareEntries) {
            return false;
        }
        return redis.attempt(c -> c.exists(linkKey(kind, repository, digest))).map(n -> n > 0).orElse(false);
    }

    @Override
    public void linked(LinkKind kind, RepositoryName repository, Digest digest) {
        if (!shareEntries) {
            return;
        }
        redis.attempt(c -> c.set(linkKey(kind, repository, digest), "1", SetArgs.Builder.ex(KEEP)));
    }

    @Override
    public void unlinked(LinkKind kind, RepositoryName repository, Digest digest) {
        redis.attempt(c -> {
            c.del(linkKey(kind, repository, digest));
            return c.publish(CHANNEL, "unlinked " + kind.name() + " " + repository + " " + digest);
        });
    }

    @Override
    public void contentGone(Digest digest) {
        redis.attempt(c -> {
            c.del(sizeKey(digest), manifestKey(digest));
            return c.publish(CHANNEL, "gone " + digest);
        });
    }

    @Override
    public Optional<byte[]> manifest(Digest digest) {
        if (!shareEntries) {
            return Optional.empty();
        }
        return redis.attempt(c -> c.get(manifestKey(digest))).map(v -> v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void manifest(Digest digest, byte[] content) {
        if (!shareEntries) {
            return;
        }
        if (content.length <= MAX_MANIFEST) {
            // Manifests are JSON, so UTF-8 text; any other bytes come back different and fail the digest check.
            String text = new String(content, java.nio.charset.StandardCharsets.UTF_8);
            redis.attempt(c -> c.set(manifestKey(digest), text, SetArgs.Builder.ex(KEEP)));
        }
    }

    private static String originKey(RepositoryName repository) {
        return RedisCoordinator.PREFIX + "origin:" + repository;
    }

    @Override
    public Optional<Origin> origin(RepositoryName repository) {
        if (!shareEntries) {
            return Optional.empty();
        }
        return redis.attempt(c -> c.get(originKey(repository))).flatMap(v -> {
            try {
                Origin o = Origin.valueOf(v);
                return o == Origin.UNKNOWN ? Optional.empty() : Optional.of(o);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void origin(RepositoryName repository, Origin origin) {
        if (!shareEntries) {
            return;
        }
        if (origin != Origin.UNKNOWN) {
            redis.attempt(c -> c.set(originKey(repository), origin.name(), SetArgs.Builder.ex(KEEP)));
        }
    }

    @Override
    public void onInvalidation(Consumer<Invalidation> listener) {
        listeners.add(listener);
    }

    /** Listens on the invalidation channel; Lettuce resubscribes after a reconnect. */
    private void subscribe() {
        try {
            StatefulRedisPubSubConnection<String, String> c = redis.client().connectPubSub();
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    Invalidation gone = parse(message);
                    if (gone != null) {
                        listeners.forEach(l -> l.accept(gone));
                    }
                }
            });
            c.sync().subscribe(CHANNEL);
            subscription = c;
        } catch (RuntimeException e) {
            LOG.warn("cannot subscribe to {} at {} ({}); trying again every {}s", CHANNEL, redis.address(),
                    e.getMessage(), RedisCoordinator.RETRY_AFTER.toSeconds());
            Thread.ofVirtual().name("hoard-redis-subscribe").start(() -> {
                try {
                    Thread.sleep(RedisCoordinator.RETRY_AFTER);
                    if (!closed) {
                        subscribe();
                    }
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    static @Nullable Invalidation parse(String message) {
        String[] p = message.split(" ");
        try {
            if (p.length == 4 && p[0].equals("unlinked")) {
                return new Invalidation.Unlinked(LinkKind.valueOf(p[1]), RepositoryName.of(p[2]), Digest.parse(p[3]));
            }
            if (p.length == 2 && p[0].equals("gone")) {
                return new Invalidation.ContentGone(Digest.parse(p[1]));
            }
        } catch (RuntimeException e) {
            LOG.debug("ignoring invalidation '{}': {}", message, e.getMessage());
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisPubSubConnection<String, String> c = subscription;
        if (c != null) {
            c.close();
        }
    }
}
