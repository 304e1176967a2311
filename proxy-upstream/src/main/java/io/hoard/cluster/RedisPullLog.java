package io.hoard.cluster;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;
import io.hoard.storage.AccessTimes;
import io.hoard.storage.PullLog;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ZAddArgs;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's last pulls in one Redis sorted set, {@code hoard:pulls}: member
 * {@code <repository>@<digest>}, score the pull's epoch milliseconds, written with {@code ZADD GT} so
 * that a late write from a slower instance never moves a time back. Read whole by an eviction run.
 */
public final class RedisPullLog implements PullLog {
    static final String KEY = RedisCoordinator.PREFIX + "pulls";

    private final RedisCoordinator redis;

    public RedisPullLog(RedisCoordinator redis) {
        this.redis = redis;
    }

    @Override
    public boolean record(AccessTimes.Key key, Instant when) {
        return redis.call(c -> {
            c.zadd(KEY, ZAddArgs.Builder.gt(), (double) when.toEpochMilli(), member(key));
            return Boolean.TRUE;
        }, Boolean.FALSE);
    }

    @Override
    public Map<AccessTimes.Key, Instant> all() {
        List<ScoredValue<String>> entries = redis.call(c -> c.zrangeWithScores(KEY, 0, -1), List.of());
        Map<AccessTimes.Key, Instant> pulls = new HashMap<>();
        for (ScoredValue<String> e : entries) {
            int at = e.getValue().lastIndexOf('@');
            try {
                pulls.put(new AccessTimes.Key(RepositoryName.of(e.getValue().substring(0, at)),
                        Digest.parse(e.getValue().substring(at + 1))), Instant.ofEpochMilli((long) e.getScore()));
            } catch (RuntimeException notOurs) {
                // a member written by something else: ignored
            }
        }
        return pulls;
    }

    @Override
    public void forget(AccessTimes.Key key) {
        redis.call(c -> c.zrem(KEY, member(key)), 0L);
    }

    private static String member(AccessTimes.Key key) {
        return key.repository().value() + "@" + key.digest();
    }
}
