package io.hoard.storage.driver;

import java.util.regex.Pattern;

/** The path grammar every driver accepts, in one place: {@code ^(/[A-Za-z0-9._-]+)+$} or {@code /}. */
public final class StoragePaths {
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+");

    private StoragePaths() {
    }

    /** True when {@code path} is a valid driver path. Components {@code .} and {@code ..} are not. */
    public static boolean isValid(String path) {
        if (path.equals("/")) {
            return true;
        }
        if (!PATH.matcher(path).matches()) {
            return false;
        }
        for (String c : path.substring(1).split("/")) {
            if (c.equals(".") || c.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** The parent directory of {@code path} ({@code /} for top-level paths). */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** {@code dir + "/" + child}, minding the root. */
    public static String join(String dir, String child) {
        return dir.equals("/") ? "/" + child : dir + "/" + child;
    }

    /** The last component of {@code path}. */
    public static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
