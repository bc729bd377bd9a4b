package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.http.client.ClientConfig;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.discovery.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.KeyStoreOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One client's wire: a Vert.x HTTP client (pooled, kept-alive connections; HTTP/1.1 or HTTP/2; TLS
 * as the config says) whose exchanges all run on event-loop contexts, since issuing a request from
 * an arbitrary thread lets the response body race past its reader (a rare lost response). The
 * caller's thread blocks on the answer; thread-safe.
 *
 * <p>Design notes. The exchanges are spread over {@link EventLoops}, one context per event loop of
 * the Vert.x instance, so that one client's I/O is not bounded by one event-loop thread: a caller
 * thread always uses the same context (chosen by its thread id, no shared counter to contend on),
 * and a request is issued, sent, read and reset on that context only. The pool is the one Vert.x
 * client's, shared by the contexts, so {@link ClientConfig#poolSize()} stays the bound on
 * connections per endpoint; a connection lives on the event loop of the context that opened it and
 * Vert.x hands its responses to the context of the request that uses it.
 */
final class ClientTransport {
  private final ClientConfig config;
  private final HttpClientAgent http;
  private final EventLoops eventLoops;
  private final ContextHeaders contextHeaders;

  ClientTransport(
      String name,
      Vertx vertx,
      ClientConfig config,
      ContextHeaders contextHeaders,
      io.bulwark.core.time.Scheduler scheduler) {
    this.config = config;
    this.contextHeaders = contextHeaders;
    HttpClientOptions options = clientOptions(config);
    this.http = vertx.createHttpClient(options, poolOptions(config));
    this.eventLoops = EventLoops.of(vertx);
    if (ClientTls.watches(config)) {
      ClientTls watcher = new ClientTls(name, config, http, options.getSslOptions());
      watcher.start(scheduler);
      this.tls = watcher;
    } else {
      this.tls = null;
    }
  }

  private final @Nullable ClientTls tls;

  /** Checks the TLS files now (see {@link ClientTls#check}); null without files or no change. */
  @Nullable String reloadTls() {
    ClientTls t = tls;
    return t == null ? null : t.checkNow();
  }

  private static HttpClientOptions clientOptions(ClientConfig config) {
    HttpClientOptions o =
        new HttpClientOptions()
            .setConnectTimeout(
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            .setKeepAlive(true);
    if (config.protocol() == ClientConfig.Protocol.HTTP_2) {
      o.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false).setUseAlpn(true);
    }
    if (config.tls()) {
      o.setSsl(true).setVerifyHost(config.verifyHost());
      Path own = config.keyStore();
      if (own != null) {
        o.setKeyCertOptions(
            new KeyStoreOptions()
                .setType("PKCS12")
                .setPath(own.toString())
                .setPassword(config.keyStorePassword()));
      }
      Path trust = config.trustStore();
      io.bulwark.core.identity.WorkloadIdentity server = config.serverIdentity();
      if (server != null) {
        // the server proves a workload identity, not a host name
        o.setVerifyHost(false)
            .setTrustOptions(
                io.vertx.core.net.TrustOptions.wrap(
                    IdentityTrust.expecting(server, trust, config.trustStorePassword())));
      } else if (trust != null) {
        o.setTrustOptions(
            new KeyStoreOptions()
                .setType("PKCS12")
                .setPath(trust.toString())
                .setPassword(config.trustStorePassword()));
      }
    }
    return o;
  }

  private static PoolOptions poolOptions(ClientConfig config) {
    return new PoolOptions()
        .setHttp1MaxSize(config.poolSize())
        .setHttp2MaxSize(Math.max(1, config.poolSize() / 8));
  }

  /**
   * Sends the request of {@code attempt} carrying {@code sent} as headers, on the event-loop
   * context, and waits up to {@code timeoutNanos} for the answer read in full.
   */
  ClientResponse exchange(
      ClientAttempt attempt, ClientRequest request, Context sent, long timeoutNanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    Endpoint endpoint = attempt.endpoint.endpoint();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(request.method()))
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setURI(request.path())
            .setSsl(config.tls());
    Promise<ClientResponse> result = Promise.promise();
    // every exchange runs on an event-loop context (the caller's one of them): issuing a request
    // from an arbitrary thread lets the response body race past its reader (a rare lost response)
    io.vertx.core.Context eventLoop = eventLoops.forCurrentThread();
    attempt.issuedOn(eventLoop);
    eventLoop.runOnContext(
        v ->
            http.request(options)
                .compose(
                    req -> {
                      attempt.sent(req);
                      request.headers().forEach(req::putHeader);
                      contextHeaders.inject(sent, req::putHeader);
                      if (attempt.resend > 0) {
                        req.putHeader(
                            io.bulwark.core.fault.FaultSite.ATTEMPT_HEADER,
                            Integer.toString(attempt.resend));
                      }
                      return req.send(Buffer.buffer(request.body()));
                    })
                .compose(resp -> resp.body().map(body -> toResponse(resp, body, endpoint)))
                .onComplete(result));
    return await(result.future(), timeoutNanos);
  }

  /** Resets the request of {@code attempt} in flight, if any: the attempt gave up waiting. */
  void reset(ClientAttempt attempt) {
    attempt.reset();
  }

  private static ClientResponse toResponse(
      HttpClientResponse resp, Buffer body, Endpoint endpoint) {
    Map<String, String> headers = new HashMap<>();
    resp.headers()
        .forEach(
            h -> headers.putIfAbsent(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
    return new ClientResponse(
        resp.statusCode(),
        headers,
        body.getBytes(),
        endpoint.id(),
        resp.version().name(),
        Json.MAPPER);
  }

  private static <T> T await(Future<T> future, long timeoutNanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    return future.toCompletionStage().toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** A health probe: {@code GET path} answered 200 within {@code timeoutMillis}. */
  CompletableFuture<Boolean> probe(Endpoint e, String path, long timeoutMillis) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(e.host())
            .setPort(e.port())
            .setURI(path)
            .setSsl(config.tls());
    Promise<Boolean> result = Promise.promise();
    eventLoops
        .forCurrentThread()
        .runOnContext(
            v ->
                http.request(options)
                    .compose(HttpClientRequest::send)
                    .compose(resp -> resp.body().map(b -> resp.statusCode() == 200))
                    .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                    .onComplete(result));
    return result.future().toCompletionStage().toCompletableFuture();
  }

  void close() {
    ClientTls t = tls;
    if (t != null) {
      t.stop();
    }
    http.close();
  }
}
