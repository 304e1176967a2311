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
 * S3Proxy in the test JVM on a loopback port, storing buckets as directories under a temporary
 * directory (jclouds' filesystem provider), with fixed credentials. {@code v2only} accepts only
 * signature version 2, to test {@code v4auth: false}.
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

    public static S3ProxyServer start(Path dir, boolean v2only) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential")
                .overrides(p).build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
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
