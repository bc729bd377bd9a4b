package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.http.AuthorizationPolicy;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import io.bulwark.security.WorkloadCa;
import io.bulwark.security.WorkloadCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero trust between services, tried from outside: a server that requires mutual TLS and an
 * authorization policy, called by curl (OpenSSL) and by a {@link ServiceClient} with workload
 * certificates from a real CA, from a second CA that names the same trust domain, with no
 * certificate, and by workloads the policy does not allow.
 */
class MutualTlsTest {
  static final String PW = "w0rkload-Pw";
  static final WorkloadIdentity ORDERS = WorkloadIdentity.of("shop", "orders");
  static final WorkloadIdentity BFF = WorkloadIdentity.of("shop", "bff");
  static final WorkloadIdentity REPORTS = WorkloadIdentity.of("shop", "reports");

  @TempDir static Path dir;
  static WorkloadCa ca;
  static Loopback net;
  static BulwarkServer orders;
  static String base;
  static final AtomicInteger HANDLED = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    ca = WorkloadCa.create("shop", Duration.ofDays(2));
    ca.writeCertificatePem(dir.resolve("ca.pem"));
    ca.writeTrustStore(dir.resolve("ca.p12"), PW);
    ca.issue(ORDERS, Duration.ofHours(1), List.of("127.0.0.1", "localhost"))
        .writePkcs12(dir.resolve("orders.p12"), PW);
    pem(ca.issue(BFF, Duration.ofHours(1)), "bff");
    ca.issue(BFF, Duration.ofHours(1)).writePkcs12(dir.resolve("bff.p12"), PW);
    pem(ca.issue(REPORTS, Duration.ofHours(1)), "reports");
    // a second CA naming the same trust domain: its certificates must not be trusted
    WorkloadCa rogue = WorkloadCa.create("shop", Duration.ofDays(2));
    pem(rogue.issue(BFF, Duration.ofHours(1)), "rogue-bff");
    rogue
        .issue(ORDERS, Duration.ofHours(1), List.of("127.0.0.1"))
        .writePkcs12(dir.resolve("rogue-orders.p12"), PW);

    AuthorizationPolicy policy =
        AuthorizationPolicy.builder()
            .allow("read-orders", List.of("/orders/{id}"), List.of("GET"), List.of(BFF.toString()))
            .allow(
                "place-orders",
                List.of("/orders"),
                List.of("POST"),
                List.of(BFF.toString(), "spiffe://shop/gateway"))
            .build();
    net = new Loopback();
    orders =
        net.server(
            s ->
                s.config(
                        ServerConfig.builder()
                            .tls(dir.resolve("orders.p12"), PW)
                            .clientCa(dir.resolve("ca.pem"))
                            .authorization(policy)
                            .build())
                    .get(
                        "/orders/{id}",
                        r -> {
                          HANDLED.incrementAndGet();
                          return Response.text(
                              200, "order " + r.pathParam("id") + " for " + r.peer());
                        })
                    .post(
                        "/orders",
                        r -> {
                          HANDLED.incrementAndGet();
                          return Response.text(201, "placed " + r.bodyAsString().length());
                        })
                    .get(
                        "/admin/stats",
                        r -> {
                          HANDLED.incrementAndGet();
                          return Response.text(200, "ADMIN");
                        }));
    net.publish("orders", orders);
    base = "https://127.0.0.1:" + orders.port();
  }

  @AfterAll
  static void stop() {
    net.close();
  }

  private static void pem(WorkloadCertificate c, String name) throws Exception {
    c.writePem(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
  }

  /** curl with {@code who}'s certificate (or none for null); the output ends "status". */
  private static Curl curl(String who, String... args) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed: skipped");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/bin/curl",
                "-sS",
                "--max-time",
                "20",
                "--cacert",
                dir.resolve("ca.pem").toString(),
                "-w",
                "\n%{http_code}"));
    if (who != null) {
      cmd.addAll(
          List.of(
              "--cert",
              dir.resolve(who + ".pem").toString(),
              "--key",
              dir.resolve(who + ".key").toString()));
    }
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl ended").isTrue();
    return new Curl(p.exitValue(), out);
  }

  record Curl(int exit, String output) {
    String status() {
      return output.substring(output.lastIndexOf('\n') + 1);
    }

    String body() {
      return output.substring(0, output.lastIndexOf('\n'));
    }
  }

  @Test
  void anAllowedWorkloadIsServedAndItsHandlerSeesWhoCalled() throws Exception {
    Curl c = curl("bff", base + "/orders/7");
    assertThat(c.exit()).as(c.output()).isZero();
    assertThat(c.status()).isEqualTo("200");
    assertThat(c.body()).isEqualTo("order 7 for spiffe://shop/bff");
    Curl post = curl("bff", "-X", "POST", "--data-binary", "abc", base + "/orders");
    assertThat(post.status()).as(post.output()).isEqualTo("201");
    // HEAD runs the GET route, and is allowed; on HTTP/2 (ALPN) and on HTTP/1.1
    for (String version : List.of("--http2", "--http1.1")) {
      Curl head = curl("bff", version, "-I", base + "/orders/7");
      assertThat(head.exit()).as(head.output()).isZero();
      assertThat(head.status()).as(head.output()).isEqualTo("200");
      assertThat(head.output()).doesNotContain("order 7 for");
      if (version.equals("--http2")) { // the GET answer's length, as the GET would announce it
        assertThat(head.output().toLowerCase(java.util.Locale.ROOT))
            .contains("content-length: " + "order 7 for spiffe://shop/bff".length());
      }
    }
  }

  @Test
  void http2ConnectionsCarryTheCallersIdentityOnEveryStream() throws Exception {
    Curl c = curl("bff", "--http2", base + "/orders/1", base + "/orders/2");
    assertThat(c.exit()).as(c.output()).isZero();
    assertThat(c.output())
        .contains("order 1 for spiffe://shop/bff")
        .contains("order 2 for spiffe://shop/bff");
  }

  @Test
  void withoutAClientCertificateTheHandshakeFailsAndNothingIsHandled() throws Exception {
    refusedInTheHandshake(null);
  }

  @Test
  void aCertificateFromAnotherCaNamingTheSameTrustDomainIsRefusedInTheHandshake() throws Exception {
    refusedInTheHandshake("rogue-bff");
  }

  /** curl with {@code who}'s certificate gets no HTTP answer at all, and no handler runs. */
  private static void refusedInTheHandshake(String who) throws Exception {
    int before = HANDLED.get();
    Curl c = curl(who, base + "/orders/7");
    assertThat(c.exit()).as(c.output()).isNotZero();
    assertThat(c.status()).isEqualTo("000");
    assertThat(HANDLED.get()).isEqualTo(before);
  }

  @Test
  void aTrustedWorkloadThatNoRuleAllowsGets403NamingItAndTheRoute() throws Exception {
    int before = HANDLED.get();
    Curl c = curl("reports", base + "/orders/7");
    assertThat(c.status()).as(c.output()).isEqualTo("403");
    assertThat(c.body())
        .contains("peer_not_allowed")
        .contains("spiffe://shop/reports may not call GET /orders/{id}");
    // a body it sends is never read: refused with the head, and nothing reached a handler
    Path big = dir.resolve("big.bin");
    Files.write(big, new byte[200_000]);
    Curl post = curl("reports", "-X", "POST", "--data-binary", "@" + big, base + "/orders");
    assertThat(post.status()).as(post.output()).isEqualTo("403");
    // an unknown path does not tell a workload allowed nowhere whether it exists
    assertThat(curl("reports", base + "/nope").status()).isEqualTo("403");
    assertThat(HANDLED.get()).isEqualTo(before);
  }

  @Test
  void anAllowedWorkloadIsHeldToItsRoutesAndMethods() throws Exception {
    int before = HANDLED.get();
    Curl admin = curl("bff", base + "/admin/stats");
    assertThat(admin.status()).as(admin.output()).isEqualTo("403");
    assertThat(admin.body()).contains("may not call GET /admin/stats");
    Curl delete = curl("bff", "-X", "DELETE", base + "/orders/7");
    assertThat(delete.status()).as(delete.output()).isEqualTo("405"); // not routed for DELETE
    assertThat(curl("bff", base + "/nope").status()).isEqualTo("404");
    // dot segments and encodings reach the route the server matches, and are judged by it
    for (String sneaky :
        List.of("/orders/7/../../admin/stats", "/orders/%2e%2e/admin/stats", "//admin/stats")) {
      Curl c = curl("bff", "--path-as-is", base + sneaky);
      assertThat(c.body()).as(sneaky).doesNotContain("ADMIN");
      assertThat(c.status()).as(sneaky).isNotEqualTo("200");
    }
    assertThat(HANDLED.get()).isEqualTo(before);
  }

  @Test
  void aServiceClientWithItsWorkloadCertificateCallsTheServerItExpects() throws Exception {
    ServiceClient c =
        net.clients(
                b ->
                    b.client(
                            "orders",
                            ClientConfig.builder("orders")
                                .keyStore(dir.resolve("bff.p12"), PW)
                                .trustStore(dir.resolve("ca.p12"), PW)
                                .serverIdentity(ORDERS)
                                .build())
                        .decorators((n, d) -> CallDecorator.none()))
            .client("orders");
    ClientResponse r = c.get("/orders/3");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyAsString()).isEqualTo("order 3 for spiffe://shop/bff");
  }

  @Test
  void aServiceClientRefusesAServerThatIsNotTheWorkloadItExpects() throws Exception {
    int before = HANDLED.get();
    ServiceClient c =
        net.clients(
                b ->
                    b.client(
                            "orders",
                            ClientConfig.builder("orders")
                                .keyStore(dir.resolve("bff.p12"), PW)
                                .trustStore(dir.resolve("ca.p12"), PW)
                                .serverIdentity(WorkloadIdentity.of("shop", "payments"))
                                .build())
                        .decorators((n, d) -> CallDecorator.none()))
            .client("orders");
    assertThatThrownBy(() -> c.get("/orders/3")).isInstanceOf(HttpCallException.class);
    assertThat(HANDLED.get()).as("no request reached the server").isEqualTo(before);
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefusedEvenWithTheExpectedName() throws Exception {
    BulwarkServer impostor =
        net.server(
            s ->
                s.config(ServerConfig.builder().tls(dir.resolve("rogue-orders.p12"), PW).build())
                    .get("/orders/{id}", r -> Response.text(200, "impostor")));
    try {
      ServiceClient c =
          net.urlClients(
                  b ->
                      b.client(
                          "i",
                          "https://127.0.0.1:" + impostor.port(),
                          ClientConfig.builder("i")
                              .keyStore(dir.resolve("bff.p12"), PW)
                              .trustStore(dir.resolve("ca.p12"), PW)
                              .serverIdentity(ORDERS)
                              .build()))
              .client("i");
      assertThatThrownBy(() -> c.get("/orders/3")).isInstanceOf(HttpCallException.class);
    } finally {
      impostor.shutdown();
    }
  }

  @Test
  void mutualTlsAndThePolicyBindFromYamlAndEveryMistakeIsNamed(@TempDir Path yamlDir)
      throws Exception {
    Path yaml = yamlDir.resolve("server.yaml");
    String tls =
        "tls: {key-store: "
            + dir.resolve("orders.p12")
            + ", password: "
            + PW
            + ", client-ca: "
            + dir.resolve("ca.pem")
            + ", reload-interval: 2s}\n";
    Files.writeString(
        yaml,
        tls
            + "authorization:\n"
            + "  read: {routes: [\"/orders/{id}\"], methods: [GET], peers: [\"spiffe://shop/bff\"]}\n");
    ServerConfig c = ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind);
    assertThat(c.clientCa()).isEqualTo(dir.resolve("ca.pem"));
    assertThat(c.tlsReloadInterval()).isEqualTo(Duration.ofSeconds(2));
    AuthorizationPolicy p = c.authorization();
    assertThat(p).isNotNull();
    assertThat(p.allowing(BFF, "GET", "/orders/{id}")).isEqualTo("read");
    assertThat(p.allowing(BFF, "POST", "/orders/{id}")).isNull();
    assertThat(p.allowing(REPORTS, "GET", "/orders/{id}")).isNull();

    Files.writeString(
        yaml,
        tls
            + "authorization:\n"
            + "  read:\n"
            + "    routes: [\"/orders/{id}\"]\n"
            + "    peers: [\"spiffe://Shop/bff\"]\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.yaml:5")
        .hasMessageContaining("authorization.read.peers")
        .hasMessageContaining("spiffe://Shop/bff");

    Files.writeString(yaml, "authorization:\n  read: {routes: [\"*\"], peers: [\"*\"]}\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .hasMessageContaining("authorization needs tls.client-ca");

    Files.writeString(
        yaml, tls + "authorization:\n  r: {routes: [\"*\"], methods: [], peers: [\"*\"]}\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .hasMessageContaining("authorization.r.methods")
        .hasMessageContaining("an empty list allows no method");

    Files.writeString(yaml, tls + "authorization: {}\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .hasMessageContaining("at least one rule");

    Files.writeString(
        yaml, tls + "authorization:\n  read: {routes: [orders], methods: [get], peers: [\"*\"]}\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .hasMessageContaining("route 'orders' must be a route template")
        .hasMessageContaining("method 'get' must be an HTTP method in capitals");

    Path notPem = yamlDir.resolve("not-a-ca.pem");
    Files.writeString(notPem, "hello\n");
    Files.writeString(
        yaml,
        "tls: {key-store: "
            + dir.resolve("orders.p12")
            + ", password: "
            + PW
            + ", client-ca: "
            + notPem
            + "}\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .hasMessageContaining("server.yaml:1")
        .hasMessageContaining("client-ca " + notPem);
    assertThatThrownBy(() -> ServerConfig.builder().clientCa(yamlDir.resolve("missing.pem")))
        .hasMessageContaining("missing.pem cannot be read");
    assertThatThrownBy(() -> ServerConfig.builder().clientCa(dir.resolve("ca.pem")).build())
        .hasMessageContaining("clientCa needs tls");
  }

  @Test
  void aClientsIdentitySettingsBindFromYamlAndMistakesAreNamed(@TempDir Path yamlDir)
      throws Exception {
    Path yaml = yamlDir.resolve("clients.yaml");
    Files.writeString(
        yaml,
        "clients:\n  orders:\n    service: orders\n    tls: {trust-store: ca.p12, password: a,"
            + " key-store: bff.p12, key-password: b, server-identity: \"spiffe://shop/orders\","
            + " reload-interval: 3s}\n");
    ClientConfig c = ConfigLoader.withSystemEnv().load(yaml, HttpClients::bindAll).get("orders");
    assertThat(c.keyStore()).isEqualTo(Path.of("bff.p12"));
    assertThat(c.keyStorePassword()).isEqualTo("b");
    assertThat(c.serverIdentity()).isEqualTo(ORDERS);
    assertThat(c.tlsReloadInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.tls()).isTrue();

    Files.writeString(
        yaml,
        """
        clients:
          orders:
            service: orders
            tls:
              server-identity: "spiffe://shop"
              key-password: b
        """);
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, HttpClients::bindAll))
        .hasMessageContaining("clients.yaml:5")
        .hasMessageContaining("'spiffe://shop' has no path")
        .hasMessageContaining("key-password is given without key-store");
  }

  @Test
  void aRuleNamingARouteTheServerDoesNotHaveFailsTheBuild() {
    AuthorizationPolicy policy =
        AuthorizationPolicy.builder()
            .allow("typo", List.of("/ordrs/{id}"), List.of(), List.of("*"))
            .build();
    assertThatThrownBy(
            () ->
                BulwarkServer.builder()
                    .config(
                        ServerConfig.builder()
                            .tls(dir.resolve("orders.p12"), PW)
                            .clientCa(dir.resolve("ca.pem"))
                            .authorization(policy)
                            .build())
                    .get("/orders/{id}", r -> Response.text(200, "x"))
                    .build()
                    .start()
                    .shutdown())
        .hasMessageContaining("authorization rule 'typo' names route '/ordrs/{id}'")
        .hasMessageContaining("/orders/{id}");
    assertThatThrownBy(
            () ->
                AuthorizationPolicy.builder()
                    .allow("a", List.of("*"), List.of(), List.of("*"))
                    .allow("a", List.of("*"), List.of(), List.of("*")))
        .hasMessageContaining("'a' given twice");
    assertThatThrownBy(() -> AuthorizationPolicy.builder().build())
        .hasMessageContaining("at least one rule");
  }
}
