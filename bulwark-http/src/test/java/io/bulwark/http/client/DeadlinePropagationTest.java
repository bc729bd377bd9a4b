package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Context;
import io.bulwark.core.time.Clock;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The context crosses three hops of real servers: edge → A → B → C. Each hop sees the deadline
 * shrunk by the time already spent and capped by the calling client's timeout, and the same
 * correlation id.
 */
class DeadlinePropagationTest {
  private final Loopback net = new Loopback();

  @AfterEach
  void close() {
    net.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void deadlineShrinksOverThreeHops() throws Exception {
    HttpClients clients =
        net.clients(
            b ->
                b.client("a", ClientConfig.builder("a").timeout(Duration.ofSeconds(10)).build())
                    .client("b", ClientConfig.builder("b").timeout(Duration.ofSeconds(10)).build())
                    .client(
                        "c", ClientConfig.builder("c").timeout(Duration.ofMillis(1500)).build()));
    BulwarkServer c = net.server(s -> s.get("/hop", r -> Response.json(seen(null))));
    BulwarkServer b = net.server(s -> s.get("/hop", r -> Response.json(seen(clients.client("c")))));
    BulwarkServer a = net.server(s -> s.get("/hop", r -> Response.json(seen(clients.client("b")))));
    net.publish("a", a);
    net.publish("b", b);
    net.publish("c", c);

    long callStart = System.nanoTime();
    Context edge =
        Context.root()
            .withTimeout(Duration.ofSeconds(4), Clock.system())
            .withCorrelationId("three-hops");
    ClientResponse response = edge.call(() -> clients.client("a").get("/hop"));
    long spent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - callStart);

    assertThat(response.status()).isEqualTo(200);
    Map<String, Object> hopA = response.json(Map.class);
    Map<String, Object> hopB = (Map<String, Object>) hopA.get("next");
    Map<String, Object> hopC = (Map<String, Object>) hopB.get("next");
    long ma = ((Number) hopA.get("remainingMillis")).longValue();
    long mb = ((Number) hopB.get("remainingMillis")).longValue();
    long mc = ((Number) hopC.get("remainingMillis")).longValue();
    // Each hop sees what is left of the edge's 4 s, less at most the time the whole call took
    // (plus 3 ms per hop for rounding to whole milliseconds); C's is capped by client c's 1.5 s.
    // Not propagating (-1), sending the client's 10 s timeout instead, or a missing cap each break
    // a bound.
    assertThat(ma).isBetween(4000L - spent - 3, 4000L);
    assertThat(mb).isBetween(ma - spent - 3, ma);
    assertThat(mc).isBetween(1500L - spent - 3, 1500L);
    assertThat(hopA.get("correlationId")).isEqualTo("three-hops");
    assertThat(hopB.get("correlationId")).isEqualTo("three-hops");
    assertThat(hopC.get("correlationId")).isEqualTo("three-hops");
    assertThat(response.header("bulwark-correlation-id")).isEqualTo("three-hops");
  }

  @Test
  void callWithAnExpiredDeadlineIsNotSent() throws Exception {
    HttpClients clients = net.clients(b -> b.client("a", ClientConfig.builder("a").build()));
    int[] hits = {0};
    BulwarkServer a =
        net.server(
            s ->
                s.get(
                    "/hop",
                    r -> {
                      hits[0]++;
                      return Response.json("hit");
                    }));
    net.publish("a", a);
    Context expired = Context.root().withTimeout(Duration.ZERO, Clock.system());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> expired.call(() -> clients.client("a").get("/hop")))
        .isInstanceOf(io.bulwark.core.error.DeadlineExceededException.class)
        .hasMessageContaining("deadline passed");
    assertThat(hits[0]).isZero();
  }

  /** What this hop saw on arrival, then what the next hop (if any) saw. */
  private static Map<String, Object> seen(ServiceClient next) throws Exception {
    Context ctx = Context.current();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("remainingMillis", ctx.deadline() == null ? -1 : ctx.deadline().remaining().toMillis());
    out.put("correlationId", ctx.correlationId());
    if (next != null) {
      out.put("next", next.get("/hop").json(Map.class));
    }
    return out;
  }
}
