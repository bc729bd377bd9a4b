package io.bulwark.core.telemetry;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import org.jspecify.annotations.Nullable;

/**
 * The span of each hop a request or event takes: an HTTP server request, each attempt of an HTTP
 * client call, a produced record, a consumed record. The HTTP and events modules call these at the
 * start and end of a hop so that every component names its spans and attributes alike
 * (OpenTelemetry semantic conventions for HTTP and messaging), whichever {@link Tracing} records
 * them.
 *
 * <p>Every hop gets its own span id, recorded or not (see {@link Tracing}): the context of the
 * returned span is what the hop's work runs under and what it sends downstream. Attributes are set
 * only on recording spans, so a hop that is not sampled costs its trace context (ids kept as
 * numbers) and a span object; its context is made when first asked for. While a chaos fault is
 * active, every hop span of a request or record also gets its chaos cohort ({@code chaos.cohort},
 * see {@code io.bulwark.core.fault.ChaosCohort}). Stateless.
 */
public final class HopSpans {
  /** {@code messaging.system} of records sent through a Bulwark event log. */
  public static final String MESSAGING_SYSTEM = "bulwark";

  private HopSpans() {}

  /**
   * The {@code SERVER} span of one HTTP request, a child of the caller's {@code traceparent} (held
   * by {@code incoming}). Named {@code "GET /orders/{id}"}, or just the method when no route
   * matched.
   */
  public static TelemetrySpan server(
      Tracing tracing, Context incoming, String method, @Nullable String route, String path) {
    // the name is built only for a span that may record: a hop that records nothing stays cheap
    String name = route == null || !tracing.mayRecord(incoming) ? method : method + " " + route;
    return server(tracing, incoming, method, route, path, name);
  }

  /**
   * As {@link #server(Tracing, Context, String, String, String)}, named {@code name}: for a server
   * that makes each route's name ({@code method + " " + route}) once instead of per request.
   */
  public static TelemetrySpan server(
      Tracing tracing,
      Context incoming,
      String method,
      @Nullable String route,
      String path,
      String name) {
    TelemetrySpan span = tracing.startSpan(name, SpanKind.SERVER, incoming);
    if (span.isRecording()) {
      span.attribute("http.request.method", method);
      span.attribute("url.path", path);
      if (route != null) {
        span.attribute("http.route", route);
      }
      cohort(span, incoming);
    }
    return span;
  }

  /**
   * Ends a server span with the answer's {@code status}; a 5xx marks it failed, and so does {@code
   * 0} (the request ended without an answer, e.g. the connection broke).
   */
  public static void serverDone(TelemetrySpan span, int status) {
    if (span.isRecording()) {
      if (status > 0) {
        span.attribute("http.response.status_code", status);
      }
      if (status >= 500 || status == 0) {
        span.fail(status == 0 ? "no answer" : "HTTP " + status);
      }
    }
    span.end();
  }

  /**
   * The {@code CLIENT} span of one attempt of an HTTP call to {@code host:port}, a child of {@code
   * caller}. {@code resendCount} is 0 for the first attempt and counts the retries after it.
   */
  public static TelemetrySpan client(
      Tracing tracing, Context caller, String method, String host, int port, int resendCount) {
    TelemetrySpan span = tracing.startSpan(method, SpanKind.CLIENT, caller);
    if (span.isRecording()) {
      span.attribute("http.request.method", method);
      span.attribute("server.address", host);
      span.attribute("server.port", port);
      if (resendCount > 0) {
        span.attribute("http.request.resend_count", resendCount);
      }
      cohort(span, caller);
    }
    return span;
  }

  /**
   * Ends a client span: {@code status} is the answer's status ({@code 0} if none came); the span is
   * failed by {@code error}, or by a status of 400 or more.
   */
  public static void clientDone(TelemetrySpan span, int status, @Nullable Throwable error) {
    if (span.isRecording()) {
      if (status > 0) {
        span.attribute("http.response.status_code", status);
      }
      if (error != null) {
        span.fail(error);
      } else if (status >= 400) {
        span.fail("HTTP " + status);
      }
    }
    span.end();
  }

  /** The {@code PRODUCER} span of one record sent to {@code topic}, a child of {@code sender}. */
  public static TelemetrySpan producer(Tracing tracing, Context sender, String topic) {
    String name = tracing.mayRecord(sender) ? "send " + topic : "send"; // as for server spans
    TelemetrySpan span = tracing.startSpan(name, SpanKind.PRODUCER, sender);
    if (span.isRecording()) {
      messaging(span, topic, "send");
      cohort(span, sender);
    }
    return span;
  }

  /**
   * Ends a producer span once the send is acknowledged (with the record's position) or failed
   * ({@code error}).
   */
  public static void producerDone(
      TelemetrySpan span, int partition, long offset, @Nullable Throwable error) {
    if (span.isRecording()) {
      if (error != null) {
        span.fail(error);
      } else {
        span.attribute("messaging.destination.partition.id", Integer.toString(partition));
        span.attribute("bulwark.events.offset", offset);
      }
    }
    span.end();
  }

  /**
   * The {@code CONSUMER} span of processing one record. {@code sent} is the context restored from
   * the record's headers: when it holds the producer's span, the consumer span is its child and
   * also links to it (so the link survives where a backend shows consumers as their own traces);
   * without one, the span starts a trace of its own.
   */
  public static TelemetrySpan consumer(
      Tracing tracing, Context sent, String topic, int partition, long offset) {
    TraceContext producer = sent.trace();
    String name = tracing.mayRecord(sent) ? "process " + topic : "process";
    TelemetrySpan span =
        producer == null
            ? tracing.startSpan(name, SpanKind.CONSUMER, sent)
            : tracing.startSpan(name, SpanKind.CONSUMER, sent, producer);
    if (span.isRecording()) {
      messaging(span, topic, "process");
      span.attribute("messaging.destination.partition.id", Integer.toString(partition));
      span.attribute("bulwark.events.offset", offset);
      cohort(span, sent); // the cohort the record carries in its baggage
    }
    return span;
  }

  /** Ends a consumer span once the record is processed; {@code error} marks it failed. */
  public static void consumerDone(TelemetrySpan span, @Nullable Throwable error) {
    if (error != null) {
      span.fail(error);
    }
    span.end();
  }

  private static void messaging(TelemetrySpan span, String topic, String operation) {
    span.attribute("messaging.system", MESSAGING_SYSTEM);
    span.attribute("messaging.destination.name", topic);
    span.attribute("messaging.operation.type", operation);
  }

  /**
   * Tags a recording hop span with the request's chaos cohort ({@code chaos.cohort}) while a chaos
   * fault is active; one field read otherwise.
   */
  private static void cohort(TelemetrySpan span, Context context) {
    String cohort = io.bulwark.core.fault.ChaosCohort.of(context);
    if (cohort != null) {
      span.attribute(io.bulwark.core.fault.ChaosCohort.SPAN_ATTRIBUTE, cohort);
    }
  }
}
