package io.hoard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hoard.server.http.Route;
import io.hoard.server.http.Router;
import org.junit.jupiter.api.Test;

final class RouterTest {
    @Test
    void matchesEveryRouteFromTheEnd() {
        assertThat(Router.match("/v2/")).containsInstanceOf(Route.Base.class);
        assertThat(Router.match("/v2")).containsInstanceOf(Route.Base.class);
        assertThat(Router.match("/v2/_catalog")).contains(new Route.Catalog());
        assertThat(Router.match("/v2/a/b/tags/list")).contains(new Route.TagsList("a/b"));
        assertThat(Router.match("/v2/a/manifests/latest")).contains(new Route.Manifest("a", "latest"));
        assertThat(Router.match("/v2/manifests/manifests/x")).contains(new Route.Manifest("manifests", "x"));
        assertThat(Router.match("/v2/a/b/c/blobs/sha256:ab")).contains(new Route.Blob("a/b/c", "sha256:ab"));
        assertThat(Router.match("/v2/a/blobs/uploads/")).contains(new Route.UploadStart("a"));
        assertThat(Router.match("/v2/a/blobs/uploads")).contains(new Route.UploadStart("a"));
        assertThat(Router.match("/v2/a/blobs/uploads/id-1")).contains(new Route.Upload("a", "id-1"));
        assertThat(Router.match("/v2/blobs/blobs/uploads/x")).contains(new Route.Upload("blobs", "x"));
        assertThat(Router.match("/v2/a/referrers/sha256:ab")).contains(new Route.Referrers("a", "sha256:ab"));
    }

    @Test
    void rejectsWhatIsNotTheApi() {
        assertThat(Router.match("/")).isEmpty();
        assertThat(Router.match("/v1/a/manifests/x")).isEmpty();
        assertThat(Router.match("/v2/a/tags/other")).isEmpty();
        assertThat(Router.match("/v2/a/b")).isEmpty();
        assertThat(Router.match("/v2/a/unknown/x")).isEmpty();
    }
}
