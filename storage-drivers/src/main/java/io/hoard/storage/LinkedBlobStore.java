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

    LinkedBlobStore(StorageDriver driver, RepositoryName name) {
        this.driver = driver;
        this.name = name;
    }

    @Override
    public Optional<Descriptor> stat(Digest digest) {
        if (!StorageIo.exists(driver, pathFor(new PathSpec.LayerLink(name, digest)))) {
            return Optional.empty();
        }
        // A link whose content is gone (a half-finished garbage collection) is no blob.
        return StorageIo.ifExists("reading blob " + digest, () -> driver.stat(pathFor(new PathSpec.BlobData(digest))))
                .filter(info -> !info.directory())
                .map(info -> new Descriptor(digest, info.size(), Descriptor.OCTET_STREAM));
    }

    @Override
    public BlobContent open(Digest digest, long offset) {
        Descriptor d = stat(digest).orElseThrow(() -> unknown(digest));
        if (offset < 0 || offset > d.size()) {
            throw new RegistryException(ErrorCode.RANGE_INVALID,
                    "offset %d is outside blob %s of %d bytes".formatted(offset, digest, d.size()));
        }
        SeekableByteChannel channel = StorageIo.ifExists("opening blob " + digest,
                () -> driver.reader(pathFor(new PathSpec.BlobData(digest)), offset)).orElseThrow(() -> unknown(digest));
        return new BlobContent(d, channel, offset);
    }

    @Override
    public Optional<Descriptor> mount(Digest digest, RepositoryName from) {
        Optional<Descriptor> source = new LinkedBlobStore(driver, from).stat(digest);
        source.ifPresent(d -> link(digest));
        return source;
    }

    @Override
    public void delete(Digest digest) {
        if (stat(digest).isEmpty()) {
            throw unknown(digest);
        }
        StorageIo.deleteIfExists(driver, pathFor(new PathSpec.LayerLinkDir(name, digest)));
    }

    /** Makes stored content visible in this repository. */
    void link(Digest digest) {
        StorageIo.run("linking blob " + digest + " into " + name, () -> driver.putContent(
                pathFor(new PathSpec.LayerLink(name, digest)), digest.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    private RegistryException unknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in repository " + name);
    }
}
