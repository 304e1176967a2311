package io.hoard.storage.driver.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.time.Duration;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The SDK's S3 client and presigner built from {@link S3Settings}, and the write options every
 * object gets (encryption, storage class, ACL, content type) in one place.
 */
final class S3Clients implements AutoCloseable {
    /** Connections kept to the store: enough for many blob streams and part uploads at once. */
    private static final int MAX_CONNECTIONS = 256;
    private static final String CONTENT_TYPE = "application/octet-stream";
    static final String CA_BUNDLE_ENV = "AWS_CA_BUNDLE";
    /** Parsed once per process: a system bundle has a few hundred certificates. */
    private static final java.util.concurrent.ConcurrentHashMap<Path, TrustManager[]> BUNDLES =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final S3Settings settings;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;

    S3Clients(S3Settings settings) {
        this.settings = settings;
        this.credentials = credentials(settings);
        AttributeMap.Builder httpOptions = AttributeMap.builder();
        if (settings.skipVerify()) {
            httpOptions.put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true);
        }
        Apache5HttpClient.Builder httpBuilder = Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS)
                .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60));
        Optional<Path> caBundle = Optional.ofNullable(System.getenv(CA_BUNDLE_ENV)).filter(v -> !v.isBlank()).map(Path::of);
        if (caBundle.isPresent() && !settings.skipVerify()) {
            TrustManager[] trust = BUNDLES.computeIfAbsent(caBundle.get(), S3Clients::trustManagers);
            httpBuilder.tlsTrustManagersProvider(() -> trust);
        }
        this.http = httpBuilder.buildWithDefaults(httpOptions.build());
        S3Configuration service = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle())
                .accelerateModeEnabled(settings.accelerate()).dualstackEnabled(settings.dualStack())
                // S3-compatible stores (Riak CS, older MinIO and Ceph) know no trailing checksums.
                .chunkedEncodingEnabled(settings.v4auth())
                .build();
        var builder = S3Client.builder().region(Region.of(settings.region())).credentialsProvider(credentials)
                .httpClient(http).serviceConfiguration(service)
                // Content-MD5 rather than the SDK's newer CRC headers where S3 demands a checksum
                // (multi-object delete): every S3-compatible store knows MD5.
                .addPlugin(LegacyMd5Plugin.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> {
                    o.retryStrategy(RetryMode.STANDARD);
                    settings.userAgent().ifPresent(ua -> o.putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, ua));
                    if (!settings.v4auth()) {
                        S3V2Signer.install(o, credentials, settings);
                    }
                });
        settings.endpoint().ifPresent(builder::endpointOverride);
        this.s3 = builder.build();
        var presign = S3Presigner.builder().region(Region.of(settings.region())).credentialsProvider(credentials)
                .serviceConfiguration(service);
        settings.endpoint().ifPresent(presign::endpointOverride);
        this.presigner = presign.build();
    }

    /**
     * The CAs of {@code AWS_CA_BUNDLE} (a PEM file, as the AWS CLI and the other SDKs read it): a
     * store behind a private CA (MinIO, Ceph, Riak CS on an internal network) is trusted without
     * touching the JVM's trust store.
     *
     * @throws IllegalArgumentException naming the variable when the file cannot be read or holds no certificate
     */
    static TrustManager[] trustManagers(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new IllegalArgumentException(CA_BUNDLE_ENV + "=" + pem + " holds no certificate");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the CA bundle " + CA_BUNDLE_ENV + "=" + pem + ": " + e.getMessage());
        }
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.accessKey().isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        String access = settings.accessKey().get();
        String secret = settings.secretKey().orElseThrow();
        return StaticCredentialsProvider.create(settings.sessionToken().isPresent()
                ? AwsSessionCredentials.create(access, secret, settings.sessionToken().get())
                : AwsBasicCredentials.create(access, secret));
    }

    S3Settings settings() {
        return settings;
    }

    S3Client s3() {
        return s3;
    }

    /** A presigned GET of {@code key}, valid for {@code validity}. */
    URL presign(String key, Duration validity) {
        if (!settings.v4auth()) {
            return S3V2Signer.presign(settings, credentials.resolveCredentials(), key, validity);
        }
        return presigner.presignGetObject(r -> r.signatureDuration(validity)
                .getObjectRequest(g -> g.bucket(settings.bucket()).key(key))).url();
    }

    PutObjectRequest put(String key) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(settings.bucket()).key(key)
                .contentType(CONTENT_TYPE);
        writeOptions(b::serverSideEncryption, b::ssekmsKeyId, b::storageClass, b::acl);
        return b.build();
    }

    CreateMultipartUploadRequest createMultipart(String key) {
        CreateMultipartUploadRequest.Builder b = CreateMultipartUploadRequest.builder().bucket(settings.bucket()).key(key)
                .contentType(CONTENT_TYPE);
        writeOptions(b::serverSideEncryption, b::ssekmsKeyId, b::storageClass, b::acl);
        return b.build();
    }

    CopyObjectRequest copy(String fromKey, String toKey) {
        CopyObjectRequest.Builder b = CopyObjectRequest.builder().sourceBucket(settings.bucket()).sourceKey(fromKey)
                .destinationBucket(settings.bucket()).destinationKey(toKey);
        writeOptions(b::serverSideEncryption, b::ssekmsKeyId, b::storageClass, b::acl);
        return b.build();
    }

    /** What every object written gets: encryption, storage class and ACL, as configured (the SDK's builders share no type). */
    private void writeOptions(Consumer<ServerSideEncryption> encryption, Consumer<String> kmsKey,
            Consumer<StorageClass> storageClass, Consumer<ObjectCannedACL> acl) {
        if (settings.encrypt()) {
            encryption.accept(settings.keyId().isPresent() ? ServerSideEncryption.AWS_KMS : ServerSideEncryption.AES256);
            settings.keyId().ifPresent(kmsKey);
        }
        settings.storageClass().ifPresent(c -> storageClass.accept(StorageClass.fromValue(c)));
        settings.objectAcl().ifPresent(a -> acl.accept(ObjectCannedACL.fromValue(a)));
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
        http.close();
    }
}
