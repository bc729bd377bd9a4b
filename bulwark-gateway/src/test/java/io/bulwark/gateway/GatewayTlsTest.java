package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualClock;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination over real loopback: PEM and PKCS#12 listeners, TLS 1.2/1.3 only, ALPN h2, and
 * certificate hot reload (new handshakes get the new certificate, an open connection keeps its own,
 * an invalid file is rejected and the old certificate keeps serving). Certificates are made in the
 * test with the JDK's keytool.
 */
class GatewayTlsTest {
  @TempDir static Path dir;
  static Vertx vertx;
  static Upstream upstream;
  static Gateway gateway;
  static VirtualScheduler scheduler;
  static TestCerts.Cert alpha;
  static TestCerts.Cert beta;
  static Path servedCert;
  static Path servedKey;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = new Upstream(vertx, "up");
    alpha = TestCerts.make(dir, "alpha");
    beta = TestCerts.make(dir, "beta");
    servedCert = dir.resolve("served.crt.pem");
    servedKey = dir.resolve("served.key.pem");
    serve(alpha);
    Files.writeString(dir.resolve("pw.txt"), TestCerts.PASSWORD + "\n");
    scheduler = new VirtualScheduler(new VirtualClock(Instant.now()));
    gateway =
        Gateway.builder(parse(config(dir.resolve("pw.txt"))))
            .vertx(vertx)
            .eventLoops(2)
            .scheduler(scheduler)
            .start();
  }

  static String config(Path passwordFile) {
    return """
        listeners:
          tls:
            port: 0
            tls:
              certificate: %s
              key: %s
              reload-interval: 5s
          p12:
            port: 0
            tls:
              pkcs12: %s
              password-file: %s
              protocols: [TLSv1.3]
        clusters:
          up:
            endpoints: [%s]
            egress-allow: [loopback]
        routes:
          all:
            match: {path-prefix: /}
            cluster: up
        admin:
          port: 0
        """
        .formatted(servedCert, servedKey, alpha.pkcs12(), passwordFile, upstream.endpoint());
  }

  static GatewayConfig parse(String yaml) {
    return ConfigLoader.withEnv(Map.of()).parse(yaml, "tls.yaml", GatewayConfig::bind);
  }

  /** Replaces the served files (new names moved in, as a deploy tool does). */
  static void serve(TestCerts.Cert c) throws Exception {
    write(servedCert, c.certText());
    write(servedKey, c.keyText());
  }

  static void write(Path target, String text) throws Exception {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static HttpClient client(HttpClient.Version version) throws Exception {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(TestCerts.trusting(alpha, beta))
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  static HttpResponse<String> get(HttpClient c, String listener, String path) throws Exception {
    return c.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port(listener) + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String servedName(HttpResponse<?> r) throws Exception {
    X509Certificate leaf = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
    return leaf.getSubjectX500Principal().getName();
  }

  @Test
  void pemListenerServesHttp2OverTlsWithAlpnAndHttp11ToOldClients() throws Exception {
    HttpResponse<String> h2 = get(client(HttpClient.Version.HTTP_2), "tls", "/hello");
    assertThat(h2.statusCode()).isEqualTo(200);
    assertThat(h2.body()).isEqualTo("up /hello");
    assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(h2.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
    HttpResponse<String> h1 = get(client(HttpClient.Version.HTTP_1_1), "tls", "/old");
    assertThat(h1.statusCode()).isEqualTo(200);
    assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    // the upstream saw a forwarded request marked https
    assertThat(upstream.seen.stream().filter(s -> s.uri().equals("/hello")).findFirst())
        .hasValueSatisfying(s -> assertThat(s.headers().get("x-forwarded-proto")).isNotNull());
  }

  @Test
  void tls12IsAcceptedOnTheDefaultListenerAndRefusedWhereOnly13IsConfigured() throws Exception {
    assertThat(handshake("tls", "TLSv1.2")).isEqualTo("TLSv1.2");
    assertThatThrownBy(() -> handshake("p12", "TLSv1.2")).isInstanceOf(SSLHandshakeException.class);
    assertThat(handshake("p12", "TLSv1.3")).isEqualTo("TLSv1.3");
  }

  @Test
  void pkcs12ListenerWithPasswordFromFileServes() throws Exception {
    HttpResponse<String> r = get(client(HttpClient.Version.HTTP_2), "p12", "/p12");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(servedName(r)).isEqualTo("CN=alpha");
  }

  @Test
  void curlNegotiatesHttp2AndVerifiesTheCertificate() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed");
    Path ca = dir.resolve("curl-ca.pem");
    Files.writeString(ca, alpha.certText() + beta.certText());
    Process p =
        new ProcessBuilder(
                "/usr/bin/curl",
                "-sS",
                "--http2",
                "--cacert",
                ca.toString(),
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{http_version} %{ssl_verify_result}",
                "https://127.0.0.1:" + gateway.port("tls") + "/curl")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).isEqualTo("200 2 0");
  }

  /**
   * The reload sequence on one listener: an open connection made with alpha, then beta in the files
   * (picked up by the reload timer on the injected scheduler), then a certificate whose key does
   * not match, then an expired one, then garbage: each rejected, beta still served.
   */
  @Test
  void certificateHotReloadSwapsNewHandshakesKeepsOpenConnectionsAndRejectsInvalidFiles()
      throws Exception {
    try (SSLSocket open = socket("tls", "TLSv1.3")) {
      assertThat(name(open)).isEqualTo("CN=alpha");
      assertThat(request(open, "/before")).startsWith("HTTP/1.1 200");

      serve(beta);
      scheduler.advance(Duration.ofSeconds(5)); // the reload timer checks the files
      HttpResponse<String> after = get(client(HttpClient.Version.HTTP_2), "tls", "/after");
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(servedName(after)).isEqualTo("CN=beta");
      // the connection made before the reload still works, with the certificate it was made with
      assertThat(request(open, "/still-open")).startsWith("HTTP/1.1 200");
      assertThat(name(open)).isEqualTo("CN=alpha");
    }

    // alpha's certificate with beta's key: rejected, beta keeps serving
    write(servedCert, alpha.certText());
    write(servedKey, beta.keyText());
    List<String> mismatch = gateway.reloadCertificates();
    assertThat(mismatch)
        .singleElement()
        .asString()
        .contains("listener tls: certificate rejected, the previous one keeps serving")
        .contains("served.crt.pem")
        .contains("private key does not match the certificate \"CN=alpha\"");
    assertThat(servedName(get(client(HttpClient.Version.HTTP_2), "tls", "/x")))
        .isEqualTo("CN=beta");
    // reported once, not on every tick while the files stay the same
    assertThat(gateway.reloadCertificates()).isEmpty();

    TestCerts.Cert old = TestCerts.make(dir, "expired", "-10d", 2);
    serve(old);
    assertThat(gateway.reloadCertificates())
        .singleElement()
        .asString()
        .contains("certificate \"CN=expired\" expired on");
    assertThat(servedName(get(client(HttpClient.Version.HTTP_2), "tls", "/y")))
        .isEqualTo("CN=beta");

    write(
        servedCert, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    write(servedKey, beta.keyText());
    assertThat(gateway.reloadCertificates())
        .singleElement()
        .asString()
        .contains("served.crt.pem: not a PEM certificate chain");
    assertThat(servedName(get(client(HttpClient.Version.HTTP_1_1), "tls", "/z")))
        .isEqualTo("CN=beta");

    // a valid file again is taken: alpha back
    serve(alpha);
    assertThat(gateway.reloadCertificates())
        .singleElement()
        .asString()
        .contains("certificate reloaded: \"CN=alpha\"");
    assertThat(servedName(get(client(HttpClient.Version.HTTP_2), "tls", "/back")))
        .isEqualTo("CN=alpha");
  }

  @Test
  void aWrongPkcs12PasswordStopsStartupWithAClearErrorThatDoesNotContainIt() throws Exception {
    Path wrong = dir.resolve("wrong-pw.txt");
    Files.writeString(wrong, "not-the-Pw-42");
    assertThatThrownBy(() -> Gateway.builder(parse(config(wrong))).vertx(vertx).start())
        .hasMessageContaining("listener p12: tls:")
        .hasMessageContaining("alpha.p12: cannot open the PKCS#12 key store")
        .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain("not-the-Pw-42"));
  }

  @Test
  void badTlsSettingsAreReportedWithFileLineAndField() {
    String yaml =
        """
        listeners:
          edge:
            port: 0
            tls:
              certificate: a.pem
              protocols: [TLSv1.1]
          both:
            port: 0
            tls:
              certificate: a.pem
              key: a.key
              pkcs12: a.p12
          alpn:
            port: 0
            tls:
              pkcs12: a.p12
              alpn: [h3]
        routes: {}
        """;
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls.yaml:5: listeners.edge.tls: certificate needs key")
        .hasMessageContaining("listeners.both.tls: set either certificate + key (PEM) or pkcs12")
        .hasMessageContaining("listeners.alpn.tls: alpn: \"h3\" is not supported");
  }

  private static String handshake(String listener, String protocol) throws Exception {
    try (SSLSocket s = socket(listener, protocol)) {
      return s.getSession().getProtocol();
    }
  }

  private static SSLSocket socket(String listener, String protocol) throws Exception {
    SSLContext ctx = TestCerts.trusting(alpha, beta);
    SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", gateway.port(listener));
    s.setSoTimeout(10_000);
    SSLParameters params = s.getSSLParameters();
    params.setProtocols(new String[] {protocol});
    params.setApplicationProtocols(new String[] {"http/1.1"});
    s.setSSLParameters(params);
    s.startHandshake();
    return s;
  }

  private static String name(SSLSocket s) throws Exception {
    return ((X509Certificate) s.getSession().getPeerCertificates()[0])
        .getSubjectX500Principal()
        .getName();
  }

  /** One keep-alive HTTP/1.1 request on {@code s}; returns the head and body. */
  private static String request(SSLSocket s, String path) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return RawHttp.readResponse(s.getInputStream());
  }
}
