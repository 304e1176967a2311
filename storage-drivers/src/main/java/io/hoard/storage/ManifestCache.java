package io.hoard.storage;

import io.hoard.model.Digest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Manifests by digest, in memory, least recently used first out, bounded by their total size.
 * Content addressed by its digest never changes, so there is nothing to invalidate: whether a
 * repository may see a manifest is still decided by its revision link, checked on every request.
 * This saves the read, the digest check and the JSON parse of every hot manifest request.
 */
final class ManifestCache {
    private final long maxBytes;
    private final LinkedHashMap<Digest, Manifest> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;

    ManifestCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized Optional<Manifest> get(Digest digest) {
        return Optional.ofNullable(entries.get(digest));
    }

    synchronized void put(Manifest manifest) {
        long size = manifest.content().length;
        if (size > maxBytes / 8) {
            return; // one huge manifest must not flush everything else
        }
        Manifest previous = entries.put(manifest.digest(), manifest);
        bytes += size - (previous == null ? 0 : previous.content().length);
        for (Iterator<Map.Entry<Digest, Manifest>> it = entries.entrySet().iterator(); bytes > maxBytes && it.hasNext(); ) {
            bytes -= it.next().getValue().content().length;
            it.remove();
        }
    }
}
