package io.bulwark.runtime.internal;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Asks {@code GET /health/ready} over real HTTP until it answers 200, on the runtime's shared
 * Vert.x. Requests are issued on one event-loop context (Vert.x clients need one); connections are
 * not kept alive, so no pooled connection outlives a probe. Thread-safe.
 */
final class ReadinessProbe implements AutoCloseable {
  private static final long RETRY_MILLIS = 20;
  private final Vertx vertx;
  private final Context context;
  private final HttpClientAgent client;

  ReadinessProbe(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(false).setConnectTimeout(1_000));
  }

  /**
   * Waits until {@code host:port} answers ready, at most {@code timeout} (real time).
   *
   * @throws TimeoutException when it did not answer 200 in time (the message has the last answer)
   */
  void awaitReady(String host, int port, Duration timeout)
      throws TimeoutException, InterruptedException {
    awaitReady(host, port, timeout, null);
  }

  /**
   * As {@link #awaitReady(String, int, Duration)}; with {@code identities}, over TLS presenting the
   * runtime's workload certificate (an instance under mutual TLS).
   */
  void awaitReady(String host, int port, Duration timeout, @Nullable Identities identities)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    String[] last = {"no answer"};
    HttpClientAgent via = identities == null ? client : tlsClient(identities);
    context.runOnContext(v -> probe(via, host, port, deadline, ready, last));
    try {
      ready.get(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new TimeoutException(String.valueOf(e.getCause()));
    } catch (TimeoutException e) {
      ready.cancel(false);
      throw new TimeoutException("not ready within " + timeout + " (last: " + last[0] + ")");
    } catch (InterruptedException e) {
      ready.cancel(false);
      throw e;
    }
  }

  private final java.util.concurrent.atomic.AtomicReference<@Nullable HttpClientAgent> tls =
      new java.util.concurrent.atomic.AtomicReference<>();

  private HttpClientAgent tlsClient(Identities identities) {
    HttpClientAgent c = tls.get();
    if (c != null) {
      return c;
    }
    HttpClientAgent fresh =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(false)
                .setConnectTimeout(1_000)
                .setSsl(true)
                .setKeyCertOptions(
                    new io.vertx.core.net.KeyStoreOptions()
                        .setType("PKCS12")
                        .setPath(identities.runtime().keyStore().toString())
                        .setPassword(identities.runtime().password()))
                .setTrustOptions(
                    new io.vertx.core.net.KeyStoreOptions()
                        .setType("PKCS12")
                        .setPath(identities.trustStore().toString())
                        .setPassword(identities.trustPassword())));
    if (tls.compareAndSet(null, fresh)) {
      return fresh;
    }
    fresh.close();
    return java.util.Objects.requireNonNull(tls.get());
  }

  private void probe(
      HttpClientAgent via,
      String host,
      int port,
      long deadline,
      CompletableFuture<Void> ready,
      String[] last) {
    if (ready.isDone()) {
      return;
    }
    via.request(HttpMethod.GET, port, host, "/health/ready")
        .compose(HttpClientRequest::send)
        .compose(resp -> resp.body().map(body -> resp.statusCode()))
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result() == 200) {
                ready.complete(null);
                return;
              }
              last[0] = ar.succeeded() ? "status " + ar.result() : String.valueOf(ar.cause());
              if (System.nanoTime() - deadline >= 0) {
                ready.completeExceptionally(
                    new TimeoutException("not ready in time (last: " + last[0] + ")"));
              } else {
                vertx.setTimer(RETRY_MILLIS, id -> probe(via, host, port, deadline, ready, last));
              }
            });
  }

  @Override
  public void close() {
    HttpClientAgent secure = tls.getAndSet(null);
    if (secure != null) {
      secure.close();
    }
    try {
      client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // closing the shared Vert.x afterwards releases whatever is left
    }
  }
}
