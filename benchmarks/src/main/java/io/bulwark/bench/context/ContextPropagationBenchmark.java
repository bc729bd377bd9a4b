package io.bulwark.bench.context;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Criticality;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Binding a request context for the length of a call and reading it inside: Bulwark's {@link
 * Context} (ScopedValue) against the classic ThreadLocal set/read/restore that MDC-style libraries
 * use.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ContextPropagationBenchmark {
  private static final ThreadLocal<Context> THREAD_LOCAL = new ThreadLocal<>();
  private final Context context = Context.root().withCriticality(Criticality.SHEDDABLE);

  @Benchmark
  public Criticality bindAndRead_bulwark() throws Exception {
    return context.call(() -> Context.current().criticality());
  }

  @Benchmark
  public Criticality bindAndRead_threadlocal() {
    Context previous = THREAD_LOCAL.get();
    THREAD_LOCAL.set(context);
    try {
      return THREAD_LOCAL.get().criticality();
    } finally {
      if (previous == null) {
        THREAD_LOCAL.remove();
      } else {
        THREAD_LOCAL.set(previous);
      }
    }
  }
}
