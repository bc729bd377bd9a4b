package io.bulwark.http.internal;

import io.bulwark.core.identity.WorkloadIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * A client's trust that also requires the server to be one workload: the chain is checked by the
 * JDK's PKIX trust manager (against the trust store, or the JVM's default trust), then the server
 * certificate's identity must equal the expected one. Either failure fails the handshake, before a
 * request byte is sent.
 */
final class IdentityTrust extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager chain;
  private final WorkloadIdentity expected;

  private IdentityTrust(X509ExtendedTrustManager chain, WorkloadIdentity expected) {
    this.chain = chain;
    this.expected = expected;
  }

  /**
   * The trust for a client that expects {@code expected}, over the PKCS#12 {@code trustStore} (or
   * the JVM's default trust when null).
   *
   * @throws IllegalArgumentException naming the trust store if it cannot be read
   */
  static TrustManager expecting(
      WorkloadIdentity expected, @Nullable Path trustStore, String password) {
    try {
      return expecting(
          expected, trustStore == null ? null : Files.readAllBytes(trustStore), password);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "trust store " + trustStore + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** As {@link #expecting(WorkloadIdentity, Path, String)}, over a PKCS#12 trust store's bytes. */
  static TrustManager expecting(
      WorkloadIdentity expected, byte @Nullable [] trustStore, String password) {
    try {
      KeyStore store = null;
      if (trustStore != null) {
        store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new java.io.ByteArrayInputStream(trustStore)) {
          store.load(in, password.toCharArray());
        }
      }
      TrustManagerFactory f =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init(store);
      for (TrustManager m : f.getTrustManagers()) {
        if (m instanceof X509ExtendedTrustManager x) {
          return new IdentityTrust(x, expected);
        }
      }
      throw new IllegalStateException("this JDK has no X.509 trust manager");
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("trust store cannot be read: " + e.getMessage(), e);
    }
  }

  private void identity(X509Certificate[] certificates) throws CertificateException {
    WorkloadIdentity presented =
        certificates.length == 0 ? null : WorkloadIdentity.of(certificates[0]);
    if (!expected.equals(presented)) {
      throw new CertificateException(
          "server certificate names "
              + (presented == null ? "no workload" : presented.toString())
              + "; expected "
              + expected);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType, engine);
    identity(certs);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType, socket);
    identity(certs);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType);
    identity(certs);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a client's trust does not check clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a client's trust does not check clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType)
      throws CertificateException {
    throw new CertificateException("a client's trust does not check clients");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chain.getAcceptedIssuers();
  }
}
