package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1, HTTP/2 (cleartext prior knowledge and over TLS with ALPN) and TLS trust: the client
 * negotiates what its config says, and refuses a server it does not trust.
 */
class ProtocolsAndTlsTest {
  @TempDir static Path dir;
  static Loopback net;
  static BulwarkServer plain;
  static BulwarkServer secure;
  static Path trustStore;

  @BeforeAll
  static void start() throws Exception {
    Path keyStore = dir.resolve("server.p12");
    Path cert = dir.resolve("server.crt");
    trustStore = dir.resolve("trust.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-keystore",
        keyStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");
    keytool(
        "-exportcert",
        "-alias",
        "server",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        "changeit",
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "server",
        "-file",
        cert.toString(),
        "-keystore",
        trustStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");
    net = new Loopback();
    plain = net.server(s -> s.get("/v", r -> Response.json("plain")));
    secure =
        net.server(
            s ->
                s.config(ServerConfig.builder().tls(keyStore, "changeit").build())
                    .get("/v", r -> Response.json("secure")));
    net.publish("plain", plain);
    net.publish("secure", secure);
  }

  @AfterAll
  static void stop() {
    net.close();
  }

  private static void keytool(String... args) throws Exception {
    Path bin = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new java.util.ArrayList<>(List.of(bin.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }

  private static ServiceClient client(ClientConfig config) {
    return net.clients(b -> b.client("c", config).decorators((n, c) -> CallDecorator.none()))
        .client("c");
  }

  @Test
  void http11ByDefault() throws Exception {
    ClientResponse r = client(ClientConfig.builder("plain").build()).get("/v");
    assertThat(r.protocol()).isEqualTo("HTTP_1_1");
    assertThat(r.bodyAsString()).isEqualTo("\"plain\"");
  }

  @Test
  void http2CleartextWithPriorKnowledge() throws Exception {
    ClientResponse r =
        client(ClientConfig.builder("plain").protocol(ClientConfig.Protocol.HTTP_2).build())
            .get("/v");
    assertThat(r.protocol()).isEqualTo("HTTP_2");
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void http2OverTlsWithATrustedCertificate() throws Exception {
    ClientResponse r =
        client(
                ClientConfig.builder("secure")
                    .protocol(ClientConfig.Protocol.HTTP_2)
                    .trustStore(trustStore, "changeit")
                    .build())
            .get("/v");
    assertThat(r.protocol()).isEqualTo("HTTP_2");
    assertThat(r.bodyAsString()).isEqualTo("\"secure\"");
  }

  @Test
  void http11OverTls() throws Exception {
    ClientResponse r =
        client(ClientConfig.builder("secure").trustStore(trustStore, "changeit").build()).get("/v");
    assertThat(r.protocol()).isEqualTo("HTTP_1_1");
  }

  @Test
  void aClientForAnHttpsUrlSpeaksTls() throws Exception {
    String url = "https://127.0.0.1:" + secure.port();
    ClientConfig trusting =
        ClientConfig.builder("secure").trustStore(trustStore, "changeit").build();
    HttpClients clients = net.urlClients(b -> b.client("s", url, trusting).client("u", url));
    assertThat(clients.client("s").get("/v").bodyAsString()).isEqualTo("\"secure\"");
    // the default config of an https URL has TLS on with the JVM's trust, which refuses this server
    assertThatThrownBy(() -> clients.client("u").get("/v")).isInstanceOf(HttpCallException.class);
  }

  @Test
  void untrustedServerIsRefused() {
    ServiceClient c = client(ClientConfig.builder("secure").tls(true).build());
    assertThatThrownBy(() -> c.get("/v")).isInstanceOf(HttpCallException.class);
  }
}
