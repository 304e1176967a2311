package io.hoard.upstream;

/**
 * {@code GET /v2/<name>/tags/list?n=1}: whether the upstream serves the repository to these
 * credentials (200); a 404 says no. Refusals (401/403) are the caller's to turn into "no".
 */
record RepositoryCheck(String repository) implements UpstreamCall<Boolean> {

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public String path() {
        return "/v2/" + repository + "/tags/list?n=1";
    }

    @Override
    public String accept() {
        return "application/json";
    }

    @Override
    public Boolean handle(Transport.Response r, UpstreamAnswers answers) {
        try (r) {
            return r.status() == 200;
        }
    }
}
