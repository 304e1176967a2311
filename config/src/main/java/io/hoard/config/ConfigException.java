package io.hoard.config;

/** config.yml cannot be used; the message always names the offending key and where it came from. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
