package io.bulwark.examples.shop.bff;

import io.bulwark.core.context.Context;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.HttpProblem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Runs the parts of one page in parallel, each on its own virtual thread under the request's
 * context (trace, deadline) narrowed to the part's own deadline.
 *
 * <p>A part's deadline is kept twice: its calls see it through the context (the HTTP client stops
 * an attempt when it passes), and a timer on the instance's {@link Scheduler} fails the part with
 * 504 when it passes even if a call does not notice, so a page never waits longer than its slowest
 * part's deadline. Closing a {@link Page} cancels (interrupts) the parts still running, so a page
 * failed by a mandatory part leaves no work behind. Thread-safe.
 */
final class PageParts implements AutoCloseable {
  private final ExecutorService threads;
  private final Scheduler scheduler;

  PageParts(Scheduler scheduler) {
    this.threads = Context.newVirtualThreadExecutor();
    this.scheduler = scheduler;
  }

  /** A new page whose parts are cancelled when it closes. */
  Page page(String name) {
    return new Page(name);
  }

  /** One page being assembled. Not thread-safe: the request's thread starts and reads its parts. */
  final class Page implements AutoCloseable {
    private final String name;
    private final List<Fetch<?>> started = new ArrayList<>();

    private Page(String name) {
      this.name = name;
    }

    /**
     * Starts {@code call} as the part {@code part}.
     *
     * @param deadline the part's deadline from now, or null for none (the calls' own timeouts still
     *     apply)
     */
    <T> Fetch<T> start(String part, @Nullable Duration deadline, Callable<T> call) {
      Fetch<T> f = new Fetch<>(name, part);
      Context context =
          deadline == null
              ? Context.current()
              : Context.current().withTimeout(deadline, scheduler.clock());
      f.task =
          threads.submit(
              () -> {
                try {
                  f.result.complete(context.call(call));
                } catch (Throwable t) { // every failure is the part's answer
                  f.result.completeExceptionally(t);
                }
              });
      if (deadline != null) {
        ScheduledTask timer =
            scheduler.schedule(
                deadline,
                () ->
                    f.fail(
                        new PartFailure(
                            part, 504, "deadline of " + deadline.toMillis() + " ms passed")));
        var unused = f.result.whenComplete((v, e) -> timer.cancel());
      }
      started.add(f);
      return f;
    }

    /** Cancels the parts still running. */
    @Override
    public void close() {
      for (Fetch<?> f : started) {
        f.fail(new PartFailure(f.part, 503, "cancelled: the page " + name + " was answered"));
      }
    }
  }

  /** A started part. */
  static final class Fetch<T> {
    private final String page;
    private final String part;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private volatile @Nullable Future<?> task;

    private Fetch(String page, String part) {
      this.page = page;
      this.part = part;
    }

    String part() {
      return part;
    }

    private void fail(PartFailure failure) {
      if (result.completeExceptionally(failure)) {
        Future<?> t = task;
        if (t != null) {
          t.cancel(true);
        }
      }
    }

    /**
     * The part's value, waiting until it answered, failed or its deadline passed.
     *
     * @throws PartFailure why the part has no value
     */
    T get() {
      try {
        return result.join();
      } catch (CompletionException | CancellationException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw failure(cause);
      }
    }

    /**
     * The part's value, or an {@link HttpProblem} failing the page with the part's status ({@code
     * <part>_not_found}, {@code <part>_forbidden}, {@code <part>_timeout} or {@code <part>_failed})
     * and reason.
     */
    T require() {
      try {
        return get();
      } catch (PartFailure f) {
        throw problem(f);
      }
    }

    /** The page's answer when this part, a mandatory one, failed with {@code f}. */
    HttpProblem problem(PartFailure f) {
      String code =
          part.toLowerCase(Locale.ROOT)
              + switch (f.status()) {
                case 404 -> "_not_found";
                case 403 -> "_forbidden";
                case 504 -> "_timeout";
                default -> "_failed";
              };
      return HttpProblem.of(f.status(), code, page + " page: mandatory part " + f.getMessage());
    }

    private PartFailure failure(Throwable cause) {
      if (cause instanceof PartFailure f) {
        return f;
      }
      if (cause instanceof HttpProblem p) {
        return new PartFailure(part, p.status() == 404 ? 404 : 502, p.getMessage());
      }
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return new PartFailure(part, 502, cause.toString());
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
