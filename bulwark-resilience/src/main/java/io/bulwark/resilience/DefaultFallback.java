package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.error.ErrorClassifier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The fallback policy; see {@link Fallback}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultFallback<V> implements Fallback<V>, Stage {
  private static final Object NONE = new Object();

  private final String name;
  private final Function<Throwable, ? extends V> function;
  private final boolean lastGood;
  private final Predicate<Throwable> when;
  private final ListenerSet listeners = new ListenerSet();
  private volatile @Nullable Object last = NONE;

  DefaultFallback(
      String name,
      Function<Throwable, ? extends V> function,
      boolean lastGood,
      Predicate<Throwable> when) {
    this.name = Checks.notBlank("name", name);
    this.function = function;
    this.lastGood = lastGood;
    this.when = when;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.FALLBACK;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public Fallback<V> when(Predicate<Throwable> predicate) {
    return new DefaultFallback<>(name, function, lastGood, predicate);
  }

  @SuppressWarnings({"unchecked", "NullAway"})
  private <T extends @Nullable Object> T replace(Throwable failure) {
    listeners.fallback(name, failure);
    Object cached = last;
    if (lastGood && cached != NONE) {
      return (T) cached;
    }
    return (T) function.apply(failure);
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    T value;
    try {
      value = chain.stage(next).execute(chain, next + 1, task);
    } catch (Exception e) {
      Throwable failure = ErrorClassifier.unwrap(e);
      if (!when.test(failure)) {
        throw e;
      }
      return replace(failure);
    }
    if (lastGood) {
      last = value;
    }
    return value;
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    return chain
        .proceed(next, task)
        .handle(
            (value, failure) -> {
              if (failure == null) {
                if (lastGood) {
                  last = value;
                }
                return CompletableFuture.completedFuture(value);
              }
              Throwable cause = ErrorClassifier.unwrap(failure);
              if (!when.test(cause)) {
                return CompletableFuture.<T>failedFuture(cause);
              }
              try {
                return CompletableFuture.completedFuture(this.<T>replace(cause));
              } catch (RuntimeException e) {
                return CompletableFuture.<T>failedFuture(e);
              }
            })
        .thenCompose(f -> f);
  }

  @Override
  public String toString() {
    return "Fallback[" + name + (lastGood ? ", last good" : "") + "]";
  }
}
