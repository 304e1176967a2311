package io.hoard.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.UUID;

/**
 * Whose turn it is for cluster-wide background work (an eviction run): {@code SET hoard:turn:<name>
 * NX PX}, released by its holder only. While Redis cannot be asked every instance takes its turn
 * (the work is safe to repeat, just wasteful).
 */
public final class RedisTurns {
    private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end";

    private final RedisCoordinator redis;

    public RedisTurns(RedisCoordinator redis) {
        this.redis = redis;
    }

    /** Runs {@code work} unless another instance is running work of that name; true when it ran here. */
    public boolean runIfFree(String name, Duration atMost, Runnable work) {
        String key = RedisCoordinator.PREFIX + "turn:" + name;
        String mine = UUID.randomUUID().toString();
        // Outer empty: Redis cannot be asked (take the turn); inner empty: SET NX refused (another's turn).
        java.util.Optional<java.util.Optional<String>> answer = redis.attempt(
                c -> java.util.Optional.ofNullable(c.set(key, mine, SetArgs.Builder.nx().px(atMost.toMillis()))));
        if (answer.isPresent() && answer.get().isEmpty()) {
            return false;
        }
        try {
            work.run();
            return true;
        } finally {
            if (answer.isPresent()) {
                redis.attempt(c -> c.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key}, mine));
            }
        }
    }
}
