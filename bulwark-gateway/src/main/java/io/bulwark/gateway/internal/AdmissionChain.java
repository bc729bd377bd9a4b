package io.bulwark.gateway.internal;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission stages of one route, run in order on a request's head. The first denial wins;
 * otherwise the header changes of all stages are merged (in stage order) and their completions kept
 * for the end of the exchange. A stage that throws or whose future fails denies the request with
 * 500 (fail closed), logged with the route and the stage.
 */
public final class AdmissionChain {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionChain.class);

  /** No stage: every request is admitted unchanged. */
  public static final AdmissionChain EMPTY = new AdmissionChain(List.of());

  private final List<Admission> stages;

  public AdmissionChain(List<Admission> stages) {
    this.stages = List.copyOf(stages);
  }

  public boolean isEmpty() {
    return stages.isEmpty();
  }

  public List<Admission> stages() {
    return stages;
  }

  /** Closes every stage. */
  public void close() {
    stages.forEach(Admission::close);
  }

  /** What the chain decided: a denial, or the merged changes and completions of an admission. */
  public record Result(
      Verdict denial,
      Map<String, String> setHeaders,
      List<String> removeHeaders,
      List<Verdict.Completion> completions) {
    boolean allowed() {
      return denial.allowed();
    }
  }

  /**
   * Runs the stages on {@code head}; {@code done} is called once, on {@code context} (the request's
   * event loop).
   */
  void run(AdmissionHead head, Context context, Consumer<Result> done) {
    new Run(head, context, done).next(0);
  }

  private final class Run {
    final AdmissionHead head;
    final Context context;
    final Consumer<Result> done;
    final Map<String, String> set = new LinkedHashMap<>();
    final List<String> remove = new ArrayList<>();
    final List<Verdict.Completion> completions = new ArrayList<>();

    Run(AdmissionHead head, Context context, Consumer<Result> done) {
      this.head = head;
      this.context = context;
      this.done = done;
    }

    void next(int i) {
      if (i == stages.size()) {
        done.accept(new Result(Verdict.ALLOW, set, remove, completions));
        return;
      }
      Admission stage = stages.get(i);
      Future<Verdict> f;
      try {
        f = head.call(() -> stage.admit(head));
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(
          ar -> {
            if (Vertx.currentContext() == context) {
              decided(i, stage, ar.succeeded() ? ar.result() : null, ar.cause());
            } else {
              context.runOnContext(
                  v -> decided(i, stage, ar.succeeded() ? ar.result() : null, ar.cause()));
            }
          });
    }

    void decided(int i, Admission stage, @Nullable Verdict v, @Nullable Throwable e) {
      if (v == null) {
        head.run(
            () ->
                LOG.error(
                    "route {}: admission stage {} failed, request refused (fail closed): {}",
                    head.route(),
                    stage.name(),
                    String.valueOf(e)));
        deny(
            Verdict.deny(
                500,
                "admission-failed",
                "route " + head.route() + ": admission stage " + stage.name() + " failed",
                Map.of()));
        return;
      }
      if (!v.allowed()) {
        deny(v);
        return;
      }
      for (String name : v.removeHeaders()) {
        remove.add(name);
        set.remove(name);
      }
      set.putAll(v.setHeaders());
      Verdict.Completion c = v.completion();
      if (c != null) {
        completions.add(c);
      }
      next(i + 1);
    }

    void deny(Verdict v) {
      done.accept(new Result(v, Map.of(), List.of(), completions));
    }
  }
}
