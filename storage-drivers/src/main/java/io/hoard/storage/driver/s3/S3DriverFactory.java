package io.hoard.storage.driver.s3;

import io.hoard.storage.driver.PathNotFoundException;
import io.hoard.storage.driver.StorageDriver;
import io.hoard.storage.driver.StorageDriverFactory;
import io.hoard.storage.driver.StorageUnavailableException;
import java.io.IOException;
import java.util.Map;

/**
 * {@code storage.s3}: distribution's keys ({@link S3Settings}). The bucket is checked once at start
 * (one listing of at most one key), so wrong credentials, a missing bucket or an unreachable endpoint
 * stop the start with a line naming the setting, not the first push.
 */
public final class S3DriverFactory implements StorageDriverFactory {
    @Override
    public String name() {
        return S3Driver.NAME;
    }

    @Override
    public StorageDriver create(Map<String, Object> parameters) {
        S3Settings settings = S3Settings.parse(parameters);
        S3Driver driver = new S3Driver(new S3Clients(settings));
        try {
            driver.checkBucket();
        } catch (IOException e) {
            driver.close();
            throw new IllegalArgumentException(explain(settings, e));
        }
        return driver;
    }

    private static String explain(S3Settings s, IOException e) {
        String where = "bucket '" + s.bucket() + "' at " + s.endpoint().map(Object::toString).orElse("AWS region " + s.region());
        String message = String.valueOf(e.getMessage());
        if (message.contains("Unable to load credentials")) {
            return "storage.s3: no credentials: set storage.s3.accesskey and secretkey, or provide them the AWS way"
                    + " (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, an instance or container role)";
        }
        if (e instanceof StorageUnavailableException) {
            return "storage.s3: cannot reach " + where + " (check storage.s3.regionendpoint and secure): " + message;
        }
        if (e instanceof PathNotFoundException || message.contains("NoSuchBucket")) {
            return "storage.s3.bucket: " + where + " does not exist; create it first";
        }
        if (message.contains(" 403 ") || message.contains("InvalidAccessKeyId") || message.contains("SignatureDoesNotMatch")) {
            return "storage.s3: " + where + " refused the credentials (" + message + "); check storage.s3.accesskey and"
                    + " secretkey" + (s.v4auth() ? ", and v4auth: false for a store that knows only signature version 2"
                            + " (Riak CS before 2.0)" : " and v4auth");
        }
        return "storage.s3: cannot use " + where + ": " + message;
    }
}
