package io.bulwark.examples.shop.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.time.Scheduler;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Resources;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.examples.shop.provider.LegacyPaymentProvider;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Handler;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.http.ServerListener;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.HttpClients;
import io.bulwark.resilience.RegistryConfig;
import io.bulwark.resilience.ResilienceRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The anti-corruption layer against a scripted provider on loopback (real HTTP, the shop's client
 * and pipeline configuration): each answer of the script is one provider answer; every request the
 * provider got is recorded with its token.
 */
class LegacyPaymentsTest {
  /** The attempts of the shop's payment-provider pipeline. */
  static final int ATTEMPTS = 2;

  static final String TOKEN = ProviderToken.of("checkout-k-abc:2:charge-payment");

  /** One recorded provider request: path, token header, body. */
  record Got(String path, String token, Map<?, ?> body) {}

  final List<Fake> fakes = new ArrayList<>();
  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    fakes.forEach(Fake::close);
  }

  Queue<Got> got = new ConcurrentLinkedQueue<>();

  /** The layer with resilience on (the shop's payment-provider pipeline) or off. */
  LegacyPayments layer(boolean resilience, Handler... answers) {
    return layer(resilience, false, answers);
  }

  /**
   * The layer; {@code shopTimeout}: the shop's per-attempt timeout, else a long one (this machine
   * may be busy: only the timeout test may depend on the timeout).
   */
  LegacyPayments layer(boolean resilience, boolean shopTimeout, Handler... answers) {
    Fake f = new Fake();
    fakes.add(f);
    got = f.got;
    return f.layer(resilience, shopTimeout, answers);
  }

  /** A scripted provider and the layer's client to it. */
  static final class Fake implements AutoCloseable {
    final Queue<Got> got = new ConcurrentLinkedQueue<>();
    final Deque<Handler> script = new ArrayDeque<>();
    final ReentrantLock lock = new ReentrantLock();
    @Nullable BulwarkServer server;
    @Nullable HttpClients clients;
    @Nullable ResilienceRegistry registry;

    @Override
    public void close() {
      if (clients != null) {
        clients.close();
      }
      if (registry != null) {
        registry.close();
      }
      if (server != null) {
        server.close();
      }
    }

    LegacyPayments layer(boolean resilience, boolean shopTimeout, Handler... answers) {
      script.addAll(List.of(answers));
      Handler recording =
          req -> {
            got.add(
                new Got(
                    req.path(),
                    String.valueOf(req.header(LegacyPaymentProvider.TOKEN_HEADER)),
                    Json.read(req.bodyAsString(), Map.class, "provider request")));
            Handler next;
            lock.lock();
            try {
              next = script.size() > 1 ? script.poll() : script.peek();
            } finally {
              lock.unlock();
            }
            return next.handle(req);
          };
      server =
          BulwarkServer.builder()
              .listener(ServerListener.none())
              .post(LegacyPayments.SALE, recording)
              .post(LegacyPayments.REVERSE, recording)
              .build()
              .start();
      String file = resilience ? ShopClients.CLIENTS : ShopClients.CLIENTS_PLAIN;
      ConfigLoader loader = ConfigLoader.withSystemEnv();
      ClientConfig config =
          loader
              .parse(Resources.text(file), file, HttpClients::bindAll)
              .get(LegacyPaymentProvider.SERVICE);
      if (!shopTimeout) {
        config = config.toBuilder().timeout(Duration.ofSeconds(10)).build();
      }
      clients =
          HttpClients.builder(Scheduler.system())
              .client(LegacyPaymentProvider.SERVICE, "http://127.0.0.1:" + server.port(), config)
              .decorators((n, c) -> io.bulwark.http.client.CallDecorator.none())
              .build();
      if (!resilience) {
        return new LegacyPayments(clients.client(LegacyPaymentProvider.SERVICE), null);
      }
      registry =
          ResilienceRegistry.of(
              RegistryConfig.parse(
                  Resources.text(ShopClients.RESILIENCE), ShopClients.RESILIENCE, loader),
              Scheduler.system());
      // a fresh budget holds no credit until time or requests earn it: give it the credit of 10
      // earlier requests (3 retries at the shop's ratio 0.3), so the retries do not depend on how
      // fast this machine runs the test
      for (int i = 0; i < 10; i++) {
        registry.budget(ProviderLink.PIPELINE).recordRequest();
      }
      return new LegacyPayments(
          clients.client(LegacyPaymentProvider.SERVICE), registry.pipeline(ProviderLink.PIPELINE));
    }
  }

  /** One case's values. */
  record Args(List<Object> values) {
    static Args of(Object... values) {
      return new Args(List.of(values));
    }

    Object[] get() {
      return values.toArray();
    }
  }

  static Handler json(String body) {
    return req -> Response.bytes(200, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  static Handler xml(int status, String body) {
    return req -> Response.bytes(status, "text/xml", body.getBytes(StandardCharsets.UTF_8));
  }

  static Handler error(int status, String code) {
    return xml(
        status,
        "<?xml version=\"1.0\"?>\n<PayError><Code>" + code + "</Code><Text>why</Text></PayError>");
  }

  static final String APPROVED =
      "{\"TxnId\":\"TXN000000042\",\"Result\":\"APPROVED\",\"AmtCents\":\"1999\",\"Ccy\":\"EUR\","
          + "\"MerchRef\":\"o-1\"}";

  @Test
  void aSaleIsTranslatedToTheProvidersFieldsAndUnitsAndBack() throws Exception {
    LegacyPayments acl = layer(true, json(APPROVED));
    assertThat(acl.sale("o-1", 1999, TOKEN))
        .isEqualTo(new LegacyPayments.Booked("TXN000000042", 1999));
    Got g = got.poll();
    assertThat(g.path()).isEqualTo(LegacyPayments.SALE);
    assertThat(g.token()).isEqualTo(TOKEN).matches("[A-Z0-9]{8,40}");
    // cents as a string, the shop's currency, the charge id as the merchant reference
    assertThat(g.body()).isEqualTo(Map.of("MerchRef", "o-1", "AmtCents", "1999", "Ccy", "EUR"));
  }

  @Test
  void theTokenIsDerivedFromTheSagaKeyAndStableAcrossCalls() {
    assertThat(ProviderToken.of("checkout-k-abc:2:charge-payment")).isEqualTo(TOKEN);
    assertThat(ProviderToken.of("checkout-k-abd:2:charge-payment")).isNotEqualTo(TOKEN);
    assertThat(TOKEN).startsWith("SHOP").hasSize(36);
  }

  static Stream<Args> providerErrors() {
    return Stream.of(
        Args.of(error(200, "E-2002"), 402, "payment_declined", 1),
        Args.of(error(200, "E-2001"), 402, "payment_declined", 1),
        Args.of(error(400, "E-1001"), 502, "provider_rejected", 1),
        Args.of(error(400, "E-1002"), 502, "provider_rejected", 1),
        Args.of(error(409, "E-3001"), 409, "idempotency_conflict", 1),
        Args.of(error(409, "E-3002"), 409, "voided", 1),
        Args.of(error(200, "E-7777"), 502, "provider_bad_answer", 1),
        // transient: retried (3 attempts in the shop's pipeline), then unavailable
        Args.of(error(200, "E-9000"), 503, "provider_unavailable", ATTEMPTS),
        Args.of(error(503, "E-9001"), 503, "provider_unavailable", ATTEMPTS),
        Args.of(error(500, "E-9000"), 503, "provider_unavailable", ATTEMPTS));
  }

  @TestFactory
  Stream<DynamicTest> eachProviderErrorMapsToItsShopError() {
    return providerErrors()
        .map(
            a ->
                DynamicTest.dynamicTest(
                    "shop " + a.get()[1] + " " + a.get()[2],
                    () ->
                        providerError(
                            (Handler) a.get()[0],
                            (Integer) a.get()[1],
                            (String) a.get()[2],
                            (Integer) a.get()[3])));
  }

  void providerError(Handler answer, int status, String code, int calls) {
    LegacyPayments acl = layer(true, answer);
    assertThatThrownBy(() -> acl.sale("o-1", 1999, TOKEN))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            p -> {
              assertThat(p.status()).isEqualTo(status);
              assertThat(p.code()).as(p.getMessage()).isEqualTo(code);
              assertThat(p.getMessage()).contains("o-1");
            });
    assertThat(got).hasSize(calls).allSatisfy(g -> assertThat(g.token()).isEqualTo(TOKEN));
  }

  static Stream<Args> hostileAnswers() {
    return Stream.of(
        Args.of(xml(200, "<?xml version=\"1.0\"?><PayError><Code>E-20"), "malformed XML"),
        Args.of(
            xml(
                200,
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><PayError><Code>E-2002"
                    + "</Code><Text>&e;</Text></PayError>"),
            "malformed XML"),
        Args.of(json(APPROVED.replace("\"1999\"", "\"19.99\"")), "AmtCents \"19.99\""),
        Args.of(json(APPROVED.replace("\"1999\"", "\"199900\"")), "AmtCents \"199900\""),
        Args.of(json(APPROVED.replace("\"1999\"", "1999")), "no text field AmtCents"),
        Args.of(json(APPROVED.replace("EUR", "USD")), "Ccy \"USD\""),
        Args.of(json(APPROVED.replace("\"o-1\"", "\"o-2\"")), "MerchRef \"o-2\""),
        Args.of(json(APPROVED.replace("TXN000000042", "12345")), "TxnId \"12345\""),
        Args.of(json(APPROVED.replace("APPROVED", "PENDING")), "Result \"PENDING\""),
        Args.of(json(APPROVED.substring(0, 40)), "not JSON"),
        Args.of(json("[1,2]"), "not JSON"),
        Args.of(xml(404, "<html>gone</html>"), "malformed XML"),
        Args.of((Handler) req -> Response.text(404, "nope"), "404"));
  }

  @TestFactory
  Stream<DynamicTest> aHostileAnswerIsRejectedNamingItAndEveryRetryCarriesTheSameToken() {
    return hostileAnswers()
        .map(
            a ->
                DynamicTest.dynamicTest(
                    (String) a.get()[1], () -> hostile((Handler) a.get()[0], (String) a.get()[1])));
  }

  void hostile(Handler answer, String named) {
    LegacyPayments acl = layer(true, answer);
    assertThatThrownBy(() -> acl.sale("o-1", 1999, TOKEN))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            p -> {
              assertThat(p.status()).isEqualTo(502);
              assertThat(p.code()).isEqualTo("provider_bad_answer");
              assertThat(p.getMessage()).contains("charge o-1").contains(named);
            });
    // retried as unclear, never without the token: the provider books the sale once at most
    assertThat(got).hasSize(ATTEMPTS).allSatisfy(g -> assertThat(g.token()).isEqualTo(TOKEN));
  }

  @Test
  void aGarbledAnswerThenAGoodOneBooksOnceUnderOneToken() throws Exception {
    LegacyPayments acl = layer(true, json(APPROVED.substring(0, 30)), json(APPROVED));
    assertThat(acl.sale("o-1", 1999, TOKEN).txnId()).isEqualTo("TXN000000042");
    assertThat(got).hasSize(2).extracting(Got::token).containsOnly(TOKEN);
  }

  @Test
  void aProviderThatNeverAnswersIsATimeoutAfterTheRetries() {
    LegacyPayments acl =
        layer(
            true,
            true,
            req -> {
              release.await();
              return Response.status(200);
            });
    assertThatThrownBy(() -> acl.sale("o-1", 1999, TOKEN))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            p -> {
              assertThat(p.status()).isEqualTo(504);
              assertThat(p.code()).isEqualTo("provider_timeout");
            });
    assertThat(got).hasSize(ATTEMPTS).extracting(Got::token).containsOnly(TOKEN);
  }

  @Test
  void withResilienceOffOneAttemptOnlyAndTheSameMapping() {
    LegacyPayments acl = layer(false, error(200, "E-9000"));
    assertThatThrownBy(() -> acl.sale("o-1", 1999, TOKEN))
        .isInstanceOfSatisfying(
            HttpProblem.class, p -> assertThat(p.code()).isEqualTo("provider_unavailable"));
    assertThat(got).hasSize(1);
  }

  @Test
  void aReversalTranslatesReversedAndVoided() throws Exception {
    LegacyPayments acl =
        layer(
            true,
            json(APPROVED.replace("APPROVED", "REVERSED")),
            json("{\"TxnId\":\"\",\"Result\":\"VOIDED\",\"AmtCents\":\"0\",\"MerchRef\":\"o-1\"}"));
    assertThat(acl.reverse("o-1", TOKEN))
        .isEqualTo(new LegacyPayments.Reversed("TXN000000042", 1999, false));
    assertThat(acl.reverse("o-1", TOKEN)).isEqualTo(new LegacyPayments.Reversed("", 0, true));
    assertThat(got)
        .extracting(Got::path, Got::token)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(LegacyPayments.REVERSE, TOKEN));
  }
}
