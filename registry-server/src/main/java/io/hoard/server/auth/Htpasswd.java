package io.hoard.server.auth;

import io.hoard.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An htpasswd file of bcrypt entries ({@code user:$2y$...}, as {@code htpasswd -B} writes them),
 * read again when it changes, so users can be added without a restart. bcrypt is slow on purpose;
 * a verified password is remembered (as a SHA-256, never in clear) for a few minutes, because docker
 * sends the credentials with every request.
 */
public final class Htpasswd {
    private static final Logger LOG = LoggerFactory.getLogger(Htpasswd.class);
    private static final long REMEMBER_NANOS = 5L * 60 * 1_000_000_000;
    private static final int REMEMBER_MAX = 4096;

    /** Checked for unknown users, so that a refusal takes as long whether or not the user exists. */
    private static final String UNKNOWN_USER_HASH = OpenBSDBCrypt.generate("not a password".toCharArray(),
            new byte[16], 5);

    private final Path file;
    private volatile Entries entries;
    private final Map<String, Long> verified = new ConcurrentHashMap<>();

    private record Entries(Map<String, String> hashes, @Nullable FileTime modified) {
    }

    public Htpasswd(Path file) {
        this.file = file;
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("auth.htpasswd.path " + file + " does not exist; create it with "
                    + "`htpasswd -Bbc " + file + " <user> <password>` (bcrypt entries only)");
        }
        this.entries = load();
    }

    /** True while {@code user} is in the file (a token issued to a removed user stops working). */
    public boolean exists(String user) {
        return current().hashes().containsKey(user);
    }

    /** True when {@code user} is in the file and {@code password} matches its bcrypt hash. */
    public boolean verify(String user, String password) {
        Entries current = current();
        String hash = current.hashes().get(user);
        if (hash == null) {
            try {
                OpenBSDBCrypt.checkPassword(UNKNOWN_USER_HASH, password.toCharArray());
            } catch (IllegalArgumentException e) {
                // an unusable password is refused all the same
            }
            return false;
        }
        if (password.isEmpty()) {
            return false;
        }
        String key = rememberKey(hash, password);
        Long until = verified.get(key);
        long now = System.nanoTime();
        if (until != null && until - now > 0) {
            return true;
        }
        boolean ok;
        try {
            ok = OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false; // an unusable hash was skipped at load; a password with odd characters just fails
        }
        if (ok) {
            if (verified.size() >= REMEMBER_MAX) {
                verified.clear();
            }
            verified.put(key, now + REMEMBER_NANOS);
        }
        return ok;
    }

    private Entries current() {
        Entries e = entries;
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!modified.equals(e.modified())) {
                synchronized (this) {
                    if (!modified.equals(entries.modified())) {
                        entries = load();
                        verified.clear();
                        LOG.info("auth.htpasswd: reloaded {} ({} users)", file, entries.hashes().size());
                    }
                    e = entries;
                }
            }
        } catch (IOException | ConfigException ex) {
            LOG.warn("auth.htpasswd: cannot read {} ({}); keeping the users read before", file, ex.getMessage());
        }
        return e;
    }

    private Entries load() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            Map<String, String> hashes = new HashMap<>();
            int number = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                number++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                int colon = trimmed.indexOf(':');
                String hash = colon < 0 ? "" : trimmed.substring(colon + 1);
                if (colon <= 0 || !(hash.startsWith("$2y$") || hash.startsWith("$2a$") || hash.startsWith("$2b$"))) {
                    // Never log the line itself: it holds a password hash (or worse, a password).
                    LOG.warn("auth.htpasswd: {} line {} is not a bcrypt entry (user:$2y$...) and is ignored; "
                            + "write entries with `htpasswd -B`", file, number);
                    continue;
                }
                hashes.put(trimmed.substring(0, colon), hash);
            }
            return new Entries(Map.copyOf(hashes), modified);
        } catch (IOException e) {
            throw new ConfigException("auth.htpasswd.path " + file + " cannot be read: " + e.getMessage());
        }
    }

    private static String rememberKey(String hash, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(hash.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return HexFormat.of().formatHex(sha.digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
