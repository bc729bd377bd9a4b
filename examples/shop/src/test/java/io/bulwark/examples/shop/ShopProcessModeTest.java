package io.bulwark.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RuntimeListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop in the runtime's process mode: every instance but the four sharing the embedded event
 * log is a child JVM; a customer's checkout through the gateway completes, the invariants hold, and
 * once the shop is closed no child process is left.
 */
@Disabled(
    "not passing yet (see docs/shop.md, process mode): the children start, but the gateway child's"
        + " upstream calls end in stream resets, and once its child exited before listening")
class ShopProcessModeTest {
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
      String token = edge.login("carol");
      assertThat(edge.addItem(token, "cart-p1", "SKU-030", 2).status()).isEqualTo(200);
      Answer done = edge.checkout(token, "key-p1", "cart-p1");
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

  private static Set<Long> descendants() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }
}
