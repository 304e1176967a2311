/**
 * TLS for the listener ({@code http.tls}): the server's {@code SslContext} from PEM files or from
 * a self-signed certificate.
 *
 * <p>Starting points: {@link io.hoard.server.tls.TlsContexts} (what the configuration asks for),
 * {@link io.hoard.server.tls.PemFiles} (certificate chains and keys in every PEM form, via Bouncy
 * Castle), {@link io.hoard.server.tls.SelfSignedCertificates} (a private CA kept once, server
 * certificates re-issued by it for the configured host names).
 */
@NullMarked
package io.hoard.server.tls;

import org.jspecify.annotations.NullMarked;
