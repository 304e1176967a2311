package io.hoard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hoard.config.ProxyConfig;
import io.hoard.config.RemoteRegistry;
import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.Origin;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Routing rules (DESIGN.md "Routing") as a pure function of the name, the request and the recorded origins. */
final class ProxyRouterTest {
    private final Map<RepositoryName, Origin> origins = new HashMap<>();
    private final Set<RepositoryName> withContent = new HashSet<>();
    private final ProxyRouter.RepositoryState state = new ProxyRouter.RepositoryState() {
        @Override
        public Origin origin(RepositoryName name) {
            return origins.getOrDefault(name, Origin.UNKNOWN);
        }

        @Override
        public boolean holdsContent(RepositoryName name) {
            return withContent.contains(name);
        }
    };

    private static ProxyConfig config(boolean dynamic, List<String> localNamespaces, String... urls) {
        List<RemoteRegistry> remotes = java.util.Arrays.stream(urls)
                .map(u -> new RemoteRegistry(URI.create(u), Optional.empty(), Optional.empty())).toList();
        return new ProxyConfig(remotes, dynamic, Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
                localNamespaces, List.of(), Duration.ofMinutes(1), Duration.ofHours(1), 1L << 30, true);
    }

    private ProxyRouter router(ProxyConfig config) {
        return new ProxyRouter(config, state);
    }

    private void pushed(String name) {
        origins.put(RepositoryName.of(name), Origin.LOCAL);
        withContent.add(RepositoryName.of(name));
    }

    @Test
    void defaultUpstreamServesDockerHubNamesWithLibraryForOfficialImages() {
        ProxyRouter r = router(config(false, List.of(), "https://mirror.example.com", "http://127.0.0.1:5001"));
        assertThat(r.route("nginx", null, false)).isEqualTo(new ProxyRouter.Configured(0, "library/nginx",
                RepositoryName.of("library/nginx")));
        assertThat(r.route("team/app", null, false)).isEqualTo(new ProxyRouter.Configured(0, "team/app",
                RepositoryName.of("team/app")));
        assertThat(r.route("nginx", "docker.io", false)).isEqualTo(new ProxyRouter.Configured(0, "library/nginx",
                RepositoryName.of("library/nginx")));
    }

    @Test
    void otherUpstreamsByHostComponentOrNamespace() {
        ProxyRouter r = router(config(false, List.of(), "https://mirror.example.com", "http://127.0.0.1:5001"));
        assertThat(r.route("127.0.0.1:5001/team/app", null, false)).isEqualTo(new ProxyRouter.Configured(1, "team/app",
                RepositoryName.of("127.0.0.1-5001/team/app")));
        assertThat(r.route("team/app", "127.0.0.1:5001", false)).isEqualTo(new ProxyRouter.Configured(1, "team/app",
                RepositoryName.of("127.0.0.1-5001/team/app")));
        assertThat(r.route("mirror.example.com/team/app", null, false)).isEqualTo(new ProxyRouter.Configured(0,
                "team/app", RepositoryName.of("team/app")));
        assertThatThrownBy(() -> r.route("team/app", "quay.io", false)).isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).code()).isEqualTo(ErrorCode.NAME_UNKNOWN))
                .hasMessageContaining("proxy.on is off");
        // Not an upstream and proxy.on is off: an ordinary name of the default upstream.
        assertThat(r.route("quay.io/team/app", null, false)).isInstanceOf(ProxyRouter.Configured.class);
    }

    @Test
    void pushedRepositoriesAreLocalForGoodButAnAbandonedUploadIsNot() {
        ProxyRouter r = router(config(false, List.of(), "https://mirror.example.com"));
        origins.put(RepositoryName.of("team/app"), Origin.LOCAL); // an upload started, nothing pushed
        assertThat(r.route("team/app", null, false)).isInstanceOf(ProxyRouter.Configured.class);
        assertThat(r.mustCheckShadowing(RepositoryName.of("team/app"))).isTrue();
        pushed("team/app");
        assertThat(r.route("team/app", null, false)).isEqualTo(new ProxyRouter.Local(RepositoryName.of("team/app")));
        assertThat(r.mustCheckShadowing(RepositoryName.of("team/app"))).isFalse();
        pushed("library/tool");
        assertThat(r.route("tool", null, false)).isEqualTo(new ProxyRouter.Local(RepositoryName.of("library/tool")));
    }

    @Test
    void pushesNeverGoIntoCachesOrUpstreamNames() {
        ProxyRouter r = router(config(true, List.of(), "https://mirror.example.com", "http://127.0.0.1:5001"));
        origins.put(RepositoryName.of("library/nginx"), Origin.CACHED);
        assertThatThrownBy(() -> r.route("library/nginx", null, true)).hasMessageContaining("cached from an upstream");
        assertThatThrownBy(() -> r.route("127.0.0.1:5001/team/app", null, true))
                .hasMessageContaining("is a cache of http://127.0.0.1:5001");
        assertThatThrownBy(() -> r.route("ghcr.io/team/app", null, true)).hasMessageContaining("cache of ghcr.io");
        assertThatThrownBy(() -> r.route("team/app", "ghcr.io", true)).isInstanceOf(RegistryException.class);
        assertThat(r.route("team/app", null, true)).isEqualTo(new ProxyRouter.Local(RepositoryName.of("team/app")));
    }

    @Test
    void localNamespacesLimitPushesAndSkipTheShadowingCheck() {
        ProxyRouter r = router(config(false, List.of("team"), "https://mirror.example.com"));
        assertThat(r.route("team/app", null, true)).isInstanceOf(ProxyRouter.Local.class);
        assertThat(r.mustCheckShadowing(RepositoryName.of("team/app"))).isFalse();
        assertThatThrownBy(() -> r.route("other/app", null, true)).hasMessageContaining("proxy.localnamespaces");
    }

    @Test
    void plainRegistryWithoutUpstreamsIsAllLocal() {
        ProxyRouter r = router(config(false, List.of()));
        assertThat(r.route("nginx", null, false)).isEqualTo(new ProxyRouter.Local(RepositoryName.of("nginx")));
        assertThat(r.mustCheckShadowing(RepositoryName.of("nginx"))).isFalse();
    }

    @Test
    void proxyOnRoutesHostNamesToThoseHostsAndHubNamesToDockerHub() {
        ProxyRouter r = router(config(true, List.of()));
        assertThat(r.route("ghcr.io/team/app", null, false)).isEqualTo(new ProxyRouter.ClientNamed("ghcr.io", "team/app",
                RepositoryName.of("ghcr.io/team/app")));
        assertThat(r.route("localhost:5000/app", null, false)).isEqualTo(new ProxyRouter.ClientNamed("localhost:5000",
                "app", RepositoryName.of("localhost-5000/app")));
        assertThat(r.route("nginx", null, false)).isEqualTo(new ProxyRouter.ClientNamed(ProxyRouter.DOCKER_HUB_API,
                "library/nginx", RepositoryName.of("library/nginx")));
        // Not host-like: the default route.
        assertThat(r.route("team/app", null, false)).isInstanceOf(ProxyRouter.ClientNamed.class);
        assertThat(((ProxyRouter.ClientNamed) r.route("team/app", null, false)).host()).isEqualTo(ProxyRouter.DOCKER_HUB_API);
    }

    @Test
    void badNamesAreRefused() {
        ProxyRouter r = router(config(false, List.of(), "https://mirror.example.com"));
        assertThatThrownBy(() -> r.route("Upper/Case", null, false)).isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).code()).isEqualTo(ErrorCode.NAME_INVALID));
    }

    @Test
    void hostDirectoriesAreValidRepositoryComponents() {
        assertThat(ProxyRouter.hostDirectory("127.0.0.1:5000")).isEqualTo("127.0.0.1-5000");
        assertThat(ProxyRouter.hostDirectory("Reg.Test1.com")).isEqualTo("reg.test1.com");
        assertThat(ProxyRouter.hostDirectory("[::1]:5000")).isEqualTo("1-5000");
    }
}
