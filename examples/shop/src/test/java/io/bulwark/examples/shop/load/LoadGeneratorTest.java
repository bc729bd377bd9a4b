package io.bulwark.examples.shop.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The load generator against real loopback servers. */
class LoadGeneratorTest {

  private static LoadReport run(FakeShop shop, LoadOptions options, long seed) {
    LoadPlan plan = new LoadPlan(seed, FakeShop.ASSORTMENT);
    return new LoadGenerator(options, plan, service -> shop.uri()).run();
  }

  @Test
  void aStalledServerDoesNotSlowTheScheduleAndLatencyCountsFromTheIntendedStart() throws Exception {
    LoadOptions options = new LoadOptions(40, Duration.ofSeconds(1), 1, Duration.ofSeconds(20));
    CountDownLatch allArrived = new CountDownLatch(options.scheduledRequests());
    try (FakeShop shop =
        new FakeShop(
            req -> {
              allArrived.countDown();
              // answers nothing until every scheduled request arrived: a closed loop never gets
              // there
              allArrived.await(15, TimeUnit.SECONDS);
              return FakeShop.happy().handle(req);
            })) {
      LoadReport report = run(shop, options, 1);
      assertThat(allArrived.getCount()).as("requests still awaited by the stalled server").isZero();
      assertThat(report.scheduled()).isEqualTo(40);
      assertThat(report.errors()).as("%s", report.errorCauses()).isZero();
      // request 0 was due at t0 and answered only after request 39 (due at t0 + 975 ms) arrived
      assertThat(report.latencyPercentile(100)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }
  }

  @Test
  void everyCallCarriesTheUsersPatienceAsItsDeadline() {
    LoadOptions options = new LoadOptions(40, Duration.ofSeconds(1), 4, Duration.ofMillis(1500));
    java.util.Queue<String> deadlines = new java.util.concurrent.ConcurrentLinkedQueue<>();
    try (FakeShop shop =
        new FakeShop(
            req -> {
              deadlines.add(String.valueOf(req.header("bulwark-deadline")));
              return FakeShop.happy().handle(req);
            })) {
      LoadReport report = run(shop, options, 4);
      assertThat(report.errors()).as("%s", report.errorCauses()).isZero();
      assertThat(deadlines).hasSizeGreaterThanOrEqualTo(30).containsOnly("1500");
    }
  }

  @Test
  void theSameSeedSendsTheSameRequests() {
    LoadOptions options = new LoadOptions(100, Duration.ofSeconds(1), 0, Duration.ofSeconds(10));
    List<List<String>> seen = new ArrayList<>();
    for (long seed : new long[] {7, 7, 8}) {
      try (FakeShop shop = new FakeShop(FakeShop.happy())) {
        LoadReport report = run(shop, options, seed);
        assertThat(report.errors()).as("%s", report.errorCauses()).isZero();
        List<String> received = new ArrayList<>(shop.received);
        Collections.sort(received);
        seen.add(received);
      }
    }
    assertThat(seen.get(0)).hasSizeGreaterThanOrEqualTo(100).isEqualTo(seen.get(1));
    assertThat(seen.get(0)).isNotEqualTo(seen.get(2));
  }

  @Test
  void outcomesAreClassifiedPerKind() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    // the users wait 1 s: long enough that no answered call (product pages) times out during a
    // stall of a loaded machine, short enough for the searches that never answer to time out
    LoadOptions options = new LoadOptions(200, Duration.ofSeconds(1), 3, Duration.ofSeconds(1));
    try (FakeShop shop =
        new FakeShop(
            req ->
                switch (FakeShop.route(req)) {
                  case "/search" -> {
                    never.await(10, TimeUnit.SECONDS); // beyond the users' timeout
                    yield Response.json(Map.of());
                  }
                  case "/home" -> throw HttpProblem.of(503, "down", "browse is down");
                  case "/checkout" -> throw HttpProblem.of(409, "out_of_stock", "none left");
                  default -> FakeShop.happy().handle(req);
                })) {
      LoadReport report = run(shop, options, 3);
      never.countDown();
      KindSummary search = report.kind(RequestKind.SEARCH);
      KindSummary browse = report.kind(RequestKind.BROWSE);
      KindSummary checkout = report.kind(RequestKind.CHECKOUT);
      assertThat(search.requests()).isPositive().isEqualTo(search.errors());
      // a timed-out search counts the users' 1 s wait (less a little: the JDK client's timer
      // fired up to 0.5 ms early in one CI run, and the histogram keeps three significant digits)
      assertThat(search.p50Micros()).isGreaterThanOrEqualTo(995_000);
      assertThat(browse.requests()).isPositive().isEqualTo(browse.errors());
      assertThat(report.kind(RequestKind.PRODUCT).errors()).as("%s", report.errorCauses()).isZero();
      assertThat(checkout.requests()).isPositive();
      assertThat(checkout.errors()).as("409 is a business answer, not an error").isZero();
      assertThat(report.checkouts("rejected")).isPositive();
      assertThat(report.checkouts("completed") + report.checkouts("failed")).isZero();
      assertThat(report.errors()).isEqualTo(search.errors() + browse.errors());
      assertThat(report.errorCauses())
          .as("each error counted once under its cause")
          .containsOnlyKeys("browse: 503 down", "search: no answer (HttpTimeoutException)")
          .containsEntry("browse: 503 down", browse.errors())
          .containsEntry("search: no answer (HttpTimeoutException)", search.errors());
    }
  }

  @Test
  void aRefusedConnectionIsAnError() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    URI dead = URI.create("http://127.0.0.1:" + port);
    LoadOptions options = LoadOptions.of(50, Duration.ofSeconds(1), 1);
    LoadReport report =
        new LoadGenerator(options, new LoadPlan(1, FakeShop.ASSORTMENT), s -> dead).run();
    assertThat(report.requests()).isEqualTo(50);
    assertThat(report.errors()).isEqualTo(50);
    assertThat(report.errorCauses().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(50);
    assertThat(report.errorCauses().keySet()).allMatch(cause -> cause.contains("no answer ("));
    assertThat(report.checkouts("failed")).isEqualTo(report.kind(RequestKind.CHECKOUT).requests());
  }

  @Test
  void doubleClicksAndDegradedPagesAreCountedFromTheAnswers() {
    LoadOptions options = new LoadOptions(300, Duration.ofSeconds(2), 11, Duration.ofSeconds(10));
    AtomicInteger orders = new AtomicInteger();
    List<PlannedRequest> planned =
        new LoadPlan(11, FakeShop.ASSORTMENT).requests(options.scheduledRequests());
    long doubleClicks = planned.stream().filter(PlannedRequest::doubleSubmit).count();
    long productPages = planned.stream().filter(r -> r.kind() == RequestKind.PRODUCT).count();
    try (FakeShop shop =
        new FakeShop(
            req ->
                switch (FakeShop.route(req)) {
                  // a broken shop: every submit makes a new order, even with the same key
                  case "/checkout" ->
                      Response.json(201, Map.of("orderId", "o" + orders.incrementAndGet()));
                  case "/products/{sku}" ->
                      Response.json(Map.of("recommendationsSource", "popular"));
                  default -> FakeShop.happy().handle(req);
                })) {
      LoadReport report = run(shop, options, 11);
      assertThat(doubleClicks).isPositive();
      assertThat(report.errors()).as("%s", report.errorCauses()).isZero();
      assertThat(report.checkouts("doubleSubmits")).isEqualTo(doubleClicks);
      assertThat(report.checkouts("duplicateOrders")).isEqualTo(doubleClicks);
      assertThat(report.degradedPages()).isEqualTo(productPages);
      long sessions = planned.stream().filter(r -> r.kind() == RequestKind.CHECKOUT).count();
      assertThat(report.checkouts("completed")).isEqualTo(sessions);
      assertThat(report.kind(RequestKind.CHECKOUT).requests()).isEqualTo(sessions + doubleClicks);
    }
  }

  @Test
  void usersWalkBothBffsPagesAndThePartialOnesAreCounted() {
    LoadOptions options = new LoadOptions(300, Duration.ofSeconds(1), 13, Duration.ofSeconds(10));
    List<PlannedRequest> planned =
        new LoadPlan(13, FakeShop.ASSORTMENT).requests(options.scheduledRequests());
    try (FakeShop shop =
        new FakeShop(
            req -> {
              boolean mobile = req.route().startsWith("/mobile/");
              return switch (FakeShop.route(req)) {
                // the mobile BFF's recommendations are down: its product pages are partial
                case "/products/{sku}" ->
                    mobile
                        ? Response.json(
                            Map.of(
                                "recommendationsSource",
                                "popular",
                                "partial",
                                List.of("recommendations")))
                        : Response.json(
                            Map.of("recommendationsSource", "personal", "partial", List.of()));
                case "/home" -> Response.json(Map.of("products", List.of(), "partial", List.of()));
                default -> FakeShop.happy().handle(req);
              };
            })) {
      LoadReport report = run(shop, options, 13);
      assertThat(report.errors()).as("%s", report.errorCauses()).isZero();
      long webPages = pages(planned, "web-bff", RequestKind.BROWSE, RequestKind.PRODUCT);
      long mobilePages = pages(planned, "mobile-bff", RequestKind.BROWSE, RequestKind.PRODUCT);
      long mobileProducts = pages(planned, "mobile-bff", RequestKind.PRODUCT);
      assertThat(webPages).isGreaterThan(mobilePages);
      assertThat(mobileProducts).isPositive();
      assertThat(report.pages()).isEqualTo(new PageCounts(webPages, mobilePages, mobileProducts));
      assertThat(report.degradedPages()).isEqualTo(mobileProducts);

      for (String received : shop.received) {
        boolean customerCall = received.startsWith("POST ");
        assertThat(received)
            .as("only cart and checkout calls name the customer, as the gateway's header")
            .matches(customerCall ? ".* customer-[0-9]+$" : ".* null$");
        assertThat(received)
            .startsWith(customerCall ? "POST /" : "GET /")
            .matches(
                "(GET /search\\?q=.*|[A-Z]+ /(web|mobile)/api/(home|products|cart|checkout).*)");
      }
    }
  }

  /** The requests of {@code kinds} the plan sends to {@code service}. */
  private static long pages(List<PlannedRequest> planned, String service, RequestKind... kinds) {
    return planned.stream()
        .filter(r -> List.of(kinds).contains(r.kind()))
        .filter(r -> r.calls().getFirst().service().equals(service))
        .count();
  }

  @Test
  void eachSecondIsReportedToListenersAndInTheTimeline() {
    LoadOptions options = new LoadOptions(50, Duration.ofSeconds(3), 2, Duration.ofSeconds(10));
    List<LoadInterval> heard = Collections.synchronizedList(new ArrayList<>());
    try (FakeShop shop = new FakeShop(FakeShop.happy())) {
      LoadGenerator generator =
          new LoadGenerator(options, new LoadPlan(2, FakeShop.ASSORTMENT), s -> shop.uri());
      generator.addListener(heard::add);
      LoadReport report = generator.run();
      assertThat(heard).extracting(LoadInterval::second).startsWith(0, 1, 2);
      long doubleClicks =
          new LoadPlan(2, FakeShop.ASSORTMENT)
              .requests(150).stream().filter(PlannedRequest::doubleSubmit).count();
      assertThat(heard.stream().mapToLong(LoadInterval::requests).sum())
          .isEqualTo(report.requests())
          .isEqualTo(150 + doubleClicks);
      assertThat(report.timeline()).startsWith(heard.toArray(LoadInterval[]::new));
    }
  }
}
