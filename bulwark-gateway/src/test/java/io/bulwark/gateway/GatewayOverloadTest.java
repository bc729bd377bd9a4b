package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerListener;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Overload without a loaded machine: a Bulwark service that does one request at a time (100 ms
 * each: 10 requests/s) gets a burst of 30 through the gateway from users who wait 300 ms. With the
 * users' patience sent as {@code bulwark-deadline}, the gateway passes what is left of it on and
 * the service drops what nobody waits for (queued handlers are interrupted at the deadline): almost
 * no work finishes after its caller has gone. The counter-example is the same burst whose users say
 * nothing (the route's 10 s timeout is the only deadline): the service works through the whole
 * queue for callers that left long ago.
 */
class GatewayOverloadTest {
  static final int BURST = 30;
  static final long SERVICE_MILLIS = 100;
  static final Duration PATIENCE = Duration.ofMillis(300);

  /**
   * How long after its caller left a piece of work must finish to count as late. The deadline the
   * service enforces starts when the request reaches it (the gateway passes on what is left), so
   * time a loaded machine spends before the request arrives (connecting, queueing) moves its end
   * past the caller's by that much; 200 ms of it is tolerated.
   */
  static final Duration LATE_AFTER = PATIENCE.plusMillis(200);

  /** What the service did for one burst. */
  record Work(int answered, int handled, int finished, int finishedLate) {}

  private static final String MARKER = "marker";

  @Test
  void withTheUsersPatienceAsDeadlineWorkForAbandonedRequestsIsShed() throws Exception {
    Work w = burst(true);
    assertThat(w.handled()).as("no retry amplifies the burst").isLessThanOrEqualTo(BURST + 2);
    assertThat(w.finishedLate()).as("work finished after its caller left: %s", w).isLessThan(3);
    assertThat(w.finished()).as("%s", w).isLessThan(BURST / 3);
  }

  @Test
  void withoutDeadlinesTheServiceWorksThroughTheQueueForCallersThatLeft() throws Exception {
    Work w = burst(false);
    // most of the burst: a request still waiting for a pooled connection when its user leaves is
    // never sent (the gateway sees the client go), whatever the deadlines
    assertThat(w.finishedLate()).as("%s", w).isGreaterThanOrEqualTo(BURST / 2);
  }

  private static Work burst(boolean sendDeadline) throws Exception {
    Semaphore worker = new Semaphore(1, true); // fair: the marker is served after the queue
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger late = new AtomicInteger();
    AtomicInteger handled = new AtomicInteger();
    BulwarkServer service =
        BulwarkServer.builder()
            .listener(
                new ServerListener() {
                  @Override
                  public void onRequest(AccessLogEntry entry) {
                    handled.incrementAndGet();
                  }
                })
            .get(
                "/work",
                req -> {
                  String sent = String.valueOf(req.header("x-sent-nanos"));
                  if (sent.equals(MARKER)) { // straight to the service: after every queued request
                    worker.acquire();
                    worker.release();
                    return Response.json(Map.of("marker", true));
                  }
                  long sentAt = Long.parseLong(sent);
                  worker.acquire(); // the deadline's timer interrupts a queued handler
                  try {
                    Thread.sleep(SERVICE_MILLIS); // the work itself
                    finished.incrementAndGet();
                    if (System.nanoTime() - sentAt > LATE_AFTER.toNanos()) {
                      late.incrementAndGet();
                    }
                  } finally {
                    worker.release();
                  }
                  return Response.json(Map.of("ok", true));
                })
            .build()
            .start();
    Vertx vertx = Vertx.vertx();
    Gateway gateway = null;
    try {
      String yaml =
          """
          listeners:
            public: {port: 0}
          admin: {port: 0}
          clusters:
            service: {endpoints: ["127.0.0.1:%d"], egress-allow: [loopback]}
          routes:
            work:
              match: {path: /work}
              cluster: service
              timeout: 10s
          """
              .formatted(service.port());
      gateway =
          Gateway.builder(
                  ConfigLoader.withEnv(Map.of()).parse(yaml, "overload.yaml", GatewayConfig::bind))
              .vertx(vertx)
              .start();
      URI uri = URI.create("http://127.0.0.1:" + gateway.port("public") + "/work");
      int answered;
      try (HttpClient client =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
          HttpRequest.Builder b =
              HttpRequest.newBuilder(uri)
                  .timeout(PATIENCE)
                  .header("x-sent-nanos", Long.toString(System.nanoTime()));
          if (sendDeadline) {
            b.header("bulwark-deadline", Long.toString(PATIENCE.toMillis()));
          }
          calls.add(
              client
                  .sendAsync(b.build(), HttpResponse.BodyHandlers.discarding())
                  .thenApply(HttpResponse::statusCode)
                  .exceptionally(e -> 0));
        }
        answered = 0;
        for (CompletableFuture<Integer> c : calls) {
          answered += c.get(30, TimeUnit.SECONDS) == 200 ? 1 : 0;
        }
        // every user has its answer; the marker waits its turn behind whatever is still queued
        HttpResponse<String> marker =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/work"))
                    .header("x-sent-nanos", MARKER)
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(marker.statusCode()).isEqualTo(200);
      }
      return new Work(answered, handled.get() - 1, finished.get(), late.get());
    } finally {
      if (gateway != null) {
        gateway.close();
      }
      service.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
