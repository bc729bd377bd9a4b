package io.bulwark.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.runtime.BreakerView;
import io.bulwark.runtime.RuntimeListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The game day's faults — a bad payments deploy, a killed inventory instance, recommendations down
 * — against the shop with resilience on and off, measured as a user sees them.
 */
class ShopFaultsTest {
  static final int USERS = 16;
  static final int ROUNDS = 6;

  @TempDir Path dir;

  /** What users saw in one phase. */
  record Tally(String phase, int requests, int failures, int checkouts, int confirmed) {
    double errorRate() {
      return requests == 0 ? 0 : (double) failures / requests;
    }
  }

  /** Users browse a product page, add it to a new cart and check out; 5xx or no answer fails. */
  static Tally drive(ShopCalls calls, String phase, long seed) throws Exception {
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger confirmed = new AtomicInteger();
    List<Future<?>> users = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int u = 0; u < USERS; u++) {
        int user = u;
        users.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed * 31 + user);
                  for (int i = 0; i < ROUNDS; i++) {
                    String sku = "SKU-%03d".formatted(1 + random.nextInt(60));
                    String cart = phase + "-" + user + "-" + i;
                    for (Answer a :
                        List.of(
                            calls.get("catalog", "/products/" + sku),
                            calls.addItem(cart, sku, 1),
                            calls.checkout(cart, cart))) {
                      requests.incrementAndGet();
                      if (a.status() == 0 || a.status() >= 500) {
                        failures.incrementAndGet();
                      }
                      if (a.status() == 201) {
                        confirmed.incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : users) {
        f.get();
      }
    }
    return new Tally(phase, requests.get(), failures.get(), USERS * ROUNDS, confirmed.get());
  }

  /** The game day's steps, each followed by a phase of load; the tallies of the phases. */
  static List<Tally> gameDay(Shop shop, List<BreakerView> payments2Breakers) throws Exception {
    ShopCalls calls = new ShopCalls(shop);
    List<Tally> tallies = new ArrayList<>();
    tallies.add(drive(calls, "steady", 1));
    shop.runtime().instance("payments-2").deploy(Shop.BAD_PAYMENTS_VERSION);
    String bad = "@127.0.0.1:" + shop.runtime().instance("payments-2").port();
    tallies.add(drive(calls, "bad-payments", 2));
    shop.runtime().breakers().stream()
        .filter(b -> b.breaker().endsWith(bad))
        .forEach(payments2Breakers::add);
    shop.runtime().instance("inventory-2").kill();
    tallies.add(drive(calls, "inventory-killed", 3));
    shop.runtime().instance("recommendations-1").kill();
    tallies.add(drive(calls, "recommendations-down", 4));
    shop.runtime().instance("payments-2").deploy(Shop.GOOD_VERSION);
    shop.runtime().instance("inventory-2").restart();
    shop.runtime().instance("recommendations-1").restart();
    tallies.add(drive(calls, "healed", 5));
    return tallies;
  }

  static int failures(List<Tally> tallies) {
    return tallies.stream().mapToInt(Tally::failures).sum();
  }

  static int requests(List<Tally> tallies) {
    return tallies.stream().mapToInt(Tally::requests).sum();
  }

  @Test
  void withResilienceTheGameDayStaysUnderOnePercentOfErrorsAndResilienceOffIsWorse()
      throws Exception {
    List<Tally> on;
    List<BreakerView> breakers = new ArrayList<>();
    try (Shop shop =
        Shop.start(new ShopOptions(true, 7, dir.resolve("on"), 0), new RuntimeListener() {})) {
      on = gameDay(shop, breakers);
      InvariantReport report = shop.checkInvariants(Duration.ofSeconds(20));
      assertThat(report.invariants()).isNotEmpty().allMatch(Invariant::holds, "holds");
      assertThat(report.figures().get("orders confirmed")).isPositive();
    }
    List<Tally> off;
    try (Shop shop =
        Shop.start(new ShopOptions(false, 7, dir.resolve("off"), 0), new RuntimeListener() {})) {
      off = gameDay(shop, new ArrayList<>());
      InvariantReport report = shop.checkInvariants(Duration.ofSeconds(20));
      assertThat(report.invariants()).isNotEmpty().allMatch(Invariant::holds, "holds");
    }
    System.out.println("resilience on:  " + on);
    System.out.println("resilience off: " + off);
    System.out.println("breakers: " + breakers);

    assertThat((double) failures(on) / requests(on)).isLessThan(0.01);
    assertThat(failures(off)).isGreaterThan(failures(on));
    for (int phase = 1; phase <= 3; phase++) {
      assertThat(off.get(phase).failures())
          .as("phase %s", off.get(phase).phase())
          .isGreaterThan(on.get(phase).failures());
    }
    assertThat(on.get(1).confirmed()).isEqualTo(on.get(1).checkouts());
    assertThat(on.get(2).confirmed()).isEqualTo(on.get(2).checkouts());
    assertThat(breakers)
        .as("the endpoint breaker of payments-2 in orders-1")
        .anyMatch(
            b ->
                b.instanceId().equals("orders-1")
                    && b.breaker().startsWith("payments@")
                    // OPEN, or already probing after its wait in OPEN (a slow machine's phase
                    // outlasts the 5 s wait)
                    && (b.state() == CircuitBreaker.State.OPEN
                        || (b.state() == CircuitBreaker.State.HALF_OPEN
                            && b.reason().contains("in OPEN"))));
  }
}
