package io.bulwark.telemetry.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.telemetry.ContextBridge;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One sampled span recorded by Bulwark itself (not by the OTel SDK's tracer): ids as numbers,
 * attributes as key/value pairs in one small array, events as a small array, start and end in epoch
 * nanos of the telemetry clock. The same object is the OTel {@link ReadableSpan} handed to span
 * processors when it ends and the {@link SpanData} handed to exporters: nothing is converted until
 * an exporter reads it, and hex ids, {@link Attributes} and {@link SpanContext}s are made only
 * then, on the exporter's thread.
 *
 * <p>Threads: attributes, {@link #event}, {@link #fail} and {@link #end} come from the thread that
 * owns the span (the {@link TelemetrySpan} contract) and take no lock. Decision events ({@link
 * #addEvent}, found through {@link ActiveSpans}) may come from any thread while the span is open:
 * they go onto a lock-free stack, which {@link #end()} closes in the same atomic step that ends the
 * span, so an event either makes it into the exported span or is ignored, never added later.
 * Mutations after {@link #end()} are ignored, so the data an exporter reads (handed over through
 * the export queue, which publishes it) is frozen. Limits as the SDK's defaults: at most {@value
 * #MAX_ATTRIBUTES} attributes and {@value #MAX_EVENTS} events (more are counted, not kept). The
 * {@link #context()} is made on first use ({@link #trace()} alone makes no context, and no hex ids
 * are written).
 */
public final class RecordedSpan
    implements TelemetrySpan, ReadableSpan, SpanData, ActiveSpans.OpenSpan {
  static final int MAX_ATTRIBUTES = 128;
  static final int MAX_EVENTS = 128;
  static final String EXCEPTION_EVENT = "exception";
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  /** The top of the event stack of an ended span: no event is added once it is there. */
  private static final Foreign ENDED = new Foreign(null, null, 0);

  private static final VarHandle FOREIGN;
  private static final VarHandle FOREIGN_DROPPED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      FOREIGN = l.findVarHandle(RecordedSpan.class, "foreign", Foreign.class);
      FOREIGN_DROPPED = l.findVarHandle(RecordedSpan.class, "foreignDropped", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** An event added by another thread, on top of those added before it ({@code kept} in all). */
  private static final class Foreign {
    final @Nullable EventData event;
    final @Nullable Foreign next;
    final int kept;

    Foreign(@Nullable EventData event, @Nullable Foreign next, int kept) {
      this.event = event;
      this.next = next;
      this.kept = kept;
    }
  }

  private final SpanPipeline pipeline;
  private final String name;
  private final SpanKind kind;
  private final Context parent;
  private final @Nullable TraceContext linked;
  private final long traceIdHigh;
  private final long traceIdLow;
  private final long spanId;
  private final long startEpochNanos;

  // written by the owning thread only; read by exporters after end() (which publishes them)
  private Object @Nullable [] attributes; // key, value, key, value...; a value is a String or Long
  private int attributeCount;
  private int totalAttributes;
  private @Nullable String errorDescription;
  private boolean failed;
  private EventData @Nullable [] ownEvents;
  private int ownEventCount;
  private int ownEventTotal;
  private long endEpochNanos;
  private @Nullable Foreign frozenForeign; // the event stack as end() closed it

  // events of other threads: null (none yet), a stack, or ENDED once the span has ended
  private volatile @Nullable Foreign foreign;
  private volatile int foreignDropped; // events of other threads beyond the limit

  // made on first use; racy single-check of immutable values
  private @Nullable Context context;
  private @Nullable SpanContext spanContext;

  /**
   * A span with the given trace id numbers (those of {@code parent}'s trace when it has one, else
   * those of the new trace this span is the root of) and span id. Registers in the pipeline's
   * active spans.
   */
  RecordedSpan(
      SpanPipeline pipeline,
      String name,
      SpanKind kind,
      Context parent,
      @Nullable TraceContext linked,
      long traceIdHigh,
      long traceIdLow,
      long spanId) {
    this.pipeline = pipeline;
    this.name = name;
    this.kind = kind;
    this.parent = parent;
    this.linked = linked;
    this.traceIdHigh = traceIdHigh;
    this.traceIdLow = traceIdLow;
    this.spanId = spanId;
    this.startEpochNanos = pipeline.nowEpochNanos();
    pipeline.started(this);
  }

  // ---- TelemetrySpan (the recording side) ----

  @Override
  public boolean isRecording() {
    return true;
  }

  @Override
  public Context context() {
    Context c = context;
    if (c == null) {
      c = parent.withTrace(newTrace());
      context = c;
    }
    return c;
  }

  /** The context's trace once that is made; until then a new (equal) one per call. */
  @Override
  public TraceContext trace() {
    Context c = context;
    return c == null ? newTrace() : java.util.Objects.requireNonNull(c.trace());
  }

  private TraceContext newTrace() {
    TraceContext parentTrace = parent.trace();
    String traceState = parentTrace == null ? null : parentTrace.traceState();
    return TraceContext.of(traceIdHigh, traceIdLow, spanId, TraceContext.FLAG_SAMPLED, traceState);
  }

  /** An event of the owning thread: no lock (see the class comment). */
  @Override
  public void event(String name) {
    ownEvent(name, Attributes.empty());
  }

  private void ownEvent(String name, Attributes eventAttributes) {
    if (isEnded()) {
      return;
    }
    ownEventTotal++;
    int n = ownEventCount;
    if (n == MAX_EVENTS) {
      return;
    }
    EventData[] es = ownEvents;
    if (es == null) {
      es = ownEvents = new EventData[2];
    } else if (n == es.length) {
      es = ownEvents = Arrays.copyOf(es, es.length * 2);
    }
    es[n] = EventData.create(pipeline.nowEpochNanos(), name, eventAttributes);
    ownEventCount = n + 1;
  }

  /**
   * An event from any thread (a decision event): pushed onto the span's event stack unless the span
   * has ended, in which case it is ignored.
   */
  @Override
  public void addEvent(String name, Attributes attributes) {
    EventData event = null;
    while (true) {
      Foreign top = foreign;
      if (top == ENDED) {
        return;
      }
      int kept = top == null ? 0 : top.kept;
      if (kept >= MAX_EVENTS) {
        FOREIGN_DROPPED.getAndAdd(this, 1);
        return;
      }
      if (event == null) {
        event = EventData.create(pipeline.nowEpochNanos(), name, attributes);
      }
      if (FOREIGN.compareAndSet(this, top, new Foreign(event, top, kept + 1))) {
        return;
      }
    }
  }

  private boolean isEnded() {
    return foreign == ENDED;
  }

  @Override
  public void fail(Throwable error) {
    AttributesBuilder a = Attributes.builder().put("exception.type", exceptionType(error));
    if (error.getMessage() != null) {
      a.put("exception.message", error.getMessage());
    }
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    a.put("exception.stacktrace", trace.toString());
    ownEvent(EXCEPTION_EVENT, a.build());
    fail(String.valueOf(error.getMessage()));
  }

  @Override
  public void fail(String description) {
    if (!isEnded()) {
      failed = true;
      errorDescription = description;
    }
  }

  @Override
  public void attribute(String key, String value) {
    put(key, value);
  }

  @Override
  public void attribute(String key, long value) {
    put(key, value);
  }

  /**
   * Written by the thread that owns the span (the {@link TelemetrySpan} contract: not shared while
   * open), so no lock; the array and count are read into locals, so even a caller that breaks the
   * contract can lose an attribute but never make this throw.
   */
  private void put(String key, Object value) {
    if (isEnded()) {
      return;
    }
    Object[] a = attributes;
    int n = attributeCount;
    if (a == null) {
      a = new Object[8];
    }
    int used = Math.min(n * 2, a.length);
    for (int i = 0; i < used; i += 2) {
      if (key.equals(a[i])) {
        a[i + 1] = value;
        return;
      }
    }
    totalAttributes++;
    if (n >= MAX_ATTRIBUTES) {
      return;
    }
    if (n * 2 + 2 > a.length) {
      a = Arrays.copyOf(a, Math.max(a.length * 2, n * 2 + 2));
    }
    a[n * 2] = key;
    a[n * 2 + 1] = value;
    attributes = a;
    attributeCount = n + 1;
  }

  /**
   * Ends the span: one atomic exchange closes the event stack to other threads and decides which
   * call ends it (the others return at once).
   */
  @Override
  public void end() {
    long end = pipeline.nowEpochNanos();
    Foreign stack = (Foreign) FOREIGN.getAndSet(this, ENDED);
    if (stack == ENDED) {
      return;
    }
    frozenForeign = stack;
    endEpochNanos = end;
    pipeline.ended(this);
  }

  @Override
  public long spanIdBits() {
    return spanId;
  }

  // ---- ReadableSpan and SpanData (the exported side) ----

  @Override
  public SpanContext getSpanContext() {
    SpanContext sc = spanContext;
    if (sc == null) {
      sc =
          SpanContext.create(
              traceId(), hex(spanId), TraceFlags.getSampled(), TraceState.getDefault());
      spanContext = sc;
    }
    return sc;
  }

  @Override
  public SpanContext getParentSpanContext() {
    TraceContext parentTrace = parent.trace();
    return parentTrace == null
        ? SpanContext.getInvalid()
        : ContextBridge.toOtelSpanContext(parentTrace);
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public io.opentelemetry.api.trace.SpanKind getKind() {
    return OtelTracing.otel(kind);
  }

  /** This span itself: once ended its data no longer changes. */
  @Override
  public SpanData toSpanData() {
    return this;
  }

  @Override
  @Deprecated
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return InstrumentationLibraryInfo.create(pipeline.scope().getName(), null);
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return pipeline.scope();
  }

  @Override
  public Resource getResource() {
    return pipeline.resource();
  }

  @Override
  public boolean hasEnded() {
    return isEnded();
  }

  @Override
  public long getLatencyNanos() {
    return (isEnded() ? endEpochNanos : pipeline.nowEpochNanos()) - startEpochNanos;
  }

  @Override
  public long getStartEpochNanos() {
    return startEpochNanos;
  }

  @Override
  public long getEndEpochNanos() {
    return endEpochNanos;
  }

  @Override
  public StatusData getStatus() {
    return failed ? StatusData.create(StatusCode.ERROR, errorDescription) : StatusData.unset();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> @Nullable T getAttribute(AttributeKey<T> key) {
    Object[] a = attributes;
    for (int i = 0; a != null && i < Math.min(attributeCount * 2, a.length); i += 2) {
      if (a[i].equals(key.getKey())) {
        Object v = a[i + 1];
        boolean matches =
            (key.getType() == AttributeType.STRING && v instanceof String)
                || (key.getType() == AttributeType.LONG && v instanceof Long);
        return matches ? (T) v : null;
      }
    }
    return null;
  }

  @Override
  public Attributes getAttributes() {
    Object[] a = attributes;
    if (a == null) {
      return Attributes.empty();
    }
    AttributesBuilder b = Attributes.builder();
    for (int i = 0; i < Math.min(attributeCount * 2, a.length); i += 2) {
      String key = (String) a[i];
      if (a[i + 1] instanceof Long l) {
        b.put(key, l.longValue());
      } else {
        b.put(key, (String) a[i + 1]);
      }
    }
    return b.build();
  }

  @Override
  public int getTotalAttributeCount() {
    return totalAttributes;
  }

  /**
   * The owning thread's events and other threads' events, in time order (the first {@value
   * #MAX_EVENTS}).
   */
  @Override
  public List<EventData> getEvents() {
    EventData[] own = ownEvents;
    int ownCount = own == null ? 0 : Math.min(ownEventCount, own.length);
    Foreign stack = foreignStack();
    int foreignCount = stack == null ? 0 : stack.kept;
    if (foreignCount == 0) {
      return own == null ? List.of() : List.of(Arrays.copyOf(own, ownCount));
    }
    EventData[] all = new EventData[ownCount + foreignCount];
    if (own != null) {
      System.arraycopy(own, 0, all, 0, ownCount);
    }
    int i = all.length;
    for (Foreign f = stack; f != null && f.event != null; f = f.next) {
      all[--i] = f.event; // the stack's top is its newest event
    }
    Arrays.sort(all, java.util.Comparator.comparingLong(EventData::getEpochNanos)); // stable
    return List.of(all.length > MAX_EVENTS ? Arrays.copyOf(all, MAX_EVENTS) : all);
  }

  @Override
  public int getTotalRecordedEvents() {
    Foreign stack = foreignStack();
    return ownEventTotal + (stack == null ? 0 : stack.kept) + foreignDropped;
  }

  /** Other threads' events: as end() froze them, or (still open) as they stand. */
  private @Nullable Foreign foreignStack() {
    Foreign f = foreign;
    return f == ENDED ? frozenForeign : f;
  }

  @Override
  public List<LinkData> getLinks() {
    TraceContext l = linked;
    return l == null ? List.of() : List.of(LinkData.create(ContextBridge.toOtelSpanContext(l)));
  }

  @Override
  public int getTotalRecordedLinks() {
    return linked == null ? 0 : 1;
  }

  @Override
  public String toString() {
    return "RecordedSpan{" + name + ", " + getSpanContext() + ", ended=" + hasEnded() + "}";
  }

  private static String exceptionType(Throwable error) {
    String canonical = error.getClass().getCanonicalName();
    return canonical != null ? canonical : error.getClass().getName();
  }

  private String traceId() {
    byte[] digits = new byte[32];
    writeHex(traceIdHigh, digits, 0);
    writeHex(traceIdLow, digits, 16);
    return new String(digits, StandardCharsets.ISO_8859_1);
  }

  static String hex(long id) {
    return HEX.toHexDigits(id); // the JDK's formatter makes the string without copying its digits
  }

  private static final java.util.HexFormat HEX = java.util.HexFormat.of();

  private static void writeHex(long value, byte[] into, int at) {
    for (int i = 15; i >= 0; i--) {
      into[at + i] = HEX_DIGITS[(int) (value & 0xf)];
      value >>>= 4;
    }
  }
}
