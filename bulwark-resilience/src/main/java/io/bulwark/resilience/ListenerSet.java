package io.bulwark.resilience;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The listeners of one policy or pipeline. Adding copies the array (rare); emitting reads one
 * volatile field and does nothing when it is empty. Every call is guarded so that a listener that
 * breaks its contract and throws cannot affect the call it observes.
 */
final class ListenerSet {
  private static final ResilienceListener[] NONE = new ResilienceListener[0];
  private volatile ResilienceListener[] listeners = NONE;

  ListenerSet() {}

  ListenerSet(@Nullable ResilienceListener first) {
    if (first != null) {
      listeners = new ResilienceListener[] {first};
    }
  }

  synchronized void add(ResilienceListener listener) {
    Objects.requireNonNull(listener, "listener");
    for (ResilienceListener l : listeners) {
      if (l == listener) {
        return;
      }
    }
    ResilienceListener[] next = Arrays.copyOf(listeners, listeners.length + 1);
    next[next.length - 1] = listener;
    listeners = next;
  }

  boolean isEmpty() {
    return listeners.length == 0;
  }

  void stateTransition(String name, CircuitBreaker.Transition transition) {
    for (ResilienceListener l : listeners) {
      try {
        l.onStateTransition(name, transition);
      } catch (RuntimeException ignored) {
        // the contract says listeners never throw; one that does must not break the call
      }
    }
  }

  void rejected(String name, Rejection rejection) {
    for (ResilienceListener l : listeners) {
      try {
        l.onRejected(name, rejection);
      } catch (RuntimeException ignored) {
        // see stateTransition
      }
    }
  }

  void retry(String name, int nextAttempt, long delayNanos, Throwable failure) {
    for (ResilienceListener l : listeners) {
      try {
        l.onRetry(name, nextAttempt, delayNanos, failure);
      } catch (RuntimeException ignored) {
        // see stateTransition
      }
    }
  }

  void retryGivenUp(String name, int attempts, String reason, Throwable failure) {
    for (ResilienceListener l : listeners) {
      try {
        l.onRetryGivenUp(name, attempts, reason, failure);
      } catch (RuntimeException ignored) {
        // see stateTransition
      }
    }
  }

  void timeout(String name, long timeoutNanos) {
    for (ResilienceListener l : listeners) {
      try {
        l.onTimeout(name, timeoutNanos);
      } catch (RuntimeException ignored) {
        // see stateTransition
      }
    }
  }

  void fallback(String name, Throwable failure) {
    for (ResilienceListener l : listeners) {
      try {
        l.onFallback(name, failure);
      } catch (RuntimeException ignored) {
        // see stateTransition
      }
    }
  }

  void hedge(String name, int attempt) {
    for (ResilienceListener l : listeners) {
      try {
        l.onHedge(name, attempt);
      } catch (RuntimeException ignored) {
        // see stateTransition
      }
    }
  }

  void limitChanged(String name, int oldLimit, int newLimit) {
    for (ResilienceListener l : listeners) {
      try {
        l.onLimitChanged(name, oldLimit, newLimit);
      } catch (RuntimeException ignored) {
        // see stateTransition
      }
    }
  }

  void callEnded(String name, long durationNanos, @Nullable Throwable failure) {
    for (ResilienceListener l : listeners) {
      try {
        l.onCallEnded(name, durationNanos, failure);
      } catch (RuntimeException ignored) {
        // see stateTransition
      }
    }
  }
}
