package io.hoard.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.model.Digest;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverException;
import io.hoard.storage.driver.StorageDrivers;
import io.hoard.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several registry instances on one bucket, as a cluster runs them: each request of an upload may
 * reach another instance, and the digest state travels through the store.
 */
final class SharedStoreTest {
    static final AtomicInteger BUCKETS = new AtomicInteger();
    static final RepositoryName NAME = RepositoryName.of("team/app");
    static S3ProxyServer server;

    @BeforeAll
    static void s3() throws Exception {
        server = S3ProxyServer.shared();
    }

    private static StorageDriver bucket() {
        String bucket = "shared-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        return StorageDrivers.create("s3", server.parameters(bucket, "/registry"));
    }

    @Test
    void chunkedUploadAcrossThreeInstancesUsesTheStoredHashState() throws IOException {
        StorageDriver driver = bucket();
        byte[] content = new byte[7 * 1024 * 1024 + 11];
        new Random(3).nextBytes(content);
        int cut1 = 1024 * 1024;
        int cut2 = 6 * 1024 * 1024;
        String id;
        try (Upload u = new DriverRegistry(driver).repository(NAME).uploads().start()) {
            id = u.id();
            u.write(ByteBuffer.wrap(content, 0, cut1));
        }
        assertThat(driver.list("/docker/registry/v2/repositories/team/app/_uploads/" + id + "/hashstates/sha256"))
                .containsExactly("/docker/registry/v2/repositories/team/app/_uploads/" + id + "/hashstates/sha256/" + cut1);
        try (Upload u = new DriverRegistry(driver).repository(NAME).uploads().resume(id)) {
            assertThat(u.size()).isEqualTo(cut1);
            u.write(ByteBuffer.wrap(content, cut1, cut2 - cut1));
        }
        // The data is now a 6 MiB object: the third instance continues it with a server-side copy.
        // Were the state not taken from the store, the commit would read the data back; a store
        // that fails every read proves it does not.
        StorageDriver noReads = refusingUploadReads(driver);
        Upload u = new DriverRegistry(noReads).repository(NAME).uploads().resume(id);
        u.write(ByteBuffer.wrap(content, cut2, content.length - cut2));
        assertThat(u.commit(Digest.sha256(content)).size()).isEqualTo(content.length);
        DriverRegistry reader = new DriverRegistry(driver);
        assertThat(reader.repository(NAME).blobs().stat(Digest.sha256(content))).isPresent();
        assertThat(driver.list("/docker/registry/v2/repositories/team/app")).doesNotContain(
                "/docker/registry/v2/repositories/team/app/_uploads");
    }

    @Test
    void aWrongDigestIsRefusedAndNothingIsCommitted() {
        StorageDriver driver = bucket();
        byte[] content = "not what you said".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String id;
        try (Upload u = new DriverRegistry(driver).repository(NAME).uploads().start()) {
            id = u.id();
            u.write(ByteBuffer.wrap(content));
        }
        Upload u = new DriverRegistry(driver).repository(NAME).uploads().resume(id);
        Digest claimed = Digest.sha256("something else".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> u.commit(claimed)).isInstanceOf(RegistryException.class)
                .satisfies(t -> assertThat(((RegistryException) t).code()).isEqualTo(ErrorCode.DIGEST_INVALID));
        assertThat(new DriverRegistry(driver).repository(NAME).blobs().stat(claimed)).isEmpty();
        assertThat(new DriverRegistry(driver).repository(NAME).blobs().stat(Digest.sha256(content))).isEmpty();
    }

    /** Refuses reads of upload data, so a test can tell a stored hash state from a rehash. */
    private static StorageDriver refusingUploadReads(StorageDriver real) {
        return (StorageDriver) java.lang.reflect.Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    if (method.getName().equals("reader") && ((String) args[0]).contains("/_uploads/")
                            && ((String) args[0]).endsWith("/data")) {
                        throw new StorageDriverException("this test refuses to read upload data", (String) args[0]);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
