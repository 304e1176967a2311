package io.hoard.storage;

import io.hoard.model.Digest;
import io.hoard.model.RepositoryName;

/**
 * Every place the registry stores something, and {@link #pathFor} to turn it into a driver path.
 * The layout is distribution's, so an existing distribution data directory can be served as is:
 *
 * <pre>
 * /docker/registry/v2/
 *   blobs/&lt;alg&gt;/&lt;first two hex&gt;/&lt;hex&gt;/data                   content, shared by all repositories
 *   repositories/&lt;name&gt;/
 *     _layers/&lt;alg&gt;/&lt;hex&gt;/link                              blob linked into the repository
 *     _manifests/revisions/&lt;alg&gt;/&lt;hex&gt;/link                  manifest stored in the repository
 *     _manifests/tags/&lt;tag&gt;/current/link                     digest the tag points at
 *     _manifests/tags/&lt;tag&gt;/index/&lt;alg&gt;/&lt;hex&gt;/link          every digest the tag has pointed at
 *     _uploads/&lt;id&gt;/data, _uploads/&lt;id&gt;/startedat          upload session in progress
 *     _referrers/&lt;alg&gt;/&lt;subject hex&gt;/&lt;alg&gt;/&lt;hex&gt;/link      (Hoard) manifest whose subject is that digest
 *     _hoard/local, _hoard/cached                             (Hoard) where the repository's content comes from
 *     _hoard/access/&lt;alg&gt;/&lt;hex&gt;                              (Hoard) when the manifest was last pulled (mtime)
 *   _hoard/pins/&lt;sha256 of the pin&gt;                           (Hoard) a pin made through the admin API
 * </pre>
 *
 * Links hold the digest as text ({@code sha256:...}).
 */
sealed interface PathSpec {
    String ROOT = "/docker/registry/v2";
    String REPOSITORIES = ROOT + "/repositories";
    /** (Hoard) pins made through the admin API: one file each. */
    String PINS = ROOT + "/_hoard/pins";

    record BlobData(Digest digest) implements PathSpec {
    }

    record RepositoryRoot(RepositoryName name) implements PathSpec {
    }

    record LayerLink(RepositoryName name, Digest digest) implements PathSpec {
    }

    record LayerLinkDir(RepositoryName name, Digest digest) implements PathSpec {
    }

    record ManifestRevisionLink(RepositoryName name, Digest digest) implements PathSpec {
    }

    record ManifestRevisionDir(RepositoryName name, Digest digest) implements PathSpec {
    }

    record TagsDir(RepositoryName name) implements PathSpec {
    }

    record TagDir(RepositoryName name, String tag) implements PathSpec {
    }

    record TagCurrentLink(RepositoryName name, String tag) implements PathSpec {
    }

    record TagIndexEntryLink(RepositoryName name, String tag, Digest digest) implements PathSpec {
    }

    record UploadsDir(RepositoryName name) implements PathSpec {
    }

    record UploadDir(RepositoryName name, String id) implements PathSpec {
    }

    record UploadData(RepositoryName name, String id) implements PathSpec {
    }

    record UploadStartedAt(RepositoryName name, String id) implements PathSpec {
    }

    /** distribution's {@code _uploads/<id>/hashstates/sha256/<offset>}: the digest state after {@code offset} bytes. */
    record UploadHashState(RepositoryName name, String id, long offset) implements PathSpec {
    }

    record OriginMarker(RepositoryName name, Origin origin) implements PathSpec {
    }

    record ReferrersDir(RepositoryName name, Digest subject) implements PathSpec {
    }

    record ReferrerLink(RepositoryName name, Digest subject, Digest referrer) implements PathSpec {
    }

    /** (Hoard) when a manifest was last pulled from the repository: the marker's modification time. */
    record AccessMarker(RepositoryName name, Digest digest) implements PathSpec {
    }

    /** (Hoard) one stored pin, named by the SHA-256 of its text. */
    record PinFile(String hex) implements PathSpec {
    }

    static String pathFor(PathSpec spec) {
        return switch (spec) {
            case BlobData(Digest d) -> "%s/blobs/%s/%s/%s/data".formatted(ROOT, d.algorithm().id(), d.hex().substring(0, 2), d.hex());
            case RepositoryRoot(RepositoryName n) -> repo(n);
            case LayerLink(RepositoryName n, Digest d) -> "%s/_layers/%s/link".formatted(repo(n), digestDir(d));
            case LayerLinkDir(RepositoryName n, Digest d) -> "%s/_layers/%s".formatted(repo(n), digestDir(d));
            case ManifestRevisionLink(RepositoryName n, Digest d) ->
                    "%s/_manifests/revisions/%s/link".formatted(repo(n), digestDir(d));
            case ManifestRevisionDir(RepositoryName n, Digest d) -> "%s/_manifests/revisions/%s".formatted(repo(n), digestDir(d));
            case TagsDir(RepositoryName n) -> repo(n) + "/_manifests/tags";
            case TagDir(RepositoryName n, String t) -> "%s/_manifests/tags/%s".formatted(repo(n), t);
            case TagCurrentLink(RepositoryName n, String t) -> "%s/_manifests/tags/%s/current/link".formatted(repo(n), t);
            case TagIndexEntryLink(RepositoryName n, String t, Digest d) ->
                    "%s/_manifests/tags/%s/index/%s/link".formatted(repo(n), t, digestDir(d));
            case UploadsDir(RepositoryName n) -> repo(n) + "/_uploads";
            case UploadDir(RepositoryName n, String id) -> "%s/_uploads/%s".formatted(repo(n), id);
            case UploadData(RepositoryName n, String id) -> "%s/_uploads/%s/data".formatted(repo(n), id);
            case UploadStartedAt(RepositoryName n, String id) -> "%s/_uploads/%s/startedat".formatted(repo(n), id);
            case UploadHashState(RepositoryName n, String id, long offset) ->
                    "%s/_uploads/%s/hashstates/sha256/%d".formatted(repo(n), id, offset);
            case OriginMarker(RepositoryName n, Origin o) -> "%s/_hoard/%s".formatted(repo(n), o.name().toLowerCase());
            case ReferrersDir(RepositoryName n, Digest s) -> "%s/_referrers/%s".formatted(repo(n), digestDir(s));
            case ReferrerLink(RepositoryName n, Digest s, Digest r) ->
                    "%s/_referrers/%s/%s/link".formatted(repo(n), digestDir(s), digestDir(r));
            case PinFile(String hex) -> PINS + "/" + hex;
            case AccessMarker(RepositoryName n, Digest d) -> "%s/_hoard/access/%s".formatted(repo(n), digestDir(d));
        };
    }

    private static String repo(RepositoryName name) {
        return REPOSITORIES + "/" + name.value();
    }

    private static String digestDir(Digest d) {
        return d.algorithm().id() + "/" + d.hex();
    }
}
