package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.config.ConfigLoader;
import io.hoard.server.it.Command;
import io.hoard.server.it.Dockerd;
import io.hoard.server.it.LogCapture;
import io.hoard.server.it.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker and skopeo against Hoard over plain HTTP ({@code insecure-registries}), HTTPS with the
 * certificate Hoard generates ({@code selfsigned: true}, trusted through certs.d / --cert-dir) and
 * HTTPS with a certificate from the test's own CA; htpasswd logins. Missing trust and a certificate
 * for another name fail the client. Clients reach Hoard as {@code registry.test} (::1) in a private
 * mount namespace: dockerd checks no certificate of a registry on 127.0.0.0/8.
 */
@Timeout(900)
final class SecureClientsIT {
    private static final String PASSWORD = "Corr3ct-horse";

    @TempDir
    Path work;

    private final List<RegistryApp> registries = new ArrayList<>();

    @Test
    void dockerAndSkopeoOverHttpSelfSignedAndCaSignedTls() throws Exception {
        Command.require("skopeo");
        TestCa ca = TestCa.create(work.resolve("ca"));
        Path htpasswd = work.resolve("htpasswd");
        Files.writeString(htpasswd, Command.htpasswdEntry("alice", PASSWORD) + "\n");
        Path hosts = work.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n::1 localhost registry.test\n");
        Path etcDocker = Files.createDirectories(work.resolve("etc-docker"));

        LogCapture logs = new LogCapture();
        try (logs) {
            int plain = start("");
            int selfSigned = start("""
                    tls:
                      selfsigned: true
                      hosts: [registry.test]
                    """, "auth: {htpasswd: {realm: hoard, path: %s, anonymouspull: true}}".formatted(htpasswd));
            Path[] server = ca.issue("registry", "registry.test");
            int caSigned = start("tls: {certificate: %s, key: %s}".formatted(server[0], server[1]),
                    "auth: {htpasswd: {realm: hoard, path: %s}}".formatted(htpasswd));
            int untrusted = start("tls: {certificate: %s, key: %s}".formatted(server[0], server[1]));
            Path[] other = ca.issue("other", "other.test");
            int wrongName = start("tls: {certificate: %s, key: %s}".formatted(other[0], other[1]));
            trust(etcDocker, selfSigned, work.resolve("data-" + selfSigned + "/_tls/ca.crt"));
            trust(etcDocker, caSigned, ca.certificate());
            trust(etcDocker, wrongName, ca.certificate());

            try (Dockerd dockerd = Dockerd.startIsolated("{\"insecure-registries\": [\"registry.test:" + plain + "\"]}",
                    hosts, etcDocker)) {
                dockerd.buildBusyboxImages(work, "local/base:1", "local/app:1", TestRegistry.randomBytes(500_000, 5));
                String digest = null;

                // Plain HTTP, allowed by insecure-registries.
                String image = pushRmiPull(dockerd, "registry.test:" + plain + "/plain/app:1");
                digest = dockerd.repoDigest(image).split("@")[1];

                // The generated certificate, trusted through certs.d; anonymous pulls, pushes after login.
                String reg = "registry.test:" + selfSigned;
                login(dockerd, reg, PASSWORD).orFail("docker login " + reg);
                image = pushRmiPull(dockerd, reg + "/team/app:1");
                dockerd.docker("logout", reg).run().orFail("logout");
                dockerd.docker("rmi", image).run().orFail("rmi");
                dockerd.docker("pull", image).run().orFail("anonymous pull from " + reg);
                assertThat(dockerd.repoDigest(image)).endsWith(digest);

                // A CA-signed certificate and strict htpasswd: a wrong password and no login fail.
                reg = "registry.test:" + caSigned;
                Command.Result refused = login(dockerd, reg, "wrong");
                assertThat(refused.exitCode()).isNotZero();
                assertThat(refused.stdout() + refused.stderr()).containsIgnoringCase("unauthorized");
                login(dockerd, reg, PASSWORD).orFail("docker login " + reg);
                image = pushRmiPull(dockerd, reg + "/team/app:1");
                dockerd.docker("logout", reg).run().orFail("logout");
                dockerd.docker("rmi", image).run().orFail("rmi");
                Command.Result anonymous = dockerd.docker("pull", image).run();
                assertThat(anonymous.exitCode()).as("pull without login").isNotZero();
                assertThat(anonymous.stdout() + anonymous.stderr()).containsPattern("(?i)no basic auth credentials|unauthorized");

                // Missing trust and a certificate for another name fail the client.
                Command.Result noTrust = dockerd.docker("pull", "registry.test:" + untrusted + "/plain/app:1").run();
                assertThat(noTrust.exitCode()).isNotZero();
                assertThat(noTrust.stderr()).contains("x509");
                Command.Result otherName = dockerd.docker("pull", "registry.test:" + wrongName + "/plain/app:1").run();
                assertThat(otherName.exitCode()).isNotZero();
                assertThat(otherName.stderr()).contains("x509").contains("registry.test");
            }

            // skopeo: --cert-dir with the generated CA, and credentials for the CA-signed registry.
            Path selfSignedCerts = Files.createDirectories(work.resolve("skopeo-certs"));
            Files.copy(work.resolve("data-" + selfSigned + "/_tls/ca.crt"), selfSignedCerts.resolve("ca.crt"));
            Path caCerts = Files.createDirectories(work.resolve("skopeo-ca"));
            Files.copy(ca.certificate(), caCerts.resolve("ca.crt"));
            String src = "docker://registry.test:" + selfSigned + "/team/app:1";
            assertThat(skopeo(hosts, "inspect", "--raw", src).exitCode()).as("no trust: refused").isNotZero();
            skopeo(hosts, "inspect", "--raw", "--cert-dir", selfSignedCerts.toString(), src).orFail("skopeo inspect");
            String dest = "docker://registry.test:" + caSigned + "/skopeo/app:1";
            Command.Result badCreds = skopeo(hosts, "copy", "--src-cert-dir", selfSignedCerts.toString(), "--dest-cert-dir",
                    caCerts.toString(), "--dest-creds", "alice:wrong", src, dest);
            assertThat(badCreds.exitCode()).isNotZero();
            assertThat(badCreds.stderr()).containsIgnoringCase("unauthorized");
            skopeo(hosts, "copy", "--src-cert-dir", selfSignedCerts.toString(), "--dest-cert-dir", caCerts.toString(),
                    "--dest-creds", "alice:" + PASSWORD, src, dest).orFail("skopeo copy between the two TLS registries");
            skopeo(hosts, "inspect", "--raw", "--cert-dir", caCerts.toString(), "--creds", "alice:" + PASSWORD, dest)
                    .orFail("skopeo inspect with credentials");
        } finally {
            registries.forEach(RegistryApp::close);
        }
        assertThat(logs.text()).as("credentials never reach the logs").doesNotContain(PASSWORD)
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes()));
    }

    /** A registry on [::1] with {@code httpYaml} under http and {@code extraYaml} at the top; its port. */
    private int start(String httpYaml, String... extraYaml) throws Exception {
        int port = io.hoard.server.it.Distribution.freePort();
        String yaml = "http:\n  addr: \"[::1]:" + port + "\"\n" + httpYaml.indent(2) + "storage:\n  filesystem:\n"
                + "    rootdirectory: " + work.resolve("data-" + port) + "\n" + String.join("\n", extraYaml) + "\n";
        registries.add(RegistryApp.start(ConfigLoader.parse(yaml, Map.of(), "test")));
        return port;
    }

    private static void trust(Path etcDocker, int port, Path caFile) throws Exception {
        Path dir = Files.createDirectories(etcDocker.resolve("certs.d/registry.test:" + port));
        Files.copy(caFile, dir.resolve("ca.crt"));
    }

    private static Command.Result login(Dockerd dockerd, String registry, String password) throws Exception {
        Path input = Files.createTempFile("pw", ".txt");
        try {
            Files.writeString(input, password);
            return dockerd.docker("login", "-u", "alice", "--password-stdin", registry).run(input);
        } finally {
            Files.delete(input);
        }
    }

    /** Tags local/app:1 as {@code image}, pushes, removes and pulls it back; returns {@code image}. */
    private static String pushRmiPull(Dockerd dockerd, String image) throws Exception {
        dockerd.docker("tag", "local/app:1", image).run().orFail("tag");
        dockerd.docker("push", image).run().orFail("push " + image);
        dockerd.docker("rmi", image).run().orFail("rmi");
        dockerd.docker("pull", image).run().orFail("pull " + image);
        return image;
    }

    /** skopeo in a private mount namespace where registry.test resolves through {@code hosts}. */
    private static Command.Result skopeo(Path hosts, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" /etc/hosts && exec skopeo \"$@\"", hosts.toString()));
        all.addAll(List.of(args));
        return new Command(all, Command.NO_INTERNET, Duration.ofMinutes(3)).run();
    }
}
