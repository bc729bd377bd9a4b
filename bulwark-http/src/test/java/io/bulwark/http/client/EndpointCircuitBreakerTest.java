package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.http.internal.ClientEngine;
import io.bulwark.http.lb.Balancing;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each endpoint's own circuit breaker: a failing instance is left out of the balancer's choice, a
 * probe after {@code waitInOpen} brings it back, all open fails fast. Real servers on 127.0.0.1,
 * the client's time virtual.
 */
class EndpointCircuitBreakerTest {
  private static final CircuitBreakerConfig BREAKER =
      CircuitBreakerConfig.builder()
          .countBasedWindow(4)
          .minimumCalls(4)
          .failureRateThreshold(50)
          .waitInOpen(Duration.ofSeconds(10))
          .halfOpenPermits(1)
          .build();

  private final Loopback net = new Loopback();
  private final VirtualScheduler time = new VirtualScheduler();
  private final List<String> transitions = new CopyOnWriteArrayList<>();
  private final AtomicInteger healthyHits = new AtomicInteger();
  private final AtomicInteger badHits = new AtomicInteger();
  private final AtomicBoolean flaky = new AtomicBoolean(true);
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpClients clients;

  @AfterEach
  void close() {
    release.countDown();
    if (clients != null) {
      clients.close();
    }
    net.close();
  }

  private BulwarkServer healthy() {
    return net.server(
        s ->
            s.get(
                "/x",
                r -> {
                  healthyHits.incrementAndGet();
                  return Response.json("ok");
                }));
  }

  /** Answers 503 on every second call it gets while flaky; {@code badHits} counts all. */
  private BulwarkServer bad() {
    AtomicInteger mine = new AtomicInteger();
    return net.server(
        s ->
            s.get(
                "/x",
                r -> {
                  badHits.incrementAndGet();
                  if (mine.incrementAndGet() % 2 == 0 && flaky.get()) {
                    throw HttpProblem.unavailable("flaky", "bad instance", 1);
                  }
                  return Response.json("ok");
                }));
  }

  private ClientEngine client(ClientConfig.Builder config) {
    clients =
        HttpClients.builder(net.discovery, time)
            .vertx(net.vertx)
            .decorators((name, c) -> CallDecorator.none())
            .listener(
                new ResilienceListener() {
                  @Override
                  public void onStateTransition(String breaker, CircuitBreaker.Transition t) {
                    transitions.add(breaker + " " + t.from() + ">" + t.to() + " " + t.reason());
                  }
                })
            .client("svc", config.build())
            .build();
    return (ClientEngine) clients.client("svc");
  }

  private static ClientConfig.Builder roundRobin() {
    return ClientConfig.builder("svc")
        .balancing(Balancing.ROUND_ROBIN)
        .endpointCircuitBreaker(BREAKER);
  }

  /** Calls until {@code n} calls were made; returns how many failed with a 503. */
  private static int call(ServiceClient client, int n) throws Exception {
    int failed = 0;
    for (int i = 0; i < n; i++) {
      try {
        assertThat(client.get("/x").status()).isEqualTo(200);
      } catch (HttpCallException e) {
        assertThat(e.status()).isEqualTo(503);
        failed++;
      }
    }
    return failed;
  }

  @Test
  void theBreakerIsolatesTheBadEndpointAndAProbeBringsItBack() throws Exception {
    BulwarkServer good = healthy();
    BulwarkServer sick = bad();
    net.publish("svc", good, sick);
    ClientEngine client = client(roundRobin());
    String sickBreaker = "svc@" + Loopback.endpoint(sick).id();

    assertThat(call(client, 8)).isEqualTo(2);
    assertThat(badHits).hasValue(4);
    assertThat(transitions).hasSize(1);
    assertThat(transitions.getFirst()).startsWith(sickBreaker + " CLOSED>OPEN ").contains("50.0%");
    assertThat(client.endpointBreakers().get(Loopback.endpoint(sick).id()).state())
        .isEqualTo(CircuitBreaker.State.OPEN);

    int healthyBefore = healthyHits.get();
    assertThat(call(client, 10)).isZero();
    assertThat(badHits).as("calls that reached the open endpoint").hasValue(4);
    assertThat(healthyHits.get() - healthyBefore).isEqualTo(10);

    flaky.set(false);
    time.advance(Duration.ofSeconds(9));
    assertThat(call(client, 4)).isZero();
    assertThat(badHits).as("still open 1 s before waitInOpen").hasValue(4);

    time.advance(Duration.ofSeconds(1));
    assertThat(call(client, 2)).isZero();
    assertThat(badHits).as("the probe").hasValue(5);
    assertThat(transitions)
        .anySatisfy(t -> assertThat(t).startsWith(sickBreaker + " OPEN>HALF_OPEN "))
        .anySatisfy(t -> assertThat(t).startsWith(sickBreaker + " HALF_OPEN>CLOSED "));
    assertThat(call(client, 4)).isZero();
    assertThat(badHits).as("back in the rotation").hasValue(7);
  }

  @Test
  void everyEndpointOpenFailsFastWithoutSendingAndNamesTheBreakers() throws Exception {
    flaky.set(true);
    BulwarkServer a = bad();
    BulwarkServer b = bad();
    net.publish("svc", a, b);
    ClientEngine client = client(roundRobin());
    // 2 endpoints × 4 calls each, every second answer of each server a 503: both open
    call(client, 8);
    assertThat(transitions).filteredOn(t -> t.contains("CLOSED>OPEN")).hasSize(2);
    int hits = badHits.get();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> client.get("/x"))
          .isInstanceOfSatisfying(
              HttpCallException.class,
              e -> {
                assertThat(e.isRetriable()).isTrue();
                assertThat(e.status()).isZero();
              })
          .hasMessageContaining("circuit breakers refuse calls")
          .hasMessageContaining("svc@" + Loopback.endpoint(a).id())
          .hasMessageContaining("svc@" + Loopback.endpoint(b).id());
    }
    assertThat(badHits).as("no request reached a server").hasValue(hits);
  }

  @Test
  void aHalfOpenEndpointWithItsProbeOutIsLeftOutOfTheChoice() throws Exception {
    BulwarkServer good = healthy();
    AtomicBoolean hang = new AtomicBoolean();
    CountDownLatch probing = new CountDownLatch(1);
    BulwarkServer sick =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      if (hang.get()) {
                        probing.countDown();
                        release.await(30, TimeUnit.SECONDS);
                        return Response.json("late");
                      }
                      if (badHits.incrementAndGet() % 2 == 0) {
                        throw HttpProblem.unavailable("flaky", "bad instance", 1);
                      }
                      return Response.json("ok");
                    }));
    net.publish("svc", good, sick);
    ClientEngine client = client(roundRobin());
    call(client, 8);
    time.advance(Duration.ofSeconds(10));
    hang.set(true);

    var probe = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    try {
      // round robin: of two calls in a row one goes to the half-open endpoint and hangs there
      var pair = new java.util.concurrent.ExecutorCompletionService<ClientResponse>(probe);
      var first = pair.submit(() -> client.get("/x"));
      var second = pair.submit(() -> client.get("/x"));
      assertThat(probing.await(10, TimeUnit.SECONDS)).isTrue();
      // the call that went to the healthy endpoint ends first: count only after it, so it is
      // never counted among the six below
      assertThat(pair.poll(10, TimeUnit.SECONDS))
          .as("the pair's call to the good endpoint")
          .isNotNull();
      int before = healthyHits.get();
      for (int i = 0; i < 6; i++) {
        assertThat(client.get("/x").endpointId()).isEqualTo(Loopback.endpoint(good).id());
      }
      assertThat(healthyHits.get() - before).isEqualTo(6);
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(second.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    } finally {
      probe.shutdownNow();
    }
  }

  @Test
  void anAttemptTimeoutCountsAsAFailureButTheCallersDeadlineDoesNot() throws Exception {
    // the server's own deadline timer never fires (its time is virtual too): only the client times
    // out
    BulwarkServer slow =
        net.server(
            s ->
                s.scheduler(new VirtualScheduler())
                    .get(
                        "/x",
                        r -> {
                          release.await(30, TimeUnit.SECONDS);
                          return Response.json("late");
                        }));
    net.publish("svc", slow);
    ClientEngine client = client(roundRobin().timeout(Duration.ofMillis(200)));
    CircuitBreaker breaker = client.endpointBreakers().get(Loopback.endpoint(slow).id());

    // the caller's deadline (50 ms, shorter than the attempt timeout) passes: not recorded
    Context withDeadline =
        Context.root().withDeadline(Deadline.after(Duration.ofMillis(50), time.clock()));
    assertThatThrownBy(() -> withDeadline.call(() -> client.get("/x")))
        .isInstanceOf(DeadlineExceededException.class);
    assertThat(breaker.metrics().calls()).isZero();

    // the attempt's own timeout: the endpoint failed
    assertThatThrownBy(() -> client.get("/x"))
        .isInstanceOfSatisfying(HttpCallException.class, e -> assertThat(e.isTimeout()).isTrue());
    assertThat(breaker.metrics().calls()).isEqualTo(1);
    assertThat(breaker.metrics().failures()).isEqualTo(1);
  }

  @Test
  void anEndpointThatLeavesDiscoveryTakesItsBreakerAlong() throws Exception {
    BulwarkServer good = healthy();
    BulwarkServer sick = bad();
    net.publish("svc", good, sick);
    ClientEngine client = client(roundRobin());
    String sickId = Loopback.endpoint(sick).id();
    assertThat(client.endpointBreakers()).containsOnlyKeys(Loopback.endpoint(good).id(), sickId);
    call(client, 8);
    assertThat(client.endpointBreakers().get(sickId).state()).isEqualTo(CircuitBreaker.State.OPEN);

    net.publish("svc", good);
    assertThat(client.endpointBreakers()).containsOnlyKeys(Loopback.endpoint(good).id());

    // back in discovery: a new breaker, closed, and the endpoint takes calls at once
    flaky.set(false);
    net.publish("svc", good, sick);
    assertThat(client.endpointBreakers().get(sickId).state())
        .isEqualTo(CircuitBreaker.State.CLOSED);
    int before = badHits.get();
    call(client, 2);
    assertThat(badHits.get() - before).isEqualTo(1);
  }

  @Test
  void withoutTheSettingThereIsNoEndpointBreaker() throws Exception {
    BulwarkServer sick = bad();
    net.publish("svc", sick);
    ClientEngine client = client(ClientConfig.builder("svc"));
    assertThat(call(client, 10)).isEqualTo(5);
    assertThat(client.endpointBreakers()).isEmpty();
    assertThat(badHits).hasValue(10);
  }
}
