package io.hoard.cluster;

import io.hoard.model.Digest;
import io.hoard.proxy.FillLeases;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fill leases in Redis: {@code SET hoard:fill:<digest> "<instance> <peer url>" NX PX ttl} claims
 * a digest for this instance; a renewal every third of the TTL keeps it while the fill runs, and
 * both renewal and release check the value first (a Lua script, so an expired lease taken over by
 * another instance is never extended or deleted by the old holder). An instance that dies leaves a
 * lease that expires within the TTL; until then, its peers' streams from it fail and they fetch
 * from the upstream themselves.
 */
public final class RedisFillLeases implements FillLeases {
    static final Duration TTL = Duration.ofSeconds(15);
    private static final String RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end";

    private final RedisCoordinator redis;
    private final String instance;
    private final java.util.function.Supplier<URI> peerUrl;
    private final Set<HeldLease> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hoard-lease-renewer");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param instance this instance's id (unique per start)
     * @param peerUrl where the other instances reach this one's peer route
     */
    public RedisFillLeases(RedisCoordinator redis, String instance, java.util.function.Supplier<URI> peerUrl) {
        this.redis = redis;
        this.instance = instance;
        this.peerUrl = peerUrl;
        long every = TTL.toMillis() / 3;
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    static String key(Digest digest) {
        return RedisCoordinator.PREFIX + "fill:" + digest;
    }

    @Override
    public Claim claim(Digest digest) {
        String value = instance + " " + peerUrl.get();
        String key = key(digest);
        var answer = redis.attempt(c -> {
            String set = c.set(key, value, SetArgs.Builder.nx().px(TTL.toMillis()));
            return "OK".equals(set) ? "" : c.get(key);
        });
        if (answer.isEmpty()) {
            return new Claim.Alone(); // Redis down
        }
        if (answer.get().isEmpty()) {
            HeldLease lease = new HeldLease(key, value);
            held.add(lease);
            return new Claim.Owner(lease);
        }
        String[] holder = answer.get().split(" ", 2);
        if (holder.length != 2 || holder[0].equals(instance)) {
            return new Claim.Alone(); // expired meanwhile, or our own lease from a fill that just ended
        }
        try {
            return new Claim.HeldBy(holder[0], URI.create(holder[1]));
        } catch (IllegalArgumentException e) {
            return new Claim.Alone();
        }
    }

    @Override
    public boolean heldBy(Digest digest, String holder) {
        return redis.attempt(c -> c.get(key(digest))).map(v -> v.startsWith(holder + " ")).orElse(false);
    }

    private void renewAll() {
        for (HeldLease lease : held) {
            redis.attempt(c -> c.eval(RENEW, ScriptOutputType.INTEGER, new String[] {lease.key},
                    lease.value, Long.toString(TTL.toMillis())));
        }
    }

    /** Stops renewing; leases still held expire on their own. */
    public void close() {
        renewer.shutdownNow();
        held.forEach(HeldLease::close);
    }

    private final class HeldLease implements Lease {
        final String key;
        final String value;

        HeldLease(String key, String value) {
            this.key = key;
            this.value = value;
        }

        @Override
        public void close() {
            if (held.remove(this)) {
                redis.attempt(c -> c.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key}, value));
            }
        }
    }
}
