package io.hoard.model;

/** Label values for metrics and logs, made from type names. */
public final class Labels {
    private Labels() {
    }

    /** {@code ManifestGet} → {@code manifest_get}: a class's simple name in snake case. */
    public static String snakeCase(Class<?> type) {
        String name = type.getSimpleName();
        StringBuilder label = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                label.append('_');
            }
            label.append(Character.toLowerCase(c));
        }
        return label.toString();
    }
}
