package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import io.bulwark.security.WorkloadCa;
import io.bulwark.security.WorkloadCertificate;
import io.bulwark.test.VirtualClock;
import io.bulwark.test.VirtualScheduler;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate renewal without a restart: a server's key store and client CA are replaced on disk,
 * and new handshakes (made here with the JDK's own TLS socket) see what was checked and loaded,
 * never a file that does not load.
 */
class TlsRotationTest {
  static final String PW = "r0tate-Pw";
  static final WorkloadIdentity ORDERS = WorkloadIdentity.of("shop", "orders");
  static final WorkloadIdentity BFF = WorkloadIdentity.of("shop", "bff");

  @TempDir Path dir;

  @Test
  void aRenewedCertificateServesNewHandshakesAndABrokenOneIsRefused() throws Exception {
    VirtualClock caClock = new VirtualClock(Instant.now().minus(Duration.ofDays(3)));
    WorkloadCa ca = WorkloadCa.create("shop", Duration.ofDays(10), caClock);
    WorkloadCertificate expired = ca.issue(ORDERS, Duration.ofHours(1)); // ended 3 days ago
    caClock.advance(Duration.ofDays(3));
    WorkloadCertificate first = ca.issue(ORDERS, Duration.ofDays(1));
    WorkloadCertificate second = ca.issue(ORDERS, Duration.ofDays(1));
    Path keyStore = first.writePkcs12(dir.resolve("orders.p12"), PW);
    Path caPem = ca.writeCertificatePem(dir.resolve("ca.pem"));
    ca.issue(BFF, Duration.ofDays(1)).writePkcs12(dir.resolve("bff.p12"), PW);

    BulwarkServer server = server(keyStore, caPem, Duration.ofHours(1), null);
    try {
      assertThat(serverSerial(server, "bff.p12", caPem)).isEqualTo(serial(first));
      assertThat(server.reloadTls()).as("unchanged files").isNull();

      second.writePkcs12(dir.resolve("orders.p12"), PW);
      assertThat(server.reloadTls()).startsWith("reloaded: " + keyStore);
      assertThat(serverSerial(server, "bff.p12", caPem)).isEqualTo(serial(second));

      Files.writeString(keyStore, "not a key store");
      assertThat(server.reloadTls()).startsWith("refused: key store " + keyStore);
      assertThat(server.reloadTls()).as("reported once until the files change").isNull();
      assertThat(serverSerial(server, "bff.p12", caPem)).isEqualTo(serial(second));

      expired.writePkcs12(dir.resolve("orders.p12"), "wrong password");
      assertThat(server.reloadTls()).startsWith("refused: key store " + keyStore);
      expired.writePkcs12(dir.resolve("orders.p12"), PW);
      assertThat(server.reloadTls()).startsWith("refused:").contains("expired");
      assertThat(serverSerial(server, "bff.p12", caPem)).isEqualTo(serial(second));
    } finally {
      server.shutdown();
    }
  }

  @Test
  void aNewClientCaIsTrustedAfterItsCheckAndTheFilesAreReadOnTheServersScheduler()
      throws Exception {
    WorkloadCa old = WorkloadCa.create("shop", Duration.ofDays(10));
    WorkloadCa next = WorkloadCa.create("shop", Duration.ofDays(10));
    Path keyStore = old.issue(ORDERS, Duration.ofDays(1)).writePkcs12(dir.resolve("o.p12"), PW);
    Path caPem = old.writeCertificatePem(dir.resolve("ca.pem"));
    old.issue(BFF, Duration.ofDays(1)).writePkcs12(dir.resolve("bff-old.p12"), PW);
    next.issue(BFF, Duration.ofDays(1)).writePkcs12(dir.resolve("bff-next.p12"), PW);
    Path trustBoth = dir.resolve("both.pem");
    Files.writeString(trustBoth, old.certificatePem() + next.certificatePem());

    VirtualScheduler scheduler = new VirtualScheduler();
    BulwarkServer server = server(keyStore, caPem, Duration.ofSeconds(10), scheduler);
    try {
      assertThat(handshakes(server, "bff-next.p12", trustBoth)).isFalse(); // not trusted yet
      // the CA bundle grows to both CAs: from the next check on, both kinds of client are let in
      Files.writeString(caPem, old.certificatePem() + next.certificatePem());
      scheduler.advance(Duration.ofSeconds(9));
      assertThat(handshakes(server, "bff-next.p12", trustBoth)).as("before the check").isFalse();
      scheduler.advance(Duration.ofSeconds(1)); // the scheduled check starts (a thread of its own)
      // reloadTls waits for it, then finds nothing new: the scheduled check loaded the bundle
      assertThat(server.reloadTls()).as("the scheduled check already loaded it").isNull();
      assertThat(handshakes(server, "bff-next.p12", trustBoth)).isTrue();
      assertThat(handshakes(server, "bff-old.p12", trustBoth)).isTrue();
    } finally {
      server.shutdown();
    }
    assertThat(scheduler.pendingTasks()).as("the file check stops with the server").isZero();
  }

  @Test
  void aClientsRenewedCertificateIsPresentedOnItsNextConnection() throws Exception {
    WorkloadCa ca = WorkloadCa.create("shop", Duration.ofDays(10));
    WorkloadCa other = WorkloadCa.create("shop", Duration.ofDays(10));
    Path keyStore =
        ca.issue(ORDERS, Duration.ofDays(1), java.util.List.of("127.0.0.1"))
            .writePkcs12(dir.resolve("orders.p12"), PW);
    Path caPem = ca.writeCertificatePem(dir.resolve("ca.pem"));
    Path trust = ca.writeTrustStore(dir.resolve("ca.p12"), PW);
    Path own = other.issue(BFF, Duration.ofDays(1)).writePkcs12(dir.resolve("bff.p12"), PW);
    BulwarkServer server = server(keyStore, caPem, Duration.ofHours(1), null);
    Loopback net = new Loopback();
    try {
      ServiceClient client =
          net.urlClients(
                  b ->
                      b.client(
                              "orders",
                              "https://127.0.0.1:" + server.port(),
                              ClientConfig.builder("orders")
                                  .keyStore(own, PW)
                                  .trustStore(trust, PW)
                                  .serverIdentity(ORDERS)
                                  .tlsReloadInterval(Duration.ofHours(1))
                                  .build())
                          .decorators((n, d) -> CallDecorator.none()))
              .client("orders");
      // its certificate comes from a CA the server does not trust: refused in the handshake
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.get("/who"))
          .isInstanceOf(HttpCallException.class);
      assertThat(client.reloadTls()).isNull();

      Files.writeString(own, "broken");
      assertThat(client.reloadTls()).startsWith("refused: key store " + own);
      ca.issue(BFF, Duration.ofDays(1)).writePkcs12(own, PW); // renewed by the server's CA
      assertThat(client.reloadTls()).startsWith("reloaded: " + own + ", " + trust);
      ClientResponse r = client.get("/who");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyAsString()).isEqualTo("spiffe://shop/bff");
    } finally {
      net.close();
      server.shutdown();
    }
  }

  private static BulwarkServer server(
      Path keyStore, Path caPem, Duration interval, VirtualScheduler scheduler) {
    BulwarkServer.Builder b =
        BulwarkServer.builder()
            .eventLoops(1)
            .config(
                ServerConfig.builder()
                    .tls(keyStore, PW)
                    .clientCa(caPem)
                    .tlsReloadInterval(interval)
                    .build())
            .get("/who", r -> Response.text(200, String.valueOf(r.peer())));
    if (scheduler != null) {
      b.scheduler(scheduler);
    }
    return b.build().start();
  }

  private static BigInteger serial(WorkloadCertificate c) {
    return c.certificate().getSerialNumber();
  }

  /** The serial of the certificate the server presents to a new handshake, after one request. */
  private BigInteger serverSerial(BulwarkServer server, String clientKeyStore, Path trust)
      throws Exception {
    try (SSLSocket s = connect(server, clientKeyStore, trust)) {
      s.startHandshake();
      X509Certificate presented = (X509Certificate) s.getSession().getPeerCertificates()[0];
      assertThat(get(s)).contains("spiffe://shop/bff");
      return presented.getSerialNumber();
    }
  }

  /** Whether a new connection with {@code clientKeyStore}'s certificate is answered. */
  private boolean handshakes(BulwarkServer server, String clientKeyStore, Path trust)
      throws Exception {
    try (SSLSocket s = connect(server, clientKeyStore, trust)) {
      s.startHandshake();
      return get(s).startsWith("HTTP/1.1 200"); // TLS 1.3: a refused certificate shows here
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private SSLSocket connect(BulwarkServer server, String clientKeyStore, Path trust)
      throws Exception {
    KeyStore own = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(clientKeyStore))) {
      own.load(in, PW.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(own, PW.toCharArray());
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    int i = 0;
    try (InputStream in = Files.newInputStream(trust)) {
      for (var c :
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca" + i++, c);
      }
    }
    TrustManagerFactory tm =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tm.init(trusted);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys.getKeyManagers(), tm.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port());
    s.setSoTimeout(10_000);
    s.setEnabledProtocols(new String[] {"TLSv1.3"});
    javax.net.ssl.SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"http/1.1"});
    s.setSSLParameters(p);
    return s;
  }

  private static String get(SSLSocket s) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(
        "GET /who HTTP/1.1\r\nhost: orders\r\nconnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
