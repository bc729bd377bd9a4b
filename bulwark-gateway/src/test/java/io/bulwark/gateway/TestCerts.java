package io.bulwark.gateway;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made in the test by the JDK's own keytool (the running JDK's), for
 * 127.0.0.1 and localhost, as PKCS#12 and as PEM (certificate + PKCS#8 key).
 */
final class TestCerts {
  static final String PASSWORD = "s3cret-Pw-9";

  record Cert(Path pkcs12, Path certPem, Path keyPem, X509Certificate x509) {
    String certText() throws Exception {
      return Files.readString(certPem);
    }

    String keyText() throws Exception {
      return Files.readString(keyPem);
    }
  }

  private TestCerts() {}

  /** A new EC (P-256) certificate with common name {@code cn}, valid from now for a year. */
  static Cert make(Path dir, String cn) throws Exception {
    return make(dir, cn, null, 365);
  }

  /** {@code startDate}: keytool's -startdate (e.g. "-3d"), or null for now. */
  static Cert make(Path dir, String cn, String startDate, int validityDays) throws Exception {
    return make(dir, cn, startDate, validityDays, "ip:127.0.0.1,dns:localhost");
  }

  /** A new certificate issued to the names {@code san} (keytool's syntax: "dns:a,ip:1.2.3.4"). */
  static Cert issuedTo(Path dir, String cn, String san) throws Exception {
    return make(dir, cn, null, 365, san);
  }

  private static Cert make(Path dir, String cn, String startDate, int validityDays, String san)
      throws Exception {
    Path p12 = dir.resolve(cn + ".p12");
    Files.deleteIfExists(p12);
    List<String> cmd = new ArrayList<>();
    String java = ProcessHandle.current().info().command().orElseThrow();
    cmd.add(Path.of(java).resolveSibling("keytool").toString());
    cmd.addAll(
        List.of(
            "-genkeypair",
            "-alias",
            "server",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=" + cn,
            "-ext",
            "san=" + san,
            "-validity",
            Integer.toString(validityDays),
            "-storetype",
            "PKCS12",
            "-keystore",
            p12.toString(),
            "-storepass",
            PASSWORD,
            "-keypass",
            PASSWORD));
    if (startDate != null) {
      cmd.add("-startdate");
      cmd.add(startDate);
    }
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!proc.waitFor(60, TimeUnit.SECONDS) || proc.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    X509Certificate cert = (X509Certificate) ks.getCertificate("server");
    PrivateKey key = (PrivateKey) ks.getKey("server", PASSWORD.toCharArray());
    Path certPem = dir.resolve(cn + ".crt.pem");
    Path keyPem = dir.resolve(cn + ".key.pem");
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
    return new Cert(p12, certPem, keyPem, cert);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** A client context trusting exactly {@code certs}. */
  static SSLContext trusting(Cert... certs) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (Cert c : certs) {
      trust.setCertificateEntry(
          c.x509().getSubjectX500Principal().getName(),
          java.security.cert.CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(c.x509().getEncoded())));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
