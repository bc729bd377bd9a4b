package io.bulwark.gateway.internal;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * The head of a request as admission stages read it: route, method, path, host, headers and the
 * client's address (the peer, or for a trusted proxy the last untrusted {@code X-Forwarded-For}
 * hop). Read-only for the stages: changes go through the {@link Verdict}.
 */
public final class AdmissionHead {
  private static final Executor VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

  private final String route;
  private final String method;
  private final String path;
  private final String host;
  private final MultiMap headers;
  private final String clientIp;
  private final Context context;
  // the request's own context for the stages' log lines (its baggage, so the chaos cohort is
  // stamped on them); null unless a chaos fault was active when the request arrived
  private final io.bulwark.core.context.@Nullable Context requestContext;
  private final java.util.Map<String, Object> attributes = new java.util.HashMap<>(4);

  AdmissionHead(
      String route,
      String method,
      String path,
      String host,
      MultiMap headers,
      String clientIp,
      Context context) {
    this(route, method, path, host, headers, clientIp, context, null);
  }

  AdmissionHead(
      String route,
      String method,
      String path,
      String host,
      MultiMap headers,
      String clientIp,
      Context context,
      io.bulwark.core.context.@Nullable Context requestContext) {
    this.route = route;
    this.method = method;
    this.path = path;
    this.host = host;
    this.headers = headers;
    this.clientIp = clientIp;
    this.context = context;
    this.requestContext = requestContext;
  }

  /**
   * Runs {@code task} (a stage's call or the chain's own log line) under the request's context when
   * it has one, so the stamping appender labels its log lines with the request's chaos cohort;
   * directly otherwise.
   */
  void run(Runnable task) {
    io.bulwark.core.context.Context c = requestContext;
    if (c == null) {
      task.run();
    } else {
      c.run(task);
    }
  }

  public String route() {
    return route;
  }

  public String method() {
    return method;
  }

  /** The normalized path (without the query). */
  public String path() {
    return path;
  }

  public String host() {
    return host;
  }

  /** The first value of header {@code name} (case-insensitive), or null. */
  public @Nullable String header(String name) {
    return headers.get(name);
  }

  /** The request headers as received, read-only by contract. */
  public MultiMap headers() {
    return headers;
  }

  /** The client's IP: the peer, or for a trusted proxy the last untrusted forwarded hop. */
  public String clientIp() {
    return clientIp;
  }

  /**
   * A value an earlier stage left for later ones (the JWT stage leaves the verified claims under
   * {@code jwt.claims}), or null. Stages run one after the other, so no locking is needed.
   */
  public @Nullable Object attribute(String key) {
    return attributes.get(key);
  }

  /** Leaves {@code value} for later stages of this request. */
  public void attribute(String key, Object value) {
    attributes.put(key, value);
  }

  /** Like {@link #run(Runnable)}, for a stage's call that returns its verdict's future. */
  <T> T call(java.util.function.Supplier<T> task) {
    io.bulwark.core.context.Context c = requestContext;
    if (c == null) {
      return task.get();
    }
    try {
      return c.call(task::get);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) { // NOPMD - a Supplier throws no checked exception
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code work} on a virtual thread; the future completes on the request's event loop. */
  public <T> Future<T> blocking(Callable<T> work) {
    Promise<T> promise = Promise.promise();
    io.bulwark.core.context.Context c = requestContext;
    VIRTUAL.execute(
        () -> {
          T value;
          try {
            value = c == null ? work.call() : c.call(work);
          } catch (Throwable e) { // NOPMD - passed on: the chain fails the request closed
            context.runOnContext(v -> promise.fail(e));
            return;
          }
          context.runOnContext(v -> promise.complete(value));
        });
    return promise.future();
  }
}
