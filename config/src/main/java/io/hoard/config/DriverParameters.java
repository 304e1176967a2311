package io.hoard.config;

import java.util.List;
import java.util.Map;

/** The keys each storage driver accepts, so a typo in a driver section fails at start too. */
final class DriverParameters {
    private static final Map<String, List<String>> KEYS = Map.of(
            "filesystem", List.of("rootdirectory", "maxthreads"),
            "inmemory", List.of(),
            "s3", List.of("accesskey", "secretkey", "region", "regionendpoint", "forcepathstyle", "bucket", "encrypt",
                    "keyid", "secure", "skipverify", "v4auth", "chunksize", "multipartcopychunksize",
                    "multipartcopymaxconcurrency", "multipartcopythresholdsize", "rootdirectory", "storageclass",
                    "useragent", "usedualstack", "objectacl", "loglevel", "accelerate", "sessiontoken"));
    private static final Map<String, List<String>> REQUIRED = Map.of("s3", List.of("region", "bucket"));

    private DriverParameters() {
    }

    static Map<String, Object> validate(String driver, Section s) {
        List<String> known = KEYS.getOrDefault(driver, List.of());
        for (String key : s.keys()) {
            if (!known.contains(key)) {
                s.accept(known.toArray(String[]::new));
                s.finish();
            }
        }
        for (String key : REQUIRED.getOrDefault(driver, List.of())) {
            if (!s.has(key)) {
                throw s.error(key, null, "is required for the " + driver + " driver");
            }
        }
        return Map.copyOf(s.plain());
    }
}
