package io.bulwark.examples.shop.payments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.provider.LegacyPaymentProvider;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payments and the real legacy provider, each its own service in a runtime, over loopback: what the
 * provider booked is read from the provider itself and from the ledger.
 */
class ProviderAclTest {
  @TempDir Path dir;
  SystemRuntime runtime;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A provider whose first call of each token answers after 1.5 s (after booking). */
  void start(boolean resilience, Map<String, String> provider) {
    ServiceSpec.Builder p =
        ServiceSpec.builder(LegacyPaymentProvider.SERVICE, LegacyPaymentProvider::create)
            .setting(LegacyPaymentProvider.ERROR_SHARE, "0")
            .setting(LegacyPaymentProvider.SLOW_SHARE, "0");
    provider.forEach(p::setting);
    runtime =
        SystemRuntime.inProcess(
            SystemModel.builder("pay")
                .service(p.build())
                .service(
                    ServiceSpec.builder("payments", PaymentsService::create)
                        .dependsOn(LegacyPaymentProvider.SERVICE)
                        .setting(Settings.RESILIENCE, Boolean.toString(resilience))
                        .build())
                .build(),
            RuntimeOptions.builder(dir).seed(7).basePort(0).build());
    runtime.start();
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.stop();
    }
  }

  record Answer(int status, JsonNode body) {}

  Answer post(String service, String path, String json, String headerName, String headerValue)
      throws Exception {
    Endpoint e = runtime.readyEndpoints(service).getFirst();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.port() + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (headerName != null) {
      b.header(headerName, headerValue);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body =
        r.body().startsWith("{") ? Json.MAPPER.readTree(r.body()) : Json.MAPPER.nullNode();
    return new Answer(r.statusCode(), body);
  }

  Answer pay(String path, String chargeId, long amount, String key) throws Exception {
    String json =
        amount > 0
            ? "{\"chargeId\":\"" + chargeId + "\",\"amount\":" + amount + "}"
            : "{\"chargeId\":\"" + chargeId + "\"}";
    return post("payments", path, json, "Idempotency-Key", key);
  }

  /** The provider's transactions for {@code ref}: "TXN… STATE cents". */
  List<String> booked(String ref) throws Exception {
    Endpoint e = runtime.readyEndpoints(LegacyPaymentProvider.SERVICE).getFirst();
    String body =
        http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + e.port() + "/gw/v1/Txn.do?MerchRef=" + ref))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    List<String> out = new ArrayList<>();
    for (JsonNode t : Json.MAPPER.readTree(body).path("Txns")) {
      out.add(
          t.path("TxnId").asText()
              + " "
              + t.path("State").asText()
              + " "
              + t.path("AmtCents").asText());
    }
    return out;
  }

  /** The ledger's rows for {@code chargeId}: "KIND amount txn". */
  List<String> ledger(String chargeId) throws Exception {
    Path file = dir.resolve("payments").resolve("shared").resolve("ledger.db");
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT kind, amount, txn FROM ledger WHERE charge_id = '"
                    + chargeId
                    + "' ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3));
      }
    }
    return out;
  }

  @Test
  void aLostAnswerFollowedByARetryChargesOnce() throws Exception {
    start(
        true,
        Map.of(LegacyPaymentProvider.SLOW_FIRST_CALLS, "1", LegacyPaymentProvider.SLOW_MS, "1500"));
    // the first sale is booked but answers after the layer's 450 ms timeout; the layer's retry
    // sends the same token and gets the booked transaction back
    Answer first = pay("/charges", "o-lost", 4499, "checkout-k-lost:2:charge-payment");
    assertThat(first.status()).isEqualTo(201);
    String txn = first.body().path("txnId").asText();
    assertThat(txn).matches("TXN[0-9]{9}");
    assertThat(booked("o-lost")).containsExactly(txn + " SALE 4499");
    // the saga retrying the whole charge: a replay, nothing new at the provider
    Answer again = pay("/charges", "o-lost", 4499, "checkout-k-lost:2:charge-payment");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().path("txnId").asText()).isEqualTo(txn);
    assertThat(booked("o-lost")).containsExactly(txn + " SALE 4499");
    assertThat(ledger("o-lost")).containsExactly("CHARGE 4499 " + txn);
  }

  @Test
  void withoutItsTokenTheProviderChargesARetryTwice() throws Exception {
    start(true, Map.of());
    String sale = "{\"MerchRef\":\"o-raw\",\"AmtCents\":\"500\",\"Ccy\":\"EUR\"}";
    assertThat(post(LegacyPaymentProvider.SERVICE, "/gw/v1/Txn.do", sale, null, null).status())
        .isEqualTo(200);
    assertThat(post(LegacyPaymentProvider.SERVICE, "/gw/v1/Txn.do", sale, null, null).status())
        .isEqualTo(200);
    // the risk the layer exists for: two sales for one reference
    assertThat(booked("o-raw")).hasSize(2);
  }

  @Test
  void withResilienceOffALostAnswerFailsTheChargeAndItsRefundReversesTheBookedSale()
      throws Exception {
    start(
        false,
        Map.of(LegacyPaymentProvider.SLOW_FIRST_CALLS, "1", LegacyPaymentProvider.SLOW_MS, "1500"));
    String key = "checkout-k-off:2:charge-payment";
    Answer charge = pay("/charges", "o-off", 1200, key);
    assertThat(charge.status()).as(charge.body().toString()).isEqualTo(504);
    assertThat(charge.body().path("error").asText()).isEqualTo("provider_timeout");
    // booked all the same: the provider kept the money
    assertThat(booked("o-off")).singleElement().asString().endsWith(" SALE 1200");
    // the saga compensates with the same key: the sale is reversed, the ledger voids the id
    Answer refund = pay("/refunds", "o-off", 0, key);
    assertThat(refund.status()).isEqualTo(201);
    assertThat(refund.body().path("kind").asText()).isEqualTo("VOID");
    assertThat(booked("o-off")).singleElement().asString().endsWith(" REVERSED 1200");
    // a late retry of the charge lands nowhere
    Answer late = pay("/charges", "o-off", 1200, key);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.body().path("error").asText()).isEqualTo("voided");
    assertThat(booked("o-off")).singleElement().asString().endsWith(" REVERSED 1200");
    assertThat(ledger("o-off")).singleElement().asString().startsWith("VOID 0 TXN");
  }

  @Test
  void aRefundBeforeItsChargeVoidsTheTokenAtTheProvider() throws Exception {
    start(true, Map.of());
    String key = "checkout-k-early:2:charge-payment";
    assertThat(pay("/refunds", "o-early", 0, key).body().path("kind").asText()).isEqualTo("VOID");
    Answer late = pay("/charges", "o-early", 700, key);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.body().path("error").asText()).isEqualTo("voided");
    assertThat(booked("o-early")).isEmpty();
  }

  @Test
  void aDeclineIsA402AndNothingIsBooked() throws Exception {
    start(true, Map.of(LegacyPaymentProvider.MAX_CENTS, "1000"));
    Answer declined = pay("/charges", "o-big", 5000, "checkout-k-big:2:charge-payment");
    assertThat(declined.status()).isEqualTo(402);
    assertThat(declined.body().path("error").asText()).isEqualTo("payment_declined");
    assertThat(declined.body().path("message").asText()).contains("E-2002").contains("o-big");
    assertThat(booked("o-big")).isEmpty();
    assertThat(ledger("o-big")).isEmpty();
  }

  @Test
  void aBadProviderSettingIsRefusedNamingItsKeyAndValue() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> start(true, Map.of(LegacyPaymentProvider.SLOW_SHARE, "1.5")))
        .hasStackTraceContaining(LegacyPaymentProvider.SLOW_SHARE)
        .hasStackTraceContaining("\"1.5\"");
  }
}
