package io.bulwark.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.identity.IdentityService;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop in the runtime's process mode: every instance but the four sharing the embedded event
 * log is a child JVM; a customer's checkout through the gateway completes, the invariants hold, and
 * once the shop is closed no child process is left.
 *
 * <p>The children are cold (C1, classes loading) and a busy CI machine is slow: a call that ends in
 * 502/503/504 at the gateway (its route timeout, a breaker opened by those timeouts) is asked again
 * until {@link #COLD_BUDGET} has passed — the checkout with the same idempotency key, so it is
 * still one order. Any other answer is judged at once.
 */
class ShopProcessModeTest {
  private static final Duration COLD_BUDGET = Duration.ofSeconds(90);

  private static final Set<String> IN_PARENT =
      Set.of("catalog", "orders", "shipping", "notifications");

  @Test
  void theShopRunsAsChildJvmsChecksOutThroughTheGatewayAndLeavesNoProcess(@TempDir Path dir)
      throws Exception {
    Set<Long> before = descendants();
    Shop shop =
        Shop.start(new ShopOptions(true, 42, dir, 0), new RuntimeListener() {}, false, true);
    try {
      long expectedChildren =
          shop.runtime().instances().stream().filter(i -> !IN_PARENT.contains(i.service())).count();
      assertThat(expectedChildren).isGreaterThanOrEqualTo(10);
      Set<Long> children = descendants();
      children.removeAll(before);
      assertThat(children).hasSizeGreaterThanOrEqualTo((int) expectedChildren);
      for (InstanceHandle i : shop.runtime().instances()) {
        Path stdout = i.storage().resolve("logs/stdout.log");
        if (IN_PARENT.contains(i.service())) {
          assertThat(stdout).as(i.id() + " runs in this JVM").doesNotExist();
        } else {
          assertThat(stdout)
              .as(i.id() + " is a child JVM")
              .content()
              .contains("BULWARK-CHILD-PORT " + i.port());
        }
      }

      EdgeCalls edge = new EdgeCalls(shop.edgeUri());
      Answer login =
          untilAnswered(
              () ->
                  edge.post(
                      "/login",
                      "{\"customer\":\"carol\",\"password\":\""
                          + IdentityService.DEMO_PASSWORD
                          + "\"}",
                      null,
                      Map.of()));
      assertThat(login.status()).as(login.toString()).isEqualTo(200);
      String token = login.text("token");
      Answer added = untilAnswered(() -> edge.addItem(token, "cart-p1", "SKU-030", 2));
      assertThat(added.status()).as(added.toString()).isEqualTo(200);
      Answer done = untilAnswered(() -> edge.checkout(token, "key-p1", "cart-p1"));
      assertThat(done.status()).as(done.toString()).isEqualTo(201);
      assertThat(done.text("status")).isEqualTo("CONFIRMED");
      assertThat(edge.get("/orders/" + done.text("orderId"), token).text("status"))
          .isEqualTo("CONFIRMED");
      assertThat(shop.checkInvariants(Duration.ofSeconds(30)).holds()).isTrue();
    } finally {
      shop.close();
    }
    Set<Long> left = descendants();
    left.removeAll(before);
    assertThat(left).as("child processes left after close").isEmpty();
  }

  /**
   * {@code call}'s first answer that is not a 502, 503 or 504, or its last one after the budget.
   */
  private static Answer untilAnswered(Supplier<Answer> call) {
    long end = System.nanoTime() + COLD_BUDGET.toNanos();
    while (true) {
      Answer a = call.get();
      boolean gatewayGaveUp = a.status() == 502 || a.status() == 503 || a.status() == 504;
      if (!gatewayGaveUp || System.nanoTime() > end) {
        return a;
      }
      // paces the next attempt (an open breaker answers at once); nothing is judged by time
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
  }

  private static Set<Long> descendants() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }
}
