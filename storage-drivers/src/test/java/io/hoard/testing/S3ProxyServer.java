package io.hoard.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * S3Proxy in the test JVM on a loopback port, with fixed credentials, storing buckets in memory
 * (jclouds' transient provider), or, with a fixed port, as directories under {@code dir} (the
 * filesystem provider: a restarted server finds the data again). {@code v2only} accepts only
 * signature version 2, to test {@code v4auth: false}. The filesystem provider lists directories as
 * keys ending in {@code /} and takes seconds to delete them; Hoard ignores such keys, but
 * distribution's driver deletes them, hence memory by default.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "hoard-access";
    public static final String SECRET_KEY = "hoard-secret-key";

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private S3ProxyServer(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    private static S3ProxyServer shared;

    /**
     * One in-memory server for the whole test JVM (tests make buckets of their own), started on
     * first use and stopped when the JVM exits.
     */
    public static synchronized S3ProxyServer shared() throws Exception {
        if (shared == null) {
            shared = start(Path.of(System.getProperty("java.io.tmpdir")), false);
            S3ProxyServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (Exception ignored) {
                    // the JVM is going away anyway
                }
            }));
        }
        return shared;
    }

    public static S3ProxyServer start(Path dir, boolean v2only) throws Exception {
        return start(dir, v2only, 0);
    }

    /** On {@code port} (0: any free one), e.g. to start again where a stopped one was. */
    public static S3ProxyServer start(Path dir, boolean v2only, int port) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder(port == 0 ? "transient" : "filesystem")
                .credentials("identity", "credential").overrides(p).build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(v2only ? AuthenticationType.AWS_V2 : AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY,
                        SECRET_KEY)
                .build();
        proxy.start();
        for (int i = 0; i < 1000 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(10);
        }
        if (!"STARTED".equals(proxy.getState())) {
            proxy.stop();
            context.close();
            throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        return new S3ProxyServer(proxy, context);
    }

    public int port() {
        return proxy.getPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    public void createBucket(String bucket) {
        context.getBlobStore().createContainerInLocation(null, bucket);
    }

    /** The storage.s3 parameters for {@code bucket} on this server. */
    public Map<String, Object> parameters(String bucket, String rootDirectory) {
        return Map.of("accesskey", ACCESS_KEY, "secretkey", SECRET_KEY, "region", "us-east-1", "regionendpoint",
                endpoint(), "bucket", bucket, "rootdirectory", rootDirectory);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
