package io.hoard.server.tls;

import io.hoard.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes PEM files: certificate chains, and private keys in every form tools write
 * them (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}).
 */
public final class PemFiles {
    private PemFiles() {
    }

    /** Every certificate in the file, in order (leaf first for a server chain). */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : objects(file)) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new ConfigException(file + ": unreadable certificate: " + e.getMessage());
                }
            }
        }
        if (chain.isEmpty()) {
            throw new ConfigException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(chain);
    }

    /** The first private key in the file. */
    public static PrivateKey privateKey(Path file) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object o : objects(file)) {
            try {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            } catch (IOException e) {
                throw new ConfigException(file + ": unreadable private key: " + e.getMessage());
            }
            if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new ConfigException(file + " holds an encrypted private key; give Hoard the key without a "
                        + "passphrase (openssl pkey -in key.pem -out plain.pem)");
            }
        }
        throw new ConfigException(file + " holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** True when {@code key} is the private half of {@code certificate}'s public key. */
    public static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] probe = "hoard key check".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature signer = signature(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signed = signer.sign();
            java.security.Signature verifier = signature(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signed);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static java.security.Signature signature(String algorithm) throws java.security.GeneralSecurityException {
        java.security.Signature s = java.security.Signature.getInstance(algorithm);
        if (algorithm.equals("RSASSA-PSS")) {
            s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                    java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        }
        return s;
    }

    /** Writes {@code objects} (certificates, keys) as PEM, readable by the owner only when {@code secret}. */
    static void write(Path file, boolean secret, Object... objects) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, secret ? OwnerOnly.FILE : new java.nio.file.attribute.FileAttribute<?>[0]);
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII))) {
            for (Object o : objects) {
                // Keys as PKCS#8 ("PRIVATE KEY"), the form every TLS stack reads.
                writer.writeObject(o instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : o);
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<Object> objects(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            List<Object> all = new ArrayList<>();
            for (Object o; (o = parser.readObject()) != null; ) {
                all.add(o);
            }
            return all;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(file + " does not exist");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file + " is not a readable PEM file: " + e.getMessage());
        }
    }

    /** POSIX permissions for secrets, where the file system has them. */
    private static final class OwnerOnly {
        static final java.nio.file.attribute.FileAttribute<?>[] FILE = java.nio.file.FileSystems.getDefault()
                .supportedFileAttributeViews().contains("posix")
                ? new java.nio.file.attribute.FileAttribute<?>[] {java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))}
                : new java.nio.file.attribute.FileAttribute<?>[0];
    }
}
