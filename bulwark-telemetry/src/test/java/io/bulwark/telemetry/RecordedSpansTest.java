package io.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.test.VirtualClock;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Spans recorded by Bulwark itself: what an exporter receives is what was recorded, every span
 * reaches processors and exporters once, a full export queue drops and counts instead of blocking,
 * and close exports what is queued.
 */
class RecordedSpansTest {
  static class Collecting implements SpanExporter {
    final List<SpanData> spans = new CopyOnWriteArrayList<>();
    final AtomicInteger shutdowns = new AtomicInteger();

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      shutdowns.incrementAndGet();
      return CompletableResultCode.ofSuccess();
    }
  }

  @Test
  void aSpansTraceReadBeforeOrAfterItsContextIsTheOneExported() {
    Collecting exporter = new Collecting();
    TraceContext remote =
        new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1, "k=v");
    TraceContext before;
    TraceContext after;
    TraceContext root;
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().addSpanExporter(exporter).build()) {
      TelemetrySpan child =
          t.tracing().startSpan("child", SpanKind.SERVER, Context.root().withTrace(remote));
      before = Objects.requireNonNull(child.trace());
      assertThat(child.trace()).isEqualTo(before);
      Context c = child.context();
      after = Objects.requireNonNull(child.trace());
      assertThat(c.trace()).isEqualTo(before).isSameAs(after);
      child.end();
      TelemetrySpan top = t.tracing().startSpan("root", SpanKind.SERVER, Context.root());
      root = Objects.requireNonNull(top.trace());
      top.end();
      t.flush(10_000);
    }
    assertThat(before.toTraceparent())
        .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
        .endsWith("-01")
        .doesNotContain("00f067aa0ba902b7");
    assertThat(before.traceState()).isEqualTo("k=v");
    assertThat(exporter.spans)
        .extracting(SpanData::getSpanId)
        .containsExactlyInAnyOrder(before.spanId(), root.spanId());
    assertThat(exporter.spans)
        .extracting(SpanData::getTraceId)
        .containsExactlyInAnyOrder(remote.traceId(), root.traceId());
  }

  @Test
  void theExportedSpanIsExactlyWhatWasRecorded() {
    VirtualClock clock = new VirtualClock();
    Collecting exporter = new Collecting();
    TraceContext remote =
        new TraceContext(
            "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1, "vendor=opaque");
    TraceContext producer = TraceContext.newTrace(true);
    long start;
    TraceContext own;
    try (BulwarkTelemetry t =
        BulwarkTelemetry.builder()
            .serviceName("checkout")
            .clock(clock)
            .addSpanExporter(exporter)
            .build()) {
      clock.advance(Duration.ofMillis(3));
      start = clock.wallMillis() * 1_000_000L;
      TelemetrySpan span =
          t.tracing()
              .startSpan(
                  "process orders", SpanKind.CONSUMER, Context.root().withTrace(remote), producer);
      own = Objects.requireNonNull(span.context().trace());
      span.attribute("messaging.destination.name", "orders");
      span.attribute("bulwark.events.offset", 41);
      span.attribute("bulwark.events.offset", 42); // the last value wins, counted once
      clock.advance(Duration.ofMillis(2));
      span.event("dequeued");
      clock.advance(Duration.ofMillis(5));
      span.fail("poison record");
      span.end();
      span.attribute("after.end", "ignored");
      span.event("after end");
      span.end();
      t.flush(10_000);
      assertThat(exporter.spans).hasSize(1);
    }
    SpanData s = exporter.spans.get(0);
    assertThat(own.traceId()).isEqualTo(remote.traceId());
    assertThat(own.traceState()).isEqualTo("vendor=opaque");
    assertThat(own.isSampled()).isTrue();
    assertThat(s.getTraceId()).isEqualTo(remote.traceId());
    assertThat(s.getSpanId()).isEqualTo(own.spanId()).isNotEqualTo(remote.spanId());
    assertThat(s.getParentSpanId()).isEqualTo(remote.spanId());
    assertThat(s.getParentSpanContext().isRemote()).isTrue();
    assertThat(s.getSpanContext().isSampled()).isTrue();
    assertThat(s.getName()).isEqualTo("process orders");
    assertThat(s.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CONSUMER);
    assertThat(s.getAttributes())
        .isEqualTo(
            Attributes.builder()
                .put("messaging.destination.name", "orders")
                .put("bulwark.events.offset", 42L)
                .build());
    assertThat(s.getTotalAttributeCount()).isEqualTo(2);
    assertThat(s.getEvents()).extracting(EventData::getName).containsExactly("dequeued");
    assertThat(s.getEvents().get(0).getEpochNanos()).isEqualTo(start + 2_000_000);
    assertThat(s.getTotalRecordedEvents()).isEqualTo(1);
    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(s.getStatus().getDescription()).isEqualTo("poison record");
    assertThat(s.getLinks()).hasSize(1);
    assertThat(s.getLinks().get(0).getSpanContext().getTraceId()).isEqualTo(producer.traceId());
    assertThat(s.getLinks().get(0).getSpanContext().getSpanId()).isEqualTo(producer.spanId());
    assertThat(s.getTotalRecordedLinks()).isEqualTo(1);
    assertThat(s.getStartEpochNanos()).isEqualTo(start);
    assertThat(s.getEndEpochNanos()).isEqualTo(start + 7_000_000);
    assertThat(s.hasEnded()).isTrue();
    assertThat(s.getResource().getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("checkout");
    assertThat(s.getInstrumentationScopeInfo().getName()).isEqualTo("io.bulwark.telemetry");
    assertThat(exporter.shutdowns).hasValue(1);
  }

  @Test
  void aRootSpanGetsANewTraceAndAnExceptionEvent() {
    Collecting exporter = new Collecting();
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().addSpanExporter(exporter).build()) {
      TelemetrySpan span = t.tracing().startSpan("job", SpanKind.INTERNAL, Context.root());
      span.fail(new IllegalStateException("disk full"));
      span.end();
      t.flush(10_000);
      TraceContext own = Objects.requireNonNull(span.context().trace());
      SpanData s = exporter.spans.get(0);
      assertThat(s.getTraceId()).isEqualTo(own.traceId()).matches("[0-9a-f]{32}");
      assertThat(s.getSpanId()).isEqualTo(own.spanId()).matches("[0-9a-f]{16}");
      assertThat(s.getParentSpanContext().isValid()).isFalse();
      assertThat(own.traceState()).isNull();
      EventData exception = s.getEvents().get(0);
      assertThat(exception.getName()).isEqualTo("exception");
      assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.type")))
          .isEqualTo("java.lang.IllegalStateException");
      assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.message")))
          .isEqualTo("disk full");
      assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.stacktrace")))
          .contains("aRootSpanGetsANewTraceAndAnExceptionEvent");
      assertThat(s.getStatus().getDescription()).isEqualTo("disk full");
    }
  }

  @Test
  void rootSamplingDecidesAsTheSdksParentBasedTraceIdRatioSampler() {
    Sampler sdk = Sampler.parentBased(Sampler.traceIdRatioBased(0.3));
    Collecting exporter = new Collecting();
    int recorded = 0;
    try (BulwarkTelemetry t =
        BulwarkTelemetry.builder().samplingRatio(0.3).addSpanExporter(exporter).build()) {
      for (int i = 0; i < 2_000; i++) {
        TelemetrySpan span = t.tracing().startSpan("root", SpanKind.SERVER, Context.root());
        TraceContext trace = Objects.requireNonNull(span.context().trace());
        boolean sdkSamples =
            sdk.shouldSample(
                        io.opentelemetry.context.Context.root(),
                        trace.traceId(),
                        "root",
                        io.opentelemetry.api.trace.SpanKind.SERVER,
                        Attributes.empty(),
                        List.of())
                    .getDecision()
                == SamplingDecision.RECORD_AND_SAMPLE;
        assertThat(span.isRecording()).as("trace %s", trace.traceId()).isEqualTo(sdkSamples);
        assertThat(trace.isSampled()).isEqualTo(sdkSamples);
        if (span.isRecording()) {
          recorded++;
          TelemetrySpan child = t.tracing().startSpan("child", SpanKind.CLIENT, span.context());
          assertThat(child.isRecording()).isTrue();
          child.end();
        }
        span.end();
      }
      t.flush(10_000);
    }
    assertThat(recorded).isBetween(400, 800);
    assertThat(exporter.spans).hasSize(2 * recorded);
    for (double ratio : new double[] {0.0, 1.0}) {
      try (BulwarkTelemetry t = BulwarkTelemetry.builder().samplingRatio(ratio).build()) {
        for (int i = 0; i < 500; i++) {
          TelemetrySpan span = t.tracing().startSpan("root", SpanKind.SERVER, Context.root());
          assertThat(span.isRecording()).isEqualTo(ratio == 1.0);
          span.end();
        }
      }
    }
  }

  @Test
  void spansFromManyThreadsReachTheProcessorAndTheExporterExactlyOnce() throws Exception {
    int threads = 8;
    int perThread = 250; // 2000 spans: fewer than the queue holds, so none may be dropped
    Collecting exporter = new Collecting();
    Collecting viaProcessor = new Collecting();
    List<String> started = new CopyOnWriteArrayList<>();
    try (BulwarkTelemetry t =
            BulwarkTelemetry.builder()
                .addSpanExporter(exporter)
                .addSpanProcessor(SimpleSpanProcessor.create(viaProcessor))
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      Tracing tracing = t.tracing();
      CyclicBarrier go = new CyclicBarrier(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(
            pool.submit(
                () -> {
                  go.await(10, TimeUnit.SECONDS);
                  for (int n = 0; n < perThread; n++) {
                    TelemetrySpan span = tracing.startSpan("op", SpanKind.INTERNAL, Context.root());
                    span.attribute("n", n);
                    started.add(Objects.requireNonNull(span.context().trace()).spanId());
                    span.end();
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertThat(tracing.openSpans()).isZero();
      t.flush(10_000);
      assertThat(spanIds(exporter.spans)).containsExactlyInAnyOrderElementsOf(started);
      assertThat(spanIds(viaProcessor.spans)).containsExactlyInAnyOrderElementsOf(started);
      assertThat(new HashSet<>(started)).hasSize(threads * perThread);
      assertThat(dropped(t)).isZero();
    }
  }

  @Test
  @Timeout(60) // a guard against a blocked caller, not a speed claim
  void aFullQueueDropsAndCountsSpansWithoutBlockingTheCaller() throws Exception {
    int total = 3_000;
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger exported = new AtomicInteger();
    SpanExporter stuck =
        new Collecting() {
          @Override
          public CompletableResultCode export(Collection<SpanData> batch) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            exported.addAndGet(batch.size());
            return CompletableResultCode.ofSuccess();
          }
        };
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().addSpanExporter(stuck).build()) {
      for (int i = 0; i < total; i++) {
        t.tracing().startSpan("op", SpanKind.INTERNAL, Context.root()).end();
      }
      // the exporter thread holds at most one batch (512) and the queue 2048 spans
      long droppedWhileStuck = dropped(t);
      assertThat(droppedWhileStuck).isGreaterThanOrEqualTo(total - 2048 - 512);
      release.countDown();
      t.flush(10_000);
      assertThat(exported.get() + dropped(t)).isEqualTo(total);
      assertThat(dropped(t)).isEqualTo(droppedWhileStuck);
    }
  }

  @Test
  void closeExportsWhatIsQueuedAndLaterSpansAreNotExported() {
    Collecting exporter = new Collecting();
    BulwarkTelemetry t = BulwarkTelemetry.builder().addSpanExporter(exporter).build();
    for (int i = 0; i < 100; i++) {
      t.tracing().startSpan("op", SpanKind.INTERNAL, Context.root()).end();
    }
    t.close();
    assertThat(exporter.spans).hasSize(100);
    assertThat(exporter.shutdowns).hasValue(1);
    t.tracing().startSpan("late", SpanKind.INTERNAL, Context.root()).end();
    t.flush(1_000);
    assertThat(exporter.spans).hasSize(100);
  }

  @Test
  void anExporterThatThrowsLosesOnlyItsBatch() {
    AtomicInteger calls = new AtomicInteger();
    Collecting exporter =
        new Collecting() {
          @Override
          public CompletableResultCode export(Collection<SpanData> batch) {
            if (calls.incrementAndGet() == 1) {
              throw new IllegalStateException("collector down");
            }
            return super.export(batch);
          }
        };
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().addSpanExporter(exporter).build()) {
      t.tracing().startSpan("lost", SpanKind.INTERNAL, Context.root()).end();
      t.flush(10_000);
      t.tracing().startSpan("kept", SpanKind.INTERNAL, Context.root()).end();
      t.flush(10_000);
      assertThat(exporter.spans).extracting(SpanData::getName).containsExactly("kept");
      assertThat(counter(t, "bulwark_span_exports_failed_total")).isEqualTo(1);
    }
  }

  @Test
  void thousandsOfOpenSpansAreCountedAndFoundByDecisions() {
    Collecting exporter = new Collecting();
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().addSpanExporter(exporter).build()) {
      List<TelemetrySpan> open = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) { // more than the table's slots: some overflow
        open.add(t.tracing().startSpan("open", SpanKind.INTERNAL, Context.root()));
      }
      assertThat(t.tracing().openSpans()).isEqualTo(10_000);
      for (TelemetrySpan span : open) {
        span.context().run(() -> t.decisions().shed("limiter", "full"));
      }
      for (int i = 0; i < open.size(); i++) {
        open.get(i).end();
        if (i % 1_000 == 999) {
          t.flush(10_000); // keeps the export queue (2048) from filling up
        }
      }
      assertThat(t.tracing().openSpans()).isZero();
      assertThat(exporter.spans).hasSize(10_000);
      assertThat(exporter.spans)
          .allSatisfy(
              s ->
                  assertThat(s.getEvents())
                      .extracting(EventData::getName)
                      .containsExactly(io.bulwark.core.telemetry.Decisions.EVENT_NAME));
    }
  }

  @Test
  void decisionEventsFromOtherThreadsJoinTheOwnersEventsInTimeOrderUpToTheLimit() {
    VirtualClock clock = new VirtualClock();
    Collecting exporter = new Collecting();
    try (BulwarkTelemetry t =
        BulwarkTelemetry.builder().clock(clock).addSpanExporter(exporter).build()) {
      TelemetrySpan span = t.tracing().startSpan("op", SpanKind.SERVER, Context.root());
      span.event("own-1");
      clock.advance(Duration.ofMillis(1));
      Thread other = Thread.ofPlatform().unstarted(() -> span.context().run(() -> shed(t, 1)));
      other.start();
      join(other);
      clock.advance(Duration.ofMillis(1));
      span.event("own-2");
      clock.advance(Duration.ofMillis(1));
      other = Thread.ofPlatform().unstarted(() -> span.context().run(() -> shed(t, 200)));
      other.start();
      join(other);
      span.end();
      span.context().run(() -> shed(t, 1)); // after the end: ignored
      t.flush(10_000);
      SpanData s = exporter.spans.get(0);
      List<EventData> events = s.getEvents();
      assertThat(events).hasSize(128); // the SDK's default limit
      assertThat(events.subList(0, 3))
          .extracting(EventData::getName)
          .containsExactly("own-1", io.bulwark.core.telemetry.Decisions.EVENT_NAME, "own-2");
      assertThat(events).extracting(EventData::getEpochNanos).isSorted();
      assertThat(s.getTotalRecordedEvents()).isEqualTo(2 + 1 + 200);
    }
  }

  @Test
  void aDecisionRacingTheEndIsExportedOrIgnoredButNeverAddedToAnEndedSpan() throws Exception {
    Collecting exporter = new Collecting();
    int spans = 300;
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().addSpanExporter(exporter).build();
        ExecutorService racers = Executors.newFixedThreadPool(2)) {
      List<SpanData> ended = new CopyOnWriteArrayList<>();
      List<Integer> eventsAtEnd = new CopyOnWriteArrayList<>();
      for (int i = 0; i < spans; i++) {
        TelemetrySpan span = t.tracing().startSpan("op", SpanKind.SERVER, Context.root());
        CyclicBarrier go = new CyclicBarrier(2);
        Future<?> decisions =
            racers.submit(
                () -> {
                  go.await(10, TimeUnit.SECONDS);
                  span.context().run(() -> shed(t, 20));
                  return null;
                });
        go.await(10, TimeUnit.SECONDS);
        span.event("own");
        span.end();
        SpanData data = (SpanData) span; // what the exporter will read
        eventsAtEnd.add(data.getEvents().size());
        ended.add(data);
        decisions.get(10, TimeUnit.SECONDS);
        if (i % 100 == 99) {
          t.flush(10_000);
        }
      }
      t.flush(10_000);
      assertThat(exporter.spans).hasSize(spans);
      for (int i = 0; i < spans; i++) {
        SpanData data = ended.get(i);
        List<EventData> events = data.getEvents();
        assertThat(events)
            .as("span %d: nothing added after its end", i)
            .hasSize(eventsAtEnd.get(i));
        assertThat(data.getTotalRecordedEvents()).isEqualTo(events.size());
        assertThat(events).extracting(EventData::getName).contains("own");
        assertThat(events).extracting(EventData::getEpochNanos).isSorted();
      }
    }
  }

  private static void shed(BulwarkTelemetry t, int times) {
    for (int i = 0; i < times; i++) {
      t.decisions().shed("limiter", "full");
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aProcessorThatNeedsOnStartSeesSpansStartAndEnd() {
    List<String> seen = new CopyOnWriteArrayList<>();
    Collecting exporter = new Collecting();
    SpanProcessor startAndEnd =
        new SpanProcessor() {
          @Override
          public void onStart(io.opentelemetry.context.Context parent, ReadWriteSpan span) {
            seen.add("start " + span.getName());
          }

          @Override
          public boolean isStartRequired() {
            return true;
          }

          @Override
          public void onEnd(ReadableSpan span) {
            seen.add("end " + span.getName());
          }

          @Override
          public boolean isEndRequired() {
            return true;
          }
        };
    try (BulwarkTelemetry t =
        BulwarkTelemetry.builder()
            .addSpanProcessor(startAndEnd)
            .addSpanExporter(exporter)
            .build()) {
      TelemetrySpan span = t.tracing().startSpan("work", SpanKind.INTERNAL, Context.root());
      span.attribute("k", "v");
      span.end();
      t.flush(10_000);
      assertThat(seen).containsExactly("start work", "end work");
      assertThat(exporter.spans).extracting(SpanData::getName).containsExactly("work");
      assertThat(exporter.spans.get(0).getAttributes().get(AttributeKey.stringKey("k")))
          .isEqualTo("v");
      assertThat(t.tracing().openSpans()).isZero();
    }
  }

  private static List<String> spanIds(List<SpanData> spans) {
    return spans.stream().map(SpanData::getSpanId).toList();
  }

  /** The dropped-span counter as the Prometheus scrape shows it (absent means zero). */
  private static long dropped(BulwarkTelemetry t) {
    return counter(t, "bulwark_spans_dropped_total");
  }

  private static long counter(BulwarkTelemetry t, String name) {
    Matcher m =
        Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? (\\S+)$").matcher(t.scrapePrometheus());
    return m.find() ? (long) Double.parseDouble(m.group(2)) : 0;
  }
}
