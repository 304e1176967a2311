package io.hoard.model;

import java.util.regex.Pattern;

/**
 * A repository name as the distribution spec defines it: path components of lowercase alphanumerics
 * separated by {@code .}, {@code _}, {@code __} or runs of {@code -}, joined by {@code /}; at most
 * 255 characters in all.
 */
public record RepositoryName(String value) {
    /** Distribution's limit on the whole name (reference.NameTotalLengthMax). */
    public static final int MAX_LENGTH = 255;

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");

    public RepositoryName {
        if (value.isEmpty()) {
            throw invalid(value, "the name is empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw invalid(value, "the name is %d characters long; at most %d are allowed".formatted(
                    value.length(), MAX_LENGTH));
        }
        for (String component : value.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(value, component.isEmpty()
                        ? "empty path component"
                        : "path component '%s' must be lowercase letters and digits separated by '.', '_', '__' or '-'"
                                .formatted(Digest.abbreviate(component)));
            }
        }
    }

    /** Parses and validates a name. @throws RegistryException {@link ErrorCode#NAME_INVALID} */
    public static RepositoryName of(String value) {
        return new RepositoryName(value);
    }

    private static RegistryException invalid(String value, String why) {
        return new RegistryException(ErrorCode.NAME_INVALID,
                "invalid repository name '%s': %s".formatted(Digest.abbreviate(value), why));
    }

    @Override
    public String toString() {
        return value;
    }
}
