package io.bulwark.examples.shop.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.identity.IdentityService;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.http.ServerListener;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The users through the shop's edge (a low rate and a long timeout: these tests judge who sends
 * which token, not speed): customers log in once, send their token on cart and checkout calls and
 * never on browsing; a token answered 401 is dropped and the customer logs in again; a failed login
 * fails the request under its own cause.
 */
class LoadGeneratorEdgeTest {
  static final LoadOptions OPTIONS =
      new LoadOptions(40, Duration.ofSeconds(2), 3, Duration.ofSeconds(20));

  /** An edge stand-in: {@code /login} issues {@code t-<customer>-<n>}; other routes record. */
  static final class FakeEdge implements AutoCloseable {
    final Map<String, AtomicInteger> logins = new ConcurrentHashMap<>();
    final Queue<String> calls = new ConcurrentLinkedQueue<>();
    final Queue<String> customerHeaders = new ConcurrentLinkedQueue<>();
    final BulwarkServer server;

    FakeEdge(Predicate<String> loginRefused, Predicate<String> tokenRefused) {
      BulwarkServer.Builder b =
          BulwarkServer.builder()
              .listener(ServerListener.none())
              .post("/login", req -> login(req, loginRefused))
              .get("/search", req -> record(req, tokenRefused));
      for (String p : List.of("/web/api", "/mobile/api")) {
        b.get(p + "/home", req -> record(req, tokenRefused))
            .get(p + "/products/{sku}", req -> record(req, tokenRefused))
            .post(p + "/cart/{cartId}/items", req -> record(req, tokenRefused))
            .post(
                p + "/checkout",
                req -> {
                  record(req, tokenRefused);
                  return Response.json(
                      201, Map.of("orderId", "o-" + req.header("Idempotency-Key")));
                });
      }
      this.server = b.build().start();
    }

    private Response login(Request req, Predicate<String> refused) {
      @SuppressWarnings("unchecked")
      Map<String, String> body = req.bodyAs(Map.class);
      String customer = body.get("customer");
      if (!IdentityService.DEMO_PASSWORD.equals(body.get("password")) || refused.test(customer)) {
        throw HttpProblem.of(401, "login_failed", "customer or password is wrong");
      }
      int n = logins.computeIfAbsent(customer, c -> new AtomicInteger()).incrementAndGet();
      return Response.json(
          Map.of("token", "t-" + customer + "-" + n, "tokenType", "Bearer", "expiresIn", 300));
    }

    private Response record(Request req, Predicate<String> refused) {
      String auth = req.header("Authorization");
      calls.add(req.method() + " " + req.path() + " " + auth);
      String customer = req.header("x-customer-id");
      if (customer != null) {
        customerHeaders.add(customer);
      }
      if (auth != null && refused.test(auth.substring("Bearer ".length()))) {
        throw HttpProblem.of(401, "invalid_token", "refused");
      }
      return Response.json(Map.of("ok", true));
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.port());
    }

    @Override
    public void close() {
      server.close();
    }
  }

  static LoadReport run(FakeEdge edge, long seed) {
    LoadPlan plan = new LoadPlan(seed, FakeShop.ASSORTMENT);
    return LoadGenerator.throughEdge(OPTIONS, plan, edge.uri()).run();
  }

  @Test
  void customersLogInOnceAndSendTheirTokenOnlyOnCartAndCheckout() {
    try (FakeEdge edge = new FakeEdge(c -> false, t -> false)) {
      LoadReport report = run(edge, 5);
      assertThat(report.errors()).isZero();
      assertThat(edge.calls).isNotEmpty();
      for (String call : edge.calls) {
        if (call.startsWith("GET ")) {
          assertThat(call).as("browsing is anonymous").endsWith(" null");
        } else {
          assertThat(call).as("cart and checkout carry a token").contains(" Bearer t-customer-");
        }
      }
      assertThat(edge.logins).isNotEmpty();
      assertThat(edge.logins.values())
          .as("a customer whose requests never overlap logs in once")
          .allMatch(n -> n.get() <= 2);
      assertThat(edge.customerHeaders)
          .as("through the edge the users never name their customer: the gateway does")
          .isEmpty();
      assertThat(edge.calls).anyMatch(c -> c.startsWith("GET /mobile/api/"));
      long withToken = edge.calls.stream().filter(c -> c.contains("Bearer")).count();
      long logins = edge.logins.values().stream().mapToLong(AtomicInteger::get).sum();
      assertThat(logins).isLessThan(withToken);
    }
  }

  @Test
  void aTokenAnswered401IsDroppedAndTheCustomerLogsInAgain() {
    // the routes refuse every customer's first token and accept the later ones
    try (FakeEdge edge = new FakeEdge(c -> false, t -> t.endsWith("-1"));
        UserCalls users =
            new UserCalls(
                Duration.ofSeconds(20), s -> edge.uri(), new LoadRecorder(), edge.uri())) {
      PlannedRequest add =
          new PlannedRequest(
              0,
              RequestKind.ADD_TO_CART,
              List.of(
                  new PlannedRequest.Call(
                      "web-bff", "POST", "/web/api/cart/c-1/items", "{\"sku\":\"sku-1\"}", null)),
              false,
              "customer-9");
      users.perform(add, System.nanoTime());
      users.perform(add, System.nanoTime());
      users.perform(add, System.nanoTime());
      assertThat(edge.calls)
          .containsExactly(
              "POST /web/api/cart/c-1/items Bearer t-customer-9-1",
              "POST /web/api/cart/c-1/items Bearer t-customer-9-2",
              "POST /web/api/cart/c-1/items Bearer t-customer-9-2");
      assertThat(edge.logins.get("customer-9").get()).isEqualTo(2);
    }
  }

  @Test
  void aFailedLoginFailsTheRequestUnderItsOwnCause() {
    try (FakeEdge edge = new FakeEdge(c -> true, t -> false)) {
      LoadReport report = run(edge, 7);
      KindSummary cart = report.kind(RequestKind.ADD_TO_CART);
      assertThat(cart.requests()).isPositive().isEqualTo(cart.errors());
      assertThat(report.kind(RequestKind.BROWSE).errors()).isZero();
      assertThat(report.errorCauses()).containsKey("add-to-cart: login 401 login_failed");
      assertThat(edge.calls).noneMatch(c -> c.startsWith("POST"));
    }
  }
}
