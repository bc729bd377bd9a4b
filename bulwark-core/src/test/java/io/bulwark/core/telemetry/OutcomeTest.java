package io.bulwark.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.FatalException;
import io.bulwark.core.error.RejectedException;
import io.bulwark.core.error.RetriableException;
import io.bulwark.core.error.TimeoutFailure;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class OutcomeTest {

  /** A module's timeout exception: carries the core marker, nothing else. */
  static final class ModuleTimeoutException extends RetriableException implements TimeoutFailure {
    private static final long serialVersionUID = 1L;

    ModuleTimeoutException() {
      super("no ack in time", null);
    }
  }

  /** An exception type that is a timeout only when its instance says so. */
  static final class CallException extends RuntimeException implements TimeoutFailure {
    private static final long serialVersionUID = 1L;
    private final boolean timeout;

    CallException(boolean timeout) {
      super(timeout ? "no answer" : "HTTP 503");
      this.timeout = timeout;
    }

    @Override
    public boolean isTimeout() {
      return timeout;
    }
  }

  /** A rejection, as a bulkhead or limiter throws it. */
  static class Shed extends RejectedException {
    private static final long serialVersionUID = 1L;

    Shed() {
      super("shed");
    }

    @Override
    public String reason() {
      return "shed";
    }

    @Override
    public boolean isRetriable() {
      return true;
    }
  }

  /** Rejected and of a timeout-marked type, but this instance says it is not a timeout. */
  static final class RejectedCall extends Shed implements TimeoutFailure {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isTimeout() {
      return false;
    }
  }

  @Test
  void noFailureIsASuccess() {
    assertThat(Outcome.of(null)).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void timeoutsAreRecognisedByType() {
    // a deadline is a rejection type too: the timeout rule must win
    assertThat(new DeadlineExceededException("late")).isInstanceOf(RejectedException.class);
    assertThat(Outcome.of(new DeadlineExceededException("late"))).isEqualTo(Outcome.TIMEOUT);
    assertThat(Outcome.of(new TimeoutException())).isEqualTo(Outcome.TIMEOUT);
    assertThat(Outcome.of(new ModuleTimeoutException())).isEqualTo(Outcome.TIMEOUT);
  }

  @Test
  void aMarkedTypeCountsAsATimeoutOnlyWhenItsInstanceSaysSo() {
    assertThat(Outcome.of(new CallException(true))).isEqualTo(Outcome.TIMEOUT);
    assertThat(Outcome.of(new CallException(false))).isEqualTo(Outcome.ERROR);
    assertThat(Outcome.of(new RejectedCall())).isEqualTo(Outcome.REJECTED);
  }

  @Test
  void rejectionsAreRecognisedByType() {
    assertThat(Outcome.of(new Shed())).isEqualTo(Outcome.REJECTED);
  }

  @Test
  void everythingElseIsAnError() {
    assertThat(Outcome.of(new IOException("reset"))).isEqualTo(Outcome.ERROR);
    assertThat(Outcome.of(new FatalException("bad"))).isEqualTo(Outcome.ERROR);
    assertThat(Outcome.of(new CancellationException())).isEqualTo(Outcome.ERROR);
    assertThat(Outcome.of(new IllegalStateException())).isEqualTo(Outcome.ERROR);
    assertThat(Outcome.of(new StackOverflowError())).isEqualTo(Outcome.ERROR);
  }

  @Test
  void wrappersAreLookedThroughAtAnyDepth() {
    assertThat(Outcome.of(new CompletionException(new DeadlineExceededException("late"))))
        .isEqualTo(Outcome.TIMEOUT);
    assertThat(Outcome.of(new ExecutionException(new Shed()))).isEqualTo(Outcome.REJECTED);
    assertThat(
            Outcome.of(
                new CompletionException(new ExecutionException(new ModuleTimeoutException()))))
        .isEqualTo(Outcome.TIMEOUT);
  }

  @Test
  void aWrapperWithoutACauseIsAnError() {
    assertThat(Outcome.of(new CompletionException("no cause", null))).isEqualTo(Outcome.ERROR);
  }

  @Test
  void otherCausesAreNotLookedThrough() {
    // only the future wrappers are transparent: an error caused by a timeout is still an error
    assertThat(Outcome.of(new IllegalStateException(new TimeoutException())))
        .isEqualTo(Outcome.ERROR);
    assertThat(Outcome.of(new IOException(new Shed()))).isEqualTo(Outcome.ERROR);
  }

  @Test
  void labelsAreTheLowercaseNamesAndOnlySuccessIsGood() {
    assertThat(Outcome.values())
        .extracting(Outcome::label)
        .containsExactly("success", "error", "timeout", "rejected");
    assertThat(Outcome.values()).filteredOn(o -> !o.isBad()).containsExactly(Outcome.SUCCESS);
  }
}
