package io.bulwark.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ErrorTaxonomyTest {
  private final ErrorClassifier classifier = ErrorClassifier.defaults();

  @Test
  void bulwarkExceptionsSayWhetherTheyAreRetriable() {
    assertThat(classifier.isRetriable(new RetriableException("connection reset"))).isTrue();
    assertThat(classifier.isRetriable(new FatalException("bad request"))).isFalse();
    assertThat(classifier.isRetriable(new DeadlineExceededException("late"))).isFalse();
  }

  @Test
  void ioAndTimeoutsAreRetriableProgrammingErrorsAndCancellationAreNot() {
    assertThat(classifier.isRetriable(new IOException("reset"))).isTrue();
    assertThat(classifier.isRetriable(new java.util.concurrent.TimeoutException())).isTrue();
    assertThat(classifier.isRetriable(new IllegalStateException())).isFalse();
    assertThat(classifier.isRetriable(new InterruptedException())).isFalse();
    assertThat(classifier.isRetriable(new CancellationException())).isFalse();
  }

  @Test
  void wrappersAreLookedThrough() {
    assertThat(classifier.isRetriable(new CompletionException(new IOException()))).isTrue();
    assertThat(
            classifier.isRetriable(
                new ExecutionException(new CompletionException(new FatalException("no")))))
        .isFalse();
  }

  @Test
  void rejectionsAreStackless() {
    DeadlineExceededException e = new DeadlineExceededException("deadline passed 3ms ago");
    assertThat(e.getStackTrace()).isEmpty();
    e.setStackTrace(new StackTraceElement[] {new StackTraceElement("a", "b", "c", 1)});
    assertThat(e.getStackTrace()).isEmpty();
    assertThat(e.reason()).isEqualTo("deadline_exceeded");
    assertThat(new FatalException("x").getStackTrace()).isNotEmpty();
  }

  @Test
  void deadlineExceptionSaysWhetherTheWorkHadStarted() {
    assertThat(new DeadlineExceededException("passed before the call").isDuringCall()).isFalse();
    DeadlineExceededException stopped =
        DeadlineExceededException.duringCall("passed while calling");
    assertThat(stopped.isDuringCall()).isTrue();
    assertThat(stopped.isRetriable()).isFalse();
    assertThat(stopped).hasMessage("passed while calling");
  }
}
