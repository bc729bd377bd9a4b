package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.test.VirtualClock;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from the gateway to its upstreams, against real TLS servers on loopback: the upstream's chain
 * and name are verified (an untrusted chain or a certificate issued to another name fails the
 * attempt with 502 before a request byte reaches the upstream), {@code server-name} is checked and
 * sent as SNI, mutual TLS presents the configured client certificate, HTTP/2 is agreed with ALPN,
 * and bad settings are refused at load with the file, line and field.
 */
class GatewayUpstreamTlsTest {
  @TempDir static Path dir;
  static Vertx vertx;
  static Gateway gateway;
  static HttpClient client;
  static String config;
  static VirtualScheduler scheduler;
  static TestCerts.Cert local; // issued to localhost and 127.0.0.1
  static TestCerts.Cert named; // issued to orders.internal only
  static TestCerts.Cert stranger; // trusted by nobody
  static TestCerts.Cert gatewayId; // the gateway's client certificate
  static TestCerts.Cert rotatedId; // its successor, written over the same files
  static Path clientCert;
  static Path clientKey;
  static TlsUpstream plain;
  static TlsUpstream byName;
  static TlsUpstream mutual;
  static TlsUpstream h2;

  /** A TLS server on 127.0.0.1 that answers what it saw of the connection and the request. */
  static final class TlsUpstream {
    final HttpServer server;
    final AtomicInteger requests = new AtomicInteger();

    TlsUpstream(TestCerts.Cert cert, boolean alpnH2, TestCerts.Cert... requiredClients)
        throws Exception {
      HttpServerOptions o =
          new HttpServerOptions()
              .setHost("127.0.0.1")
              .setPort(0)
              .setSsl(true)
              .setSni(true)
              .setKeyCertOptions(
                  new PemKeyCertOptions()
                      .setCertPath(cert.certPem().toString())
                      .setKeyPath(cert.keyPem().toString()));
      if (requiredClients.length > 0) {
        PemTrustOptions trust = new PemTrustOptions();
        for (TestCerts.Cert c : requiredClients) {
          trust.addCertPath(c.certPem().toString());
        }
        o.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(trust);
      }
      if (alpnH2) {
        o.setUseAlpn(true);
      }
      server =
          vertx
              .createHttpServer(o)
              .requestHandler(
                  req -> {
                    requests.incrementAndGet();
                    String peer = "none";
                    try {
                      X509Certificate c =
                          (X509Certificate) req.connection().peerCertificates().get(0);
                      peer = c.getSubjectX500Principal().getName();
                    } catch (SSLPeerUnverifiedException e) {
                      peer = "none";
                    }
                    req.response()
                        .end(
                            "tls="
                                + req.isSSL()
                                + " version="
                                + req.version()
                                + " sni="
                                + req.connection().indicatedServerName()
                                + " host="
                                + req.authority()
                                + " peer="
                                + peer);
                  })
              .listen()
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    }

    int port() {
      return server.actualPort();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    local = TestCerts.make(dir, "upstream-local");
    named = TestCerts.issuedTo(dir, "orders", "dns:orders.internal");
    stranger = TestCerts.make(dir, "stranger");
    gatewayId = TestCerts.make(dir, "gateway-client");
    rotatedId = TestCerts.make(dir, "gateway-client-2");
    clientCert = dir.resolve("client.crt.pem");
    clientKey = dir.resolve("client.key.pem");
    present(gatewayId);
    plain = new TlsUpstream(local, false);
    byName = new TlsUpstream(named, false);
    mutual = new TlsUpstream(local, false, gatewayId, rotatedId);
    h2 = new TlsUpstream(local, true);
    String yaml =
        """
        listeners:
          edge: {port: 0}
        clusters:
          trusted:
            endpoints: [localhost:%d]
            egress-allow: [loopback]
            tls: {ca: %s}
          untrusted:
            endpoints: [localhost:%d]
            egress-allow: [loopback]
            tls: {ca: %s}
          by-ip:
            endpoints: [127.0.0.1:%d]
            egress-allow: [loopback]
            tls: {ca: %s}
          by-name:
            endpoints: [127.0.0.1:%d]
            egress-allow: [loopback]
            tls: {ca: %s, server-name: orders.internal}
          no-client-cert:
            endpoints: [localhost:%d]
            egress-allow: [loopback]
            tls: {ca: %s}
          client-cert:
            endpoints: [localhost:%d]
            egress-allow: [loopback]
            tls: {ca: %s, certificate: %s, key: %s, protocols: [TLSv1.3], reload-interval: 5s}
          h2:
            endpoints: [localhost:%d]
            egress-allow: [loopback]
            protocol: h2
            tls: {ca: %s}
          jdk-trust:
            endpoints: [localhost:%d]
            egress-allow: [loopback]
            tls: {}
          checked:
            endpoints: [localhost:%d, 127.0.0.1:%d]
            egress-allow: [loopback]
            tls: {ca: %s}
            health-check:
              path: /health
              interval: 1s
              timeout: 1s
              healthy-threshold: 1
              unhealthy-threshold: 1
        admin: {port: 0}
        routes:
          trusted: {match: {path-prefix: /trusted}, cluster: trusted}
          untrusted: {match: {path-prefix: /untrusted}, cluster: untrusted}
          by-ip: {match: {path-prefix: /by-ip}, cluster: by-ip}
          by-name: {match: {path-prefix: /by-name}, cluster: by-name}
          no-client-cert: {match: {path-prefix: /no-client-cert}, cluster: no-client-cert}
          client-cert: {match: {path-prefix: /client-cert}, cluster: client-cert}
          h2: {match: {path-prefix: /h2}, cluster: h2}
          jdk-trust: {match: {path-prefix: /jdk-trust}, cluster: jdk-trust}
        """
            .formatted(
                plain.port(),
                local.certPem(),
                plain.port(),
                stranger.certPem(),
                byName.port(),
                named.certPem(),
                byName.port(),
                named.certPem(),
                mutual.port(),
                local.certPem(),
                mutual.port(),
                local.certPem(),
                clientCert,
                clientKey,
                h2.port(),
                local.certPem(),
                plain.port(),
                plain.port(),
                byName.port(),
                local.certPem());
    config = yaml;
    scheduler = new VirtualScheduler(new VirtualClock(Instant.now()));
    gateway = Gateway.builder(parse(yaml)).vertx(vertx).eventLoops(1).scheduler(scheduler).start();
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static GatewayConfig parse(String yaml) {
    return ConfigLoader.withEnv(Map.of()).parse(yaml, "upstream-tls.yaml", GatewayConfig::bind);
  }

  /** Writes {@code id}'s certificate and key over the files the client-cert cluster presents. */
  static void present(TestCerts.Cert id) throws Exception {
    Files.writeString(clientCert, id.certText());
    Files.writeString(clientKey, id.keyText());
  }

  /**
   * The gateway answers {@code path} with 502 and {@code upstream} got no request: the handshake
   * failed before a byte of the request was sent.
   */
  static void assertRefusedBeforeAnyRequest(String path, TlsUpstream upstream) throws Exception {
    int before = upstream.requests.get();
    assertThat(get(path).statusCode()).isEqualTo(502);
    assertThat(upstream.requests.get()).isEqualTo(before);
  }

  static HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("edge") + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aTrustedUpstreamIsReachedOverVerifiedTls() throws Exception {
    HttpResponse<String> r = get("/trusted/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("tls=true", "version=HTTP_1_1", "host=localhost:" + plain.port(), "peer=none");
  }

  @Test
  void anUpstreamWhoseChainIsNotTrustedGetsNoRequestAndTheClient502() throws Exception {
    assertRefusedBeforeAnyRequest("/untrusted/x", plain);
  }

  @Test
  void theCertificateMustBeIssuedToTheServerNameWhichIsSentAsSni() throws Exception {
    // the endpoint is an address the certificate does not name: refused, nothing sent
    assertRefusedBeforeAnyRequest("/by-ip/x", byName);
    // with server-name, the same endpoint is verified against that name and told it as SNI
    HttpResponse<String> r = get("/by-name/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("tls=true", "sni=orders.internal", "host=orders.internal:");
  }

  @Test
  void mutualTlsPresentsTheConfiguredClientCertificate() throws Exception {
    assertRefusedBeforeAnyRequest("/no-client-cert/x", mutual);
    HttpResponse<String> r = get("/client-cert/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("peer=CN=gateway-client");
  }

  @Test
  void aClientCertificateRotatedUnderTheSamePathIsPresentedAfterTheNextReload() throws Exception {
    assertThat(get("/client-cert/x").body()).endsWith("peer=CN=gateway-client");
    present(rotatedId);
    try {
      gateway.reload(parse(config)); // the same config text: only the files changed
      assertThat(get("/client-cert/x").body()).endsWith("peer=CN=gateway-client-2");
    } finally {
      present(gatewayId);
      gateway.reload(parse(config));
    }
    assertThat(get("/client-cert/x").body()).endsWith("peer=CN=gateway-client");
  }

  @Test
  void healthProbesSpeakTheClustersTlsAndAnUnverifiableEndpointIsUnhealthy() throws Exception {
    String good = "localhost:" + plain.port();
    String bad = "127.0.0.1:" + byName.port(); // its certificate is not one the cluster trusts
    for (int i = 0; i < 20; i++) {
      scheduler.advance(Duration.ofSeconds(1)); // one probe round, real TLS on loopback
      for (int j = 0; j < 200; j++) {
        String view = clusters();
        if (statusOf(view, "checked", bad).startsWith("unhealthy")
            && statusOf(view, "checked", good).startsWith("healthy")) {
          return;
        }
        Thread.onSpinWait();
      }
    }
    throw new AssertionError("probes never judged " + bad + " unhealthy: " + clusters());
  }

  @Test
  void theAdminViewShowsEachClustersTlsWithoutKeyMaterial() throws Exception {
    String view = clusters();
    assertThat(AdminView.cluster(view, "client-cert").get("tls").get("client-certificate").asText())
        .isEqualTo(clientCert.toString());
    assertThat(AdminView.cluster(view, "client-cert").get("tls").get("protocols").toString())
        .isEqualTo("[\"TLSv1.3\"]");
    assertThat(AdminView.cluster(view, "by-name").get("tls").get("server-name").asText())
        .isEqualTo("orders.internal");
    assertThat(AdminView.cluster(view, "jdk-trust").get("tls").get("trust").asText())
        .isEqualTo("jdk-default");
    assertThat(AdminView.cluster(view, "h2").get("protocol").asText()).isEqualTo("h2");
    assertThat(clusters()).doesNotContain("PRIVATE KEY").doesNotContain("client.key.pem");
  }

  static String clusters() throws Exception {
    return AdminView.clusters(gateway);
  }

  static String statusOf(String view, String cluster, String id) throws Exception {
    return AdminView.statusOf(view, cluster, id);
  }

  @Test
  void aRotatedClientCertificateIsPickedUpByTheFileWatchWithoutAReload() throws Exception {
    assertThat(get("/client-cert/x").body()).endsWith("peer=CN=gateway-client");
    long version = gateway.configVersion();
    try {
      // a broken new pair is reported and not used: the old certificate keeps being presented
      Files.writeString(clientCert, rotatedId.certText());
      Files.writeString(clientKey, gatewayId.keyText()); // the old key: does not match
      scheduler.advance(Duration.ofSeconds(5));
      assertThat(get("/client-cert/x").body()).endsWith("peer=CN=gateway-client");
      assertThat(gateway.configVersion()).isEqualTo(version);
      // the matching key arrives: the next check renews the cluster's connections with it
      Files.writeString(clientKey, rotatedId.keyText());
      scheduler.advance(Duration.ofSeconds(5));
      assertThat(gateway.configVersion()).isEqualTo(version + 1);
      assertThat(get("/client-cert/x").body()).endsWith("peer=CN=gateway-client-2");
    } finally {
      present(gatewayId);
      scheduler.advance(Duration.ofSeconds(5));
    }
    assertThat(get("/client-cert/x").body()).endsWith("peer=CN=gateway-client");
  }

  @Test
  void h2IsAgreedWithAlpn() throws Exception {
    HttpResponse<String> r = get("/h2/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("tls=true", "version=HTTP_2");
  }

  @Test
  void badUpstreamTlsSettingsAreRefusedAtLoadWithFileLineAndField() throws Exception {
    Path notPem = dir.resolve("not-a-cert.pem");
    Files.writeString(notPem, "hello");
    String yaml =
        """
        clusters:
          h2-plain:
            endpoints: [a.example:443]
            protocol: h2
          h2c-tls:
            endpoints: [a.example:443]
            protocol: h2c
            tls: {}
          half-pair:
            endpoints: [a.example:443]
            tls: {key: k.pem}
          ip-name:
            endpoints: [a.example:443]
            tls: {server-name: 10.0.0.1}
          old:
            endpoints: [a.example:443]
            tls: {protocols: [TLSv1.1]}
          missing-ca:
            endpoints: [a.example:443]
            tls: {ca: %s}
          bad-ca:
            endpoints: [a.example:443]
            tls: {ca: %s}
          mismatched-key:
            endpoints: [a.example:443]
            tls: {certificate: %s, key: %s}
          host-kept:
            endpoints: [a.example:443]
            preserve-host: true
            tls: {server-name: a.example}
          never-checked:
            endpoints: [a.example:443]
            tls: {reload-interval: 0s}
        routes: {}
        """
            .formatted(dir.resolve("missing.pem"), notPem, gatewayId.certPem(), stranger.keyPem());
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("protocol h2 is HTTP/2 over TLS and needs tls")
        .hasMessageContaining("protocol h2c is cleartext; with tls use h2")
        .hasMessageContaining("clusters.half-pair.tls: key needs certificate")
        .hasMessageContaining("server-name: \"10.0.0.1\" is not a DNS name")
        .hasMessageContaining("protocols: \"TLSv1.1\" is not allowed")
        .hasMessageContaining("missing.pem")
        .hasMessageContaining("not-a-cert.pem")
        .hasMessageContaining("preserve-host with tls is not supported")
        .hasMessageContaining("clusters.never-checked.tls: reload-interval")
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .containsPattern("upstream-tls\\.yaml:\\d+: clusters\\.half-pair\\.tls")
                    .contains("gateway-client.crt.pem"));
  }

  @Test
  void withoutCaTheJdkTrustStoreDecidesAndASelfSignedUpstreamIsRefused() throws Exception {
    assertRefusedBeforeAnyRequest("/jdk-trust/x", plain);
    UpstreamTlsConfig t = UpstreamTlsConfig.trusting(null);
    assertThat(t.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
    assertThat(ClusterConfig.of("c", List.of(Endpoint.of("a.example", 443))).tls()).isNull();
  }
}
