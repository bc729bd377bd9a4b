package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.resilience.RetryConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpClients.Builder#listener}: one listener sees the default pipeline of every client
 * (retries, breaker transitions) and every endpoint breaker.
 */
class ClientListenerTest {
  private final Loopback net = new Loopback();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger hits = new AtomicInteger();

  private final ResilienceListener recorder =
      new ResilienceListener() {
        @Override
        public void onStateTransition(String breaker, CircuitBreaker.Transition t) {
          events.add("transition " + breaker + " " + t.from() + ">" + t.to());
        }

        @Override
        public void onRetry(String retry, int nextAttempt, long delayNanos, Throwable failure) {
          events.add("retry " + retry + " " + nextAttempt);
        }

        @Override
        public void onRetryGivenUp(String retry, int attempts, String reason, Throwable failure) {
          events.add("gave up " + retry + " " + attempts);
        }
      };

  @AfterEach
  void close() {
    net.close();
  }

  @Test
  void theListenerSeesTheDefaultPipelinesAndTheEndpointBreakersOfEveryClient() {
    BulwarkServer broken =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      hits.incrementAndGet();
                      throw HttpProblem.of(500, "broken", "always");
                    }));
    net.publish("a", broken);
    net.publish("b", broken);
    CircuitBreakerConfig twoCalls =
        CircuitBreakerConfig.builder()
            .countBasedWindow(2)
            .minimumCalls(2)
            .waitInOpen(Duration.ofMinutes(5))
            .build();
    RetryConfig twoAttempts =
        RetryConfig.builder()
            .maxAttempts(2)
            .initialDelay(Duration.ofMillis(1))
            .maxDelay(Duration.ofMillis(2))
            .build();
    CircuitBreakerConfig threeCalls =
        CircuitBreakerConfig.builder()
            .countBasedWindow(3)
            .minimumCalls(3)
            .waitInOpen(Duration.ofMinutes(5))
            .build();
    ClientConfig a =
        ClientConfig.builder("a").retry(twoAttempts).circuitBreaker(threeCalls).build();
    // b: the default pipeline's breaker needs 20 calls; its endpoint's breaker opens after 2
    ClientConfig b =
        ClientConfig.builder("b").retry(twoAttempts).endpointCircuitBreaker(twoCalls).build();
    HttpClients clients = net.clients(c -> c.listener(recorder).client("a", a).client("b", b));

    assertThatThrownBy(() -> clients.client("a").get("/x")).isInstanceOf(HttpCallException.class);
    assertThat(events).containsExactly("retry a 2", "gave up a 2");
    // the third failed attempt opens the pipeline's breaker; its retry is refused without a send
    assertThatThrownBy(() -> clients.client("a").get("/x")).isInstanceOf(Exception.class);
    assertThat(events).contains("transition a CLOSED>OPEN");
    assertThat(hits).hasValue(3);

    events.clear();
    String endpoint = Loopback.endpoint(broken).id();
    assertThatThrownBy(() -> clients.client("b").get("/x"))
        .isInstanceOfSatisfying(
            HttpCallException.class, e -> assertThat(e.status()).isEqualTo(500));
    assertThat(hits).hasValue(5);
    assertThat(events)
        .contains("retry b 2", "transition b@" + endpoint + " CLOSED>OPEN", "gave up b 2")
        .doesNotContain("transition b CLOSED>OPEN");

    assertThatThrownBy(() -> clients.client("b").get("/x"))
        .isInstanceOf(HttpCallException.class)
        .hasMessageContaining("circuit breakers refuse calls: [b@" + endpoint + "]");
    assertThat(hits).as("the open endpoint breaker sent nothing").hasValue(5);
  }
}
