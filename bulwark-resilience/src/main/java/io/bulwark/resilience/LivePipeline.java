package io.bulwark.resilience;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** A registry's handle on a named pipeline: every call goes to the snapshot in force. */
final class LivePipeline implements Pipeline {
  private final String name;
  private final Function<String, Pipeline> resolve;

  LivePipeline(String name, Function<String, Pipeline> resolve) {
    this.name = name;
    this.resolve = resolve;
  }

  private Pipeline current() {
    return resolve.apply(name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Policy> policies() {
    return current().policies();
  }

  @Override
  public <T extends @Nullable Object> T get(Supplier<T> supplier) {
    return current().get(supplier);
  }

  @Override
  public <T extends @Nullable Object> T call(Callable<T> callable) throws Exception {
    return current().call(callable);
  }

  @Override
  public void run(Runnable runnable) {
    current().run(runnable);
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> submit(Callable<T> callable) {
    return current().submit(callable);
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> stage(
      Supplier<? extends CompletionStage<T>> supplier) {
    return current().stage(supplier);
  }

  @Override
  public String toString() {
    return "LivePipeline[" + name + "]";
  }
}
