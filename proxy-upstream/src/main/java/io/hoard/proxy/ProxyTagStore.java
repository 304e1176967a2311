package io.hoard.proxy;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.storage.CacheStorage;
import io.hoard.storage.Manifest;
import io.hoard.storage.TagStore;
import io.hoard.upstream.UpstreamException;
import io.hoard.upstream.UpstreamManifest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tags of a proxied repository. A cached tag is trusted for the TTL (no upstream request at all);
 * after that it is revalidated with a HEAD (free of Docker Hub's pull limit), and when the upstream
 * cannot answer — down, hung, 429, 5xx, circuit open — the cached digest is served stale.
 * Concurrent requests for one tag share one revalidation. The time of the last confirmation is the
 * modification time of the tag's link, so the TTL survives restarts without extra files.
 */
final class ProxyTagStore implements TagStore {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyTagStore.class);

    private final CacheStorage registry;
    private final TagStore local;
    private final ProxyTarget target;
    private final ProxyManifestStore manifests;
    private final SingleFlight<String, Optional<Digest>> refreshes;
    private final TagConfirmations confirmations;
    private final ProxyMetrics metrics;
    private final Clock clock;

    ProxyTagStore(CacheStorage registry, TagStore local, ProxyTarget target, ProxyManifestStore manifests,
            SingleFlight<String, Optional<Digest>> refreshes, TagConfirmations confirmations, ProxyMetrics metrics, Clock clock) {
        this.registry = registry;
        this.local = local;
        this.target = target;
        this.manifests = manifests;
        this.refreshes = refreshes;
        this.confirmations = confirmations;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public Optional<Digest> get(String tag) {
        Optional<TagConfirmations.Confirmed> known = confirmations.get(target.cacheName(), tag).or(() -> stored(tag));
        Optional<Digest> cached = known.map(TagConfirmations.Confirmed::digest);
        if (fresh(known)) {
            return cached;
        }
        // Under proxy.on a client not accepted recently revalidates with its own credentials (a HEAD),
        // which is also how its access to the repository is confirmed.
        return refreshes.run(target.flightKey(target.cacheName() + ":" + tag), () -> {
            if (known.isPresent()) {
                // Another instance on the same storage may have confirmed it meanwhile: its confirmation
                // time is the tag link's, in the store.
                Optional<TagConfirmations.Confirmed> again = stored(tag);
                if (fresh(again)) {
                    return again.map(TagConfirmations.Confirmed::digest);
                }
            }
            return refresh(tag, cached);
        });
    }

    private boolean fresh(Optional<TagConfirmations.Confirmed> known) {
        return known.isPresent() && Duration.between(known.get().at(), clock.instant()).compareTo(target.ttl()) < 0
                && (target.gate() == null || target.gate().fresh());
    }

    /** A tag confirmed within its TTL, for configured upstreams (under proxy.on the client's access is checked first). */
    @Override
    public Optional<Digest> getInMemory(String tag) {
        if (target.gate() != null) {
            return Optional.empty();
        }
        return confirmations.get(target.cacheName(), tag)
                .filter(c -> Duration.between(c.at(), clock.instant()).compareTo(target.ttl()) < 0)
                .map(TagConfirmations.Confirmed::digest);
    }

    /** What storage says of the tag (after a restart): its digest, and when it was last confirmed. */
    private Optional<TagConfirmations.Confirmed> stored(String tag) {
        Optional<Digest> digest = local.get(tag);
        Optional<Instant> at = digest.isPresent() ? registry.tagModified(target.cacheName(), tag) : Optional.empty();
        Optional<TagConfirmations.Confirmed> c = at.map(instant -> new TagConfirmations.Confirmed(digest.get(), instant));
        c.ifPresent(confirmed -> confirmations.put(target.cacheName(), tag, confirmed));
        return c;
    }

    private void confirmed(String tag, Digest digest) {
        local.tag(tag, digest); // storage records the confirmation time too, for after a restart
        confirmations.put(target.cacheName(), tag, new TagConfirmations.Confirmed(digest, clock.instant()));
    }

    private Optional<Digest> refresh(String tag, Optional<Digest> cached) {
        try {
            if (cached.isEmpty()) {
                Optional<UpstreamManifest> fetched = target.upstream().getManifest(target.remoteName(), tag,
                        registry.maxManifestBytes());
                accepted();
                if (fetched.isEmpty()) {
                    return Optional.empty();
                }
                Manifest stored = manifests.storeFetched(fetched.get());
                confirmed(tag, stored.digest());
                return Optional.of(stored.digest());
            }
            metrics.revalidations.increment();
            Optional<Descriptor> head = target.upstream().headManifest(target.remoteName(), tag);
            accepted();
            if (head.isEmpty()) {
                confirmations.forget(target.cacheName(), tag);
                return Optional.empty(); // the upstream says the tag is gone; the cached manifest stays by digest
            }
            Digest current = head.get().digest();
            if (!current.equals(cached.get()) && manifests.get(current).isEmpty()) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, target.upstream().name()
                        + " announced " + current + " for tag " + tag + " but does not serve it");
            }
            confirmed(tag, current);
            return Optional.of(current);
        } catch (UpstreamException | RegistryException e) {
            if (cached.isPresent() && staleAllowed(e)) {
                metrics.staleServes.increment();
                LOG.warn("serving {}:{} from cache ({}): upstream could not revalidate it: {}", target.cacheName(), tag,
                        cached.get(), e.getMessage());
                return cached;
            }
            if (e instanceof UpstreamException u) {
                throw UpstreamErrors.toClient(u, "manifest " + target.remoteName() + ":" + tag, target);
            }
            throw (RegistryException) e;
        }
    }

    /** Under proxy.on, the upstream just answered this client: remember it accepted the client. */
    private void accepted() {
        if (target.gate() != null) {
            target.gate().confirmed(target.upstream(), target.remoteName());
        }
    }

    /**
     * Whether a failed revalidation leaves the cached tag to this client: always for configured
     * upstreams (an outage is not the client's problem); under proxy.on only when the upstream could
     * not be asked and had accepted this client recently — a refusal is the client's answer.
     */
    private boolean staleAllowed(RuntimeException e) {
        ClientGate gate = target.gate();
        if (gate == null) {
            return true;
        }
        if (e instanceof UpstreamException u) {
            return gate.outage(u);
        }
        ErrorCode code = ((RegistryException) e).code();
        return code != ErrorCode.UNAUTHORIZED && code != ErrorCode.DENIED && gate.recentlyAccepted();
    }

    @Override
    public void tag(String tag, Digest digest) {
        throw ProxyRepository.readOnly(target);
    }

    @Override
    public void untag(String tag) {
        throw ProxyRepository.readOnly(target);
    }

    /** The upstream's tags; what is cached when the upstream cannot be asked. */
    @Override
    public List<String> list() {
        try {
            Optional<List<String>> upstream = target.upstream().tags(target.remoteName());
            accepted();
            if (upstream.isPresent()) {
                return upstream.get().stream().sorted().distinct().toList();
            }
            List<String> cached = local.list();
            if (cached.isEmpty()) {
                throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + target.remoteName() + " is not known to "
                        + target.upstream().name());
            }
            return cached;
        } catch (UpstreamException e) {
            if (target.gate() != null && !target.gate().outage(e)) {
                throw UpstreamErrors.toClient(e, "the tags of " + target.remoteName(), target);
            }
            return local.list();
        }
    }
}
