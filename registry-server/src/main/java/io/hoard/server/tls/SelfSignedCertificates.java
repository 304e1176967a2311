package io.hoard.server.tls;

import io.hoard.config.ConfigException;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code http.tls.selfsigned}: a private CA ({@code ca.crt}, {@code ca.key}) made once and kept, and
 * a server certificate ({@code tls.crt}, {@code tls.key}) it signs for every name the registry is
 * reached by. Clients trust {@code ca.crt}; the server certificate is made anew, by the same CA, when
 * a name is added or it is within 30 days of expiry, so clients never have to trust anything new.
 */
public final class SelfSignedCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificates.class);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVER_VALIDITY = Duration.ofDays(397);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The files a TLS listener uses, and the CA clients must trust. */
    public record Material(Path certificate, Path key, Path caCertificate) {
    }

    private SelfSignedCertificates() {
    }

    /** Makes or reuses the CA and server certificate in {@code dir} for {@code names}. */
    public static Material ensure(Path dir, Collection<String> names, Clock clock) {
        Path caCert = dir.resolve("ca.crt");
        Path caKey = dir.resolve("ca.key");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(caCert) || !Files.exists(caKey)) {
                KeyPair ca = newKeyPair();
                X509Certificate caCertificate = caCertificate(ca, clock.instant());
                PemFiles.write(caKey, true, ca.getPrivate());
                PemFiles.write(caCert, false, caCertificate);
                Files.deleteIfExists(cert); // whatever was there was signed by another CA
                LOG.info("made a private CA for http.tls.selfsigned: {}", caCert);
            }
            X509Certificate ca = PemFiles.certificates(caCert).get(0);
            Set<String> wanted = new LinkedHashSet<>(names);
            if (!isUsable(cert, key, ca, wanted, clock.instant())) {
                KeyPair server = newKeyPair();
                X509Certificate issued = serverCertificate(server.getPublic(), ca, PemFiles.privateKey(caKey), wanted,
                        clock.instant());
                PemFiles.write(key, true, server.getPrivate());
                PemFiles.write(cert, false, issued, ca);
                LOG.info("issued a server certificate for {} (valid until {}): {}", wanted, issued.getNotAfter().toInstant(),
                        cert);
            }
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new ConfigException("http.tls.selfsigned: cannot make or read the certificates in " + dir + ": " + e);
        }
        return new Material(cert, key, caCert);
    }

    private static boolean isUsable(Path cert, Path key, X509Certificate ca, Set<String> names, Instant now) {
        if (!Files.exists(cert) || !Files.exists(key)) {
            return false;
        }
        try {
            X509Certificate current = PemFiles.certificates(cert).get(0);
            current.verify(ca.getPublicKey());
            Set<String> covered = new LinkedHashSet<>();
            for (List<?> san : current.getSubjectAlternativeNames()) {
                covered.add(normalize(String.valueOf(san.get(1))));
            }
            boolean coversAll = names.stream().map(SelfSignedCertificates::normalize).allMatch(covered::contains);
            return coversAll && current.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE));
        } catch (ConfigException | GeneralSecurityException e) {
            LOG.warn("http.tls.selfsigned: {} is unusable ({}); issuing a new one", cert, e.getMessage());
            return false;
        }
    }

    private static String normalize(String name) {
        if (NetUtil.isValidIpV6Address(name)) {
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(name);
            return bytes == null ? name : NetUtil.bytesToIpAddress(bytes);
        }
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static X509Certificate caCertificate(KeyPair ca, Instant now)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        String host = localHostName();
        X500Name subject = new X500Name("CN=Hoard private CA for " + host.replaceAll("[,=+<>#;\"\\\\]", "_")
                + " " + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE) + ",O=Hoard");
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(CA_VALIDITY)), subject, ca.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));
        return sign(builder, ca.getPrivate());
    }

    private static X509Certificate serverCertificate(PublicKey key, X509Certificate ca, PrivateKey caKey, Set<String> names,
            Instant now) throws GeneralSecurityException, OperatorCreationException, IOException {
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            boolean ip = NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name);
            alternatives.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        String first = names.stream().filter(n -> !NetUtil.isValidIpV6Address(n)).findFirst().orElse("localhost");
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(SERVER_VALIDITY)),
                new X500Name("CN=" + first.replaceAll("[,=+<>#;\"\\\\]", "_")), key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternatives.toArray(GeneralName[]::new)))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        return sign(builder, caKey);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }

    /** This machine's host name, or {@code localhost} when it has none. */
    static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
