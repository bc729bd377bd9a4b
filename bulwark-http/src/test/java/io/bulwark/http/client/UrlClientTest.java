package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.RejectedException;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.Pipeline;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.resilience.Retry;
import io.bulwark.resilience.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client for one URL, without a discovery object; a resilience pipeline built in code attached to
 * it; {@code send} failing only with Bulwark's unchecked error taxonomy (or an interrupt). Real
 * servers on 127.0.0.1.
 */
class UrlClientTest {
  private final Loopback net = new Loopback();
  private final AtomicInteger hits = new AtomicInteger();

  @AfterEach
  void close() {
    net.close();
  }

  /** A server whose first {@code failures} requests are answered 503, the rest 200 "ok". */
  private String failingFirst(int failures) {
    BulwarkServer s =
        net.server(
            b ->
                b.get(
                    "/x",
                    r -> {
                      if (hits.incrementAndGet() <= failures) {
                        throw HttpProblem.of(503, "warming_up", "not yet");
                      }
                      return Response.json("ok " + r.query("q"));
                    }));
    return "http://127.0.0.1:" + s.port();
  }

  @Test
  void aClientForOneUrlCallsThatServerWithoutDiscovery() throws Exception {
    String url = failingFirst(0);
    HttpClients clients = net.urlClients(b -> b.client("greeter", url));

    ClientResponse r = clients.client("greeter").get("/x?q=bulwark");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyAsString()).isEqualTo("\"ok bulwark\"");
    assertThat(r.endpointId()).isEqualTo(url.substring("http://".length()));
  }

  @Test
  void aTrailingSlashIsNoPathAndUpperCaseSchemesAreAccepted() throws Exception {
    String url = failingFirst(0);
    HttpClients clients =
        net.urlClients(b -> b.client("a", url + "/").client("b", url.replace("http", "HTTP")));
    assertThat(clients.client("a").get("/x").status()).isEqualTo(200);
    assertThat(clients.client("b").get("/x").status()).isEqualTo(200);
  }

  @Test
  void withoutAPortTheSchemesDefaultPortIsCalled() {
    HttpClients clients =
        net.urlClients(
            b ->
                b.client("plain", "http://127.0.0.1")
                    .decorators((name, config) -> CallDecorator.none()));
    // whatever answers on port 80 (usually nobody), the endpoint called is 127.0.0.1:80
    String endpoint;
    try {
      endpoint = clients.client("plain").get("/").endpointId();
    } catch (HttpCallException e) {
      endpoint = e.endpointId();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertThat(endpoint).isEqualTo("127.0.0.1:80");
  }

  @Test
  void aPipelineBuiltInCodeRunsEveryCallOfTheClient() throws Exception {
    String url = failingFirst(4);
    List<String> retries = new CopyOnWriteArrayList<>();
    Pipeline fiveAttempts =
        Pipeline.builder()
            .name("patient")
            .with(
                Retry.of(
                    "patient",
                    RetryConfig.builder().maxAttempts(5).fixedDelay(Duration.ofMillis(1)).build(),
                    net.scheduler))
            .listener(
                new ResilienceListener() {
                  @Override
                  public void onRetry(String retry, int next, long delayNanos, Throwable failure) {
                    retries.add(retry + " " + next);
                  }
                })
            .build();
    HttpClients clients = net.urlClients(b -> b.client("svc", url).pipeline("svc", fiveAttempts));

    // the default pipeline gives up after 3 attempts; only the attached one reaches the 5th
    assertThat(clients.client("svc").get("/x").status()).isEqualTo(200);
    assertThat(hits).hasValue(5);
    assertThat(retries).containsExactly("patient 2", "patient 3", "patient 4", "patient 5");
  }

  @Test
  void anOpenBreakerInTheAttachedPipelineRejectsWithoutSending() {
    String url = failingFirst(0);
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("guard");
    breaker.forceOpen();
    HttpClients clients =
        net.urlClients(b -> b.client("svc", url).pipeline("svc", Pipeline.of(breaker)));

    assertThatThrownBy(() -> clients.client("svc").get("/x"))
        .isInstanceOf(RejectedException.class)
        .hasMessageContaining("guard");
    assertThat(hits).hasValue(0);
  }

  @Test
  void aFiveHundredIsAnHttpCallExceptionNamingServiceStatusAndEndpoint() {
    String url = failingFirst(Integer.MAX_VALUE);
    HttpClients clients =
        net.urlClients(
            b -> b.client("svc", url).decorators((name, config) -> CallDecorator.none()));

    assertThatThrownBy(() -> clients.client("svc").get("/x"))
        .isInstanceOfSatisfying(
            HttpCallException.class,
            e -> {
              assertThat(e.service()).isEqualTo("svc");
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.endpointId()).isEqualTo(url.substring("http://".length()));
              assertThat(e.isRetriable()).isTrue();
            });
    assertThat(hits).hasValue(1);
  }

  @Test
  void aPassedDeadlineIsADeadlineExceededExceptionAndNothingIsSent() {
    String url = failingFirst(0);
    HttpClients clients = net.urlClients(b -> b.client("svc", url));
    Context late = Context.root().withDeadline(Deadline.afterNanos(-1, net.scheduler.clock()));

    assertThatThrownBy(() -> late.call(() -> clients.client("svc").get("/x")))
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining("svc");
    assertThat(hits).hasValue(0);
  }

  @Test
  void aCheckedExceptionOfADecoratorArrivesAsTheCauseOfAnHttpCallException() {
    String url = failingFirst(0);
    HttpClients clients =
        net.urlClients(
            b ->
                b.client("svc", url)
                    .decorators(
                        (name, config) ->
                            (request, attempt) -> {
                              attempt.run();
                              throw new IOException("audit log full");
                            }));

    assertThatThrownBy(() -> clients.client("svc").get("/x"))
        .isInstanceOf(HttpCallException.class)
        .hasMessageContaining("svc")
        .hasCauseInstanceOf(IOException.class)
        .hasRootCauseMessage("audit log full");
    assertThat(hits).hasValue(1);
  }

  @Test
  void sendDeclaresOnlyInterruptedExceptionAsChecked() throws Exception {
    assertThat(ServiceClient.class.getMethod("send", ClientRequest.class).getExceptionTypes())
        .containsExactly(InterruptedException.class);
    assertThat(ServiceClient.class.getMethod("get", String.class).getExceptionTypes())
        .containsExactly(InterruptedException.class);
  }

  @Test
  void anInterruptedCallerGetsInterruptedException() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BulwarkServer s =
        net.server(
            b ->
                b.get(
                    "/slow",
                    r -> {
                      arrived.countDown();
                      release.await(30, TimeUnit.SECONDS);
                      return Response.json("late");
                    }));
    HttpClients clients = net.urlClients(b -> b.client("svc", "http://127.0.0.1:" + s.port()));
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    Thread caller =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    clients.client("svc").get("/slow");
                    failure.complete(new AssertionError("the call returned"));
                  } catch (Throwable t) {
                    failure.complete(t);
                  }
                });
    try {
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
      caller.interrupt();
      assertThat(failure.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    } finally {
      release.countDown();
    }
  }
}
