package io.hoard.proxy;

import io.hoard.model.ErrorCode;
import io.hoard.model.RegistryException;
import io.hoard.model.RepositoryName;
import io.hoard.storage.BlobStore;
import io.hoard.storage.ManifestStore;
import io.hoard.storage.Repository;
import io.hoard.storage.TagStore;
import io.hoard.storage.Upload;
import io.hoard.storage.UploadStore;

/** A repository that caches an upstream one: read through, never written by clients. */
record ProxyRepository(ProxyTarget target, BlobStore blobs, ManifestStore manifests, TagStore tags) implements Repository {

    @Override
    public RepositoryName name() {
        return target.cacheName();
    }

    /** A proxied repository always "exists": the upstream decides what is in it. */
    @Override
    public boolean exists() {
        return true;
    }

    @Override
    public UploadStore uploads() {
        return new UploadStore() {
            @Override
            public Upload start() {
                throw readOnly(target);
            }

            @Override
            public Upload resume(String id) {
                throw readOnly(target);
            }
        };
    }

    static RegistryException readOnly(ProxyTarget target) {
        return new RegistryException(ErrorCode.DENIED, "repository " + target.cacheName() + " is a cache of "
                + target.remoteName() + " on " + target.upstream().name() + "; push to a name of your own instead");
    }
}
