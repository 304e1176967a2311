package io.hoard.storage;

import static io.hoard.storage.PathSpec.pathFor;

import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** Tags as {@code _manifests/tags/<tag>/current/link} plus an index of every digest a tag has had. */
final class DriverTagStore implements TagStore {
    private final StorageDriver driver;
    private final RepositoryName name;

    DriverTagStore(StorageDriver driver, RepositoryName name) {
        this.driver = driver;
        this.name = name;
    }

    @Override
    public Optional<Digest> get(String tag) {
        return StorageIo.ifExists("reading tag " + tag,
                () -> driver.getContent(pathFor(new PathSpec.TagCurrentLink(name, tag))))
                .map(link -> Digest.parse(new String(link, StandardCharsets.US_ASCII).trim()));
    }

    @Override
    public void tag(String tag, Digest digest) {
        byte[] link = digest.toString().getBytes(StandardCharsets.US_ASCII);
        StorageIo.run("tagging " + name + ":" + tag, () -> {
            driver.putContent(pathFor(new PathSpec.TagIndexEntryLink(name, tag, digest)), link);
            driver.putContent(pathFor(new PathSpec.TagCurrentLink(name, tag)), link);
        });
    }

    @Override
    public void untag(String tag) {
        String dir = pathFor(new PathSpec.TagDir(name, tag));
        if (!StorageIo.exists(driver, dir)) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "tag '" + tag + "' is not in repository " + name);
        }
        StorageIo.deleteIfExists(driver, dir);
    }

    @Override
    public List<String> list() {
        return StorageIo.ifExists("listing tags of " + name, () -> driver.list(pathFor(new PathSpec.TagsDir(name))))
                .orElse(List.of())
                .stream()
                .map(StoragePaths::baseName)
                .sorted()
                .toList();
    }
}
