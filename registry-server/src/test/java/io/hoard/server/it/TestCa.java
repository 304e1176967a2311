package io.hoard.server.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A certificate authority of the test's own, made with openssl, that issues server certificates. */
public final class TestCa {
    private final Path dir;

    private TestCa(Path dir) {
        this.dir = dir;
    }

    /** A new CA in {@code dir}: {@code ca.crt}, {@code ca.key}. */
    public static TestCa create(Path dir) throws IOException, InterruptedException {
        Command.require("openssl");
        Files.createDirectories(dir);
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Hoard Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
                "-keyout", dir.resolve("ca.key").toString(), "-out", dir.resolve("ca.crt").toString());
        return new TestCa(dir);
    }

    public Path certificate() {
        return dir.resolve("ca.crt");
    }

    /** A certificate and key for {@code key} (an existing key file) with one extension line, signed by this CA. */
    public Path sign(Path key, String name, String extension) throws IOException, InterruptedException {
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        Path cert = dir.resolve(name + ".crt");
        Files.writeString(ext, extension + "\n");
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", certificate().toString(), "-CAkey",
                dir.resolve("ca.key").toString(), "-CAcreateserial", "-days", "2", "-extfile", ext.toString(),
                "-out", cert.toString());
        return cert;
    }

    /** A server certificate for {@code names} (DNS names or IP addresses): {@code [certificate, key]}. */
    public Path[] issue(String file, String... names) throws IOException, InterruptedException {
        Path key = dir.resolve(file + ".key");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
        List<String> san = new ArrayList<>();
        for (String n : names) {
            san.add((n.matches("[0-9.]+") || n.contains(":") ? "IP:" : "DNS:") + n);
        }
        return new Path[] {sign(key, file, "subjectAltName=" + String.join(",", san)), key};
    }

    public static void openssl(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("openssl"));
        all.addAll(List.of(args));
        new Command(all, Command.NO_INTERNET, Duration.ofMinutes(1)).run().orFail("openssl " + args[0]);
    }
}
