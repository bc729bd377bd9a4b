package io.bulwark.security;

import io.bulwark.core.identity.WorkloadIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A workload's certificate as issued by a {@link WorkloadCa}: its private key, its certificate
 * (naming {@link #identity()} as its one URI subject alternative name) and the chain up to the CA,
 * written in the forms bulwark-http reads: PKCS#12 for a server's or a client's own key, PEM for
 * other tools.
 *
 * @param identity the workload the certificate names
 * @param certificate the workload's own certificate
 * @param key its private key (EC P-256)
 * @param issuer the CA certificate that signed it
 */
public record WorkloadCertificate(
    WorkloadIdentity identity,
    X509Certificate certificate,
    PrivateKey key,
    X509Certificate issuer) {

  public WorkloadCertificate {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(issuer, "issuer");
  }

  /** When the certificate stops being valid. */
  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** The certificate then the CA's, as a PEM bundle. */
  public String chainPem() {
    return pem("CERTIFICATE", encoded(certificate)) + pem("CERTIFICATE", encoded(issuer));
  }

  /** The private key as unencrypted PKCS#8 PEM. */
  public String keyPem() {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /**
   * Writes the key with its chain as a PKCS#12 key store (alias {@code workload}) protected by
   * {@code password}, readable only by its owner where the file system has POSIX permissions.
   */
  public Path writePkcs12(Path file, String password) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(password, "password");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          "workload", key, password.toCharArray(), new Certificate[] {certificate, issuer});
      // written beside, then moved over: a reader (a server reloading it) never sees half a file
      Path dir = file.toAbsolutePath().getParent();
      Path temp =
          Files.createTempFile(
              dir, "." + file.getFileName() + "-", ".tmp", WorkloadCa.ownerOnly(file));
      try {
        try (OutputStream out = Files.newOutputStream(temp)) {
          store.store(out, password.toCharArray());
        }
        Files.move(
            temp,
            file,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
      return file;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write the key store " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@link #chainPem()} to {@code certificateFile} and {@link #keyPem()} to {@code keyFile}.
   */
  public void writePem(Path certificateFile, Path keyFile) throws IOException {
    Files.writeString(certificateFile, chainPem(), StandardCharsets.US_ASCII);
    Files.deleteIfExists(keyFile);
    Files.createFile(keyFile, WorkloadCa.ownerOnly(keyFile));
    Files.writeString(keyFile, keyPem(), StandardCharsets.US_ASCII);
  }

  static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** The chain as a list, the workload's certificate first. */
  public List<X509Certificate> chain() {
    return List.of(certificate, issuer);
  }
}
