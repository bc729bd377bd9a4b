package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.time.SystemScheduler;
import io.bulwark.http.discovery.StaticDiscovery;
import io.bulwark.resilience.Pipeline;
import io.bulwark.resilience.Retry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input to {@link HttpClients.Builder}: every error names the client, the bad value and what is
 * wrong with it, and is raised before anything is started.
 */
class UrlClientInputTest {
  private final SystemScheduler scheduler = SystemScheduler.create();

  @AfterEach
  void close() {
    scheduler.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1:80 80  | is malformed: Illegal character in authority at index 19",
        "127.0.0.1:8080          | is malformed: Illegal character in scheme name at index 0",
        "http//127.0.0.1:8080    | has unsupported scheme \"\" (expected http or https)",
        "ftp://127.0.0.1:21      | has unsupported scheme \"ftp\" (expected http or https)",
        "http:///only-a-path     | has no valid host[:port]",
        "http://127.0.0.1:70000  | has port 70000 (expected 1..65535)",
        "http://127.0.0.1:0      | has port 0 (expected 1..65535)",
        "http://user:pw@host:80  | must not carry user info",
        "http://127.0.0.1:8080/api | must not have a path, query or fragment",
        "http://127.0.0.1:8080?x=1 | must not have a path, query or fragment",
        "http://127.0.0.1:8080#top | must not have a path, query or fragment",
      })
  void aBadUrlIsRefusedNamingClientUrlAndProblem(String url, String problem) {
    HttpClients.Builder b = HttpClients.builder(scheduler);
    assertThatThrownBy(() -> b.client("payments", url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("client \"payments\": url \"" + url + "\" ")
        .hasMessageContaining(problem)
        .hasMessageEndingWith("; expected http://host[:port] or https://host[:port]");
  }

  @Test
  void theUrlsSchemeAndTheConfigsTlsMustAgree() {
    HttpClients.Builder b = HttpClients.builder(scheduler);
    ClientConfig plain = ClientConfig.builder("payments").build();
    ClientConfig tls = ClientConfig.builder("payments").tls(true).build();
    assertThatThrownBy(() -> b.client("payments", "https://127.0.0.1:8443", plain))
        .hasMessage(
            "client \"payments\": url \"https://127.0.0.1:8443\" says https, but its config has"
                + " tls off");
    assertThatThrownBy(() -> b.client("payments", "http://127.0.0.1:8080", tls))
        .hasMessage(
            "client \"payments\": url \"http://127.0.0.1:8080\" says http, but its config has"
                + " tls on");
  }

  @Test
  void aClientFromDiscoveryNeedsABuilderWithDiscovery() {
    assertThatThrownBy(
            () ->
                HttpClients.builder(scheduler).client("orders", ClientConfig.builder("o").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client \"orders\" looks its endpoints up in discovery")
        .hasMessageContaining("HttpClients.builder(discovery, scheduler)");
  }

  @Test
  void aNameIsTakenOnceWhetherByUrlOrByConfig() {
    HttpClients.Builder b =
        HttpClients.builder(StaticDiscovery.create(), scheduler)
            .client("payments", "http://127.0.0.1:8080");
    assertThatThrownBy(() -> b.client("payments", ClientConfig.builder("p").build()))
        .hasMessage("client \"payments\" is defined twice");
    assertThatThrownBy(() -> b.client("payments", "http://127.0.0.1:8081"))
        .hasMessage("client \"payments\" is defined twice");
  }

  @Test
  void aPipelineForAClientThatIsNotDefinedIsRefusedAtBuild() {
    HttpClients.Builder b =
        HttpClients.builder(scheduler)
            .client("payments", "http://127.0.0.1:8080")
            .pipeline("payment", Pipeline.of(Retry.of("r", 2)));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a pipeline is given for client \"payment\", which is not defined; defined:"
                + " [payments]");
  }

  @Test
  void aClientGetsOnePipeline() {
    HttpClients.Builder b =
        HttpClients.builder(scheduler)
            .client(
                "payments",
                "http://127.0.0.1:8080",
                ClientConfig.builder("payments").pipeline("strict").build())
            .pipeline("payments", Pipeline.of(Retry.of("r", 2)));
    assertThatThrownBy(() -> b.pipeline("payments", Pipeline.of(Retry.of("r", 3))))
        .hasMessage("client \"payments\" is given a pipeline twice");
    assertThatThrownBy(b::build)
        .hasMessage(
            "client \"payments\" is given a pipeline in code and names pipeline \"strict\" in its"
                + " config; keep one");
  }

  @Test
  void aValidUrlBuildsAClientNamedAfterIt() {
    try (HttpClients clients =
        HttpClients.builder(scheduler).client("payments", " https://127.0.0.1:8443 ").build()) {
      assertThat(clients.client("payments").name()).isEqualTo("payments");
    }
  }
}
