package io.hoard.storage.driver.s3;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code storage.s3}: distribution's keys with distribution's defaults. Values may be YAML scalars or
 * the strings an environment override gives ({@code REGISTRY_STORAGE_S3_SECURE=false}).
 *
 * @param accessKey with {@code secretKey}; both absent: the AWS default credential chain
 * @param endpoint {@code regionendpoint} as a URL (a bare host gets {@code https://} when {@code secure})
 * @param pathStyle {@code forcepathstyle}; by default path style exactly when an endpoint is given (as
 *        distribution 2.8 does), which is what MinIO, Riak CS and S3Proxy need
 * @param rootDirectory the key prefix, without leading or trailing slashes ({@code ""} for none)
 * @param v4auth false: sign with signature version 2 (old Riak CS)
 * @param chunkSize bytes per multipart part while writing (at least 5 MiB)
 * @param storageClass empty for {@code NOSTORAGECLASS} (the store's default)
 * @param objectAcl a canned ACL sent with every write; none by default (distribution sends
 *        {@code private}, which buckets with ACLs disabled, AWS's default since 2023, refuse)
 */
public record S3Settings(
        Optional<String> accessKey,
        Optional<String> secretKey,
        Optional<String> sessionToken,
        String region,
        Optional<URI> endpoint,
        boolean pathStyle,
        String bucket,
        String rootDirectory,
        boolean encrypt,
        Optional<String> keyId,
        boolean skipVerify,
        boolean v4auth,
        long chunkSize,
        long multipartCopyChunkSize,
        int multipartCopyMaxConcurrency,
        long multipartCopyThresholdSize,
        Optional<String> storageClass,
        Optional<String> userAgent,
        boolean dualStack,
        boolean accelerate,
        Optional<String> objectAcl) {

    /** S3's smallest part but the last. */
    public static final long MIN_PART = 5L * 1024 * 1024;
    /** S3's largest part (and largest single copy). */
    public static final long MAX_PART = 5L * 1024 * 1024 * 1024;

    /**
     * Reads the parameters under {@code storage.s3}.
     *
     * @throws IllegalArgumentException naming the key when a value is missing or wrong
     */
    public static S3Settings parse(Map<String, Object> p) {
        Optional<String> accessKey = text(p, "accesskey");
        Optional<String> secretKey = text(p, "secretkey");
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw new IllegalArgumentException("storage.s3.accesskey and storage.s3.secretkey must be given together"
                    + " (or neither, to use the AWS default credential chain)");
        }
        String region = text(p, "region").orElseThrow(() -> new IllegalArgumentException(
                "storage.s3.region is required (any name, e.g. us-east-1, when regionendpoint points elsewhere)"));
        String bucket = text(p, "bucket").orElseThrow(() -> new IllegalArgumentException("storage.s3.bucket is required"));
        boolean secure = bool(p, "secure", true);
        Optional<URI> endpoint = text(p, "regionendpoint").map(e -> endpoint(e, secure));
        long chunkSize = size(p, "chunksize", 10L * 1024 * 1024);
        if (chunkSize < MIN_PART || chunkSize > MAX_PART) {
            throw new IllegalArgumentException("storage.s3.chunksize must be between 5 MiB (5242880) and 5 GiB, not "
                    + chunkSize);
        }
        long copyChunk = size(p, "multipartcopychunksize", 32L * 1024 * 1024);
        if (copyChunk < MIN_PART || copyChunk > MAX_PART - MIN_PART) {
            throw new IllegalArgumentException(
                    "storage.s3.multipartcopychunksize must be between 5 MiB and 5 GiB - 5 MiB, not " + copyChunk);
        }
        long copyConcurrency = size(p, "multipartcopymaxconcurrency", 100);
        if (copyConcurrency < 1 || copyConcurrency > 1000) {
            throw new IllegalArgumentException(
                    "storage.s3.multipartcopymaxconcurrency must be between 1 and 1000, not " + copyConcurrency);
        }
        long copyThreshold = size(p, "multipartcopythresholdsize", 32L * 1024 * 1024);
        if (copyThreshold < 0 || copyThreshold > MAX_PART) {
            throw new IllegalArgumentException(
                    "storage.s3.multipartcopythresholdsize must be between 0 and 5 GiB, not " + copyThreshold);
        }
        String storageClass = text(p, "storageclass").orElse("STANDARD").toUpperCase(Locale.ROOT);
        if (!storageClass.equals("STANDARD") && !storageClass.equals("REDUCED_REDUNDANCY")
                && !storageClass.equals("NOSTORAGECLASS") && !storageClass.equals("INTELLIGENT_TIERING")) {
            throw new IllegalArgumentException("storage.s3.storageclass must be STANDARD, REDUCED_REDUNDANCY,"
                    + " INTELLIGENT_TIERING or NOSTORAGECLASS, not '" + storageClass + "'");
        }
        String root = text(p, "rootdirectory").orElse("").replaceAll("^/+|/+$", "");
        return new S3Settings(accessKey, secretKey, text(p, "sessiontoken"), region, endpoint,
                bool(p, "forcepathstyle", endpoint.isPresent()), bucket, root, bool(p, "encrypt", false),
                text(p, "keyid"), bool(p, "skipverify", false), bool(p, "v4auth", true), chunkSize, copyChunk,
                (int) copyConcurrency, copyThreshold,
                storageClass.equals("NOSTORAGECLASS") ? Optional.empty() : Optional.of(storageClass),
                text(p, "useragent"), bool(p, "usedualstack", false), bool(p, "accelerate", false),
                text(p, "objectacl"));
    }

    private static URI endpoint(String value, boolean secure) {
        String url = value.contains("://") ? value : (secure ? "https://" : "http://") + value;
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("no host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("storage.s3.regionendpoint must be a URL such as http://minio:9000, not '"
                    + value + "'");
        }
    }

    private static Optional<String> text(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            return Optional.empty();
        }
        String s = v.toString().trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static boolean bool(Map<String, Object> p, String key, boolean fallback) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("storage.s3." + key + " must be true or false, not '" + v + "'");
        };
    }

    private static long size(Map<String, Object> p, String key, long fallback) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("storage.s3." + key + " must be a number of bytes, not '" + v + "'");
        }
    }
}
