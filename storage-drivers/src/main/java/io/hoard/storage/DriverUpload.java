package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.Descriptor;
import io.hoard.model.Digest;
import io.hoard.model.DigestAlgorithm;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.FileWriter;
import io.hoard.storage.driver.StorageDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/** One request's view of an upload session; see {@link #commit} for how a blob comes to be. */
final class DriverUpload implements Upload {
    private final StorageDriver driver;
    private final RepositoryName name;
    private final LinkedBlobStore blobs;
    private final UploadHashes hashes;
    private final String id;
    private long size;
    private UploadHashes.@Nullable RunningHash sha256;
    private @Nullable FileWriter writer;

    private final java.util.Set<String> open;

    DriverUpload(StorageDriver driver, RepositoryName name, LinkedBlobStore blobs, UploadHashes hashes, String id,
            long size, java.util.Set<String> open) {
        this.open = open;
        this.driver = driver;
        this.name = name;
        this.blobs = blobs;
        this.hashes = hashes;
        this.id = id;
        this.size = size;
        this.sha256 = size == 0 ? hashes.fresh() : hashes.take(name, id, size).orElse(null);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void write(ByteBuffer bytes) {
        ByteBuffer hashed = bytes.duplicate();
        try {
            FileWriter w = openWriter();
            while (bytes.hasRemaining()) {
                w.write(bytes);
            }
        } catch (IOException e) {
            sha256 = null; // we no longer know exactly what reached storage
            throw StorageIo.failure("writing upload " + id + " of " + name, e);
        }
        size += hashed.remaining();
        if (sha256 != null) {
            sha256.update(hashed);
        }
    }

    /**
     * The recipe: stop writing, verify the digest of what was received, move the data to its
     * content address (another upload of the same content may have got there first: same bytes,
     * so replacing is harmless), link it into the repository, then remove the session.
     */
    @Override
    public Descriptor commit(Digest expected) {
        closeWriter();
        Digest actual = digestOf(expected.algorithm());
        if (!actual.equals(expected)) {
            cancel();
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "uploaded content of %d bytes has digest %s, not %s".formatted(size, actual, expected));
        }
        StorageIo.run("committing upload " + id + " as " + expected, () -> driver.move(
                pathFor(new PathSpec.UploadData(name, id)), pathFor(new PathSpec.BlobData(expected))));
        blobs.linkStored(expected, size);
        StorageIo.deleteIfExists(driver, pathFor(new PathSpec.UploadDir(name, id)));
        open.remove(id);
        return new Descriptor(expected, size, Descriptor.OCTET_STREAM);
    }

    @Override
    public void cancel() {
        sha256 = null;
        if (writer != null) {
            try {
                writer.cancel();
            } catch (IOException e) {
                // the directory delete below removes the file anyway
            }
            writer = null;
        }
        StorageIo.deleteIfExists(driver, pathFor(new PathSpec.UploadDir(name, id)));
        open.remove(id);
    }

    @Override
    public void close() {
        closeWriter();
        if (sha256 != null) {
            hashes.keep(name, id, size, sha256);
            sha256 = null;
        }
    }

    private FileWriter openWriter() throws IOException {
        if (writer == null) {
            writer = driver.writer(pathFor(new PathSpec.UploadData(name, id)), true);
            if (writer.size() != size) {
                sha256 = null; // the data changed under us (another request): rehash at commit
                size = writer.size();
            }
        }
        return writer;
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.commit();
            } catch (IOException e) {
                throw StorageIo.failure("saving upload " + id + " of " + name, e);
            } finally {
                writer = null;
            }
        }
    }

    private Digest digestOf(DigestAlgorithm algorithm) {
        if (algorithm == DigestAlgorithm.SHA256 && sha256 != null) {
            return Digest.fromHash(algorithm, sha256.digest());
        }
        MessageDigest md = algorithm.newMessageDigest();
        size = StorageIo.io("hashing upload " + id, () -> {
            long read = 0;
            try (SeekableByteChannel in = driver.reader(pathFor(new PathSpec.UploadData(name, id)), 0)) {
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                for (int n; (n = in.read(buf)) >= 0; read += n) {
                    buf.flip();
                    md.update(buf);
                    buf.clear();
                }
            }
            return read;
        });
        return Digest.fromHash(algorithm, md.digest());
    }
}
