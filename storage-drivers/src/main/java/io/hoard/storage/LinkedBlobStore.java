package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Blobs of one repository: content lives once under {@code blobs/}; a repository sees a blob only
 * through its {@code _layers} link, so access to content is per repository as in distribution.
 */
final class LinkedBlobStore implements BlobStore {
    private final StorageDriver driver;
    private final RepositoryName name;
    private final DescriptorCache descriptors;

    LinkedBlobStore(StorageDriver driver, RepositoryName name, DescriptorCache descriptors) {
        this.driver = driver;
        this.name = name;
        this.descriptors = descriptors;
    }

    /** Served from memory when this link and the content's size were seen before: no storage call. */
    @Override
    public Optional<Descriptor> stat(Digest digest) {
        Optional<Descriptor> known = statInMemory(digest);
        if (known.isPresent()) {
            return known;
        }
        if (descriptors.isLinkedOrShared(LinkKind.BLOB, name, digest)) {
            Optional<Long> size = descriptors.sizeOrShared(digest);
            if (size.isPresent()) {
                return Optional.of(new Descriptor(digest, size.get(), Descriptor.OCTET_STREAM));
            }
        } else if (!StorageIo.fileExists(driver, pathFor(new PathSpec.LayerLink(name, digest)))) {
            return Optional.empty();
        }
        // A link whose content is gone (a half-finished garbage collection) is no blob.
        Optional<Descriptor> stored = statContent(driver, descriptors, digest);
        stored.ifPresent(d -> descriptors.linked(LinkKind.BLOB, name, digest));
        return stored;
    }

    @Override
    public Optional<Descriptor> statInMemory(Digest digest) {
        if (!descriptors.isLinked(LinkKind.BLOB, name, digest)) {
            return Optional.empty();
        }
        return descriptors.size(digest).map(size -> new Descriptor(digest, size, Descriptor.OCTET_STREAM));
    }

    /** A warm blob costs one storage call: opening its content (link and size come from memory). */
    @Override
    public BlobContent open(Digest digest, long offset) {
        Descriptor d = stat(digest).orElseThrow(() -> unknown(digest));
        if (offset < 0 || offset > d.size()) {
            throw new RegistryException(ErrorCode.RANGE_INVALID,
                    "offset %d is outside blob %s of %d bytes".formatted(offset, digest, d.size()));
        }
        Optional<SeekableByteChannel> channel = StorageIo.ifExists("opening blob " + digest,
                () -> driver.reader(pathFor(new PathSpec.BlobData(digest)), offset));
        if (channel.isEmpty()) {
            descriptors.contentGone(digest); // deleted meanwhile, maybe by another instance
            throw unknown(digest);
        }
        return new BlobContent(d, channel.get(), offset);
    }

    @Override
    public Optional<java.net.URI> redirect(Digest digest) {
        if (stat(digest).isEmpty()) {
            return Optional.empty();
        }
        try {
            return driver.redirectUrl(pathFor(new PathSpec.BlobData(digest)));
        } catch (java.io.IOException e) {
            return Optional.empty(); // serving the bytes ourselves still works
        }
    }

    @Override
    public Optional<Descriptor> mount(Digest digest, RepositoryName from) {
        Optional<Descriptor> source = new LinkedBlobStore(driver, from, descriptors).stat(digest);
        source.ifPresent(d -> link(digest));
        return source;
    }

    @Override
    public void delete(Digest digest) {
        if (stat(digest).isEmpty()) {
            throw unknown(digest);
        }
        StorageIo.deleteIfExists(driver, pathFor(new PathSpec.LayerLinkDir(name, digest)));
        descriptors.unlinked(LinkKind.BLOB, name, digest); // after storage: see DriverManifestStore.delete
    }

    /** Makes content just stored ({@code size} bytes) visible in this repository; its size is known without a stat. */
    void linkStored(Digest digest, long size) {
        descriptors.size(digest, size);
        link(digest);
    }

    /** Makes stored content visible in this repository. */
    void link(Digest digest) {
        StorageIo.run("linking blob " + digest + " into " + name, () -> driver.putContent(
                pathFor(new PathSpec.LayerLink(name, digest)), digest.toString().getBytes(StandardCharsets.US_ASCII)));
        descriptors.linked(LinkKind.BLOB, name, digest);
    }

    /** Stored content with this digest, whichever repository links it; its size is remembered. */
    static Optional<Descriptor> statContent(StorageDriver driver, DescriptorCache descriptors, Digest digest) {
        Optional<Long> known = descriptors.sizeOrShared(digest);
        if (known.isPresent()) {
            return Optional.of(new Descriptor(digest, known.get(), Descriptor.OCTET_STREAM));
        }
        Optional<Descriptor> stored = StorageIo.ifExists("reading blob " + digest,
                        () -> driver.stat(pathFor(new PathSpec.BlobData(digest))))
                .filter(info -> !info.directory())
                .map(info -> new Descriptor(digest, info.size(), Descriptor.OCTET_STREAM));
        stored.ifPresent(d -> descriptors.size(digest, d.size()));
        return stored;
    }

    private RegistryException unknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + name);
    }
}
