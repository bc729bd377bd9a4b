package io.bulwark.http.internal;

import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.RejectedException;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.RequestOutcome;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps what a handler (or the pipeline around it) threw to the answer, by type: an {@link
 * HttpProblem} keeps its status (5xx {@code error}, else {@code rejected}); a passed deadline or an
 * interrupt is 504; a {@link RejectedException} before the handler started is load shedding (503
 * {@code overloaded}), after it a dependency's refusal (503 naming the reason); anything else is
 * 500 without details, logged with the correlation id. Every failure but a 4xx problem is a drop
 * for the admission.
 */
final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private final Duration retryAfter;

  Failures(Duration retryAfter) {
    this.retryAfter = retryAfter;
  }

  /** Answers the failure; returns whether the request counts as dropped. */
  boolean answer(Exchange ex, RouteTable.Match match, Throwable e) {
    if (e instanceof HttpProblem p) {
      ex.problem(p, HandlerRunner.outcomeOf(p.status()));
      return p.status() >= 500;
    }
    if (e instanceof DeadlineExceededException || e instanceof InterruptedException) {
      ex.problem(Problems.deadline(), RequestOutcome.DEADLINE);
    } else if (e instanceof RejectedException r) {
      rejected(ex, r);
    } else {
      LOG.warn(
          "handler for {} failed (correlation id {})",
          match.template(),
          ex.context.correlationId(),
          e);
      ex.problem(HttpProblem.of(500, "internal_error", "internal error"), RequestOutcome.ERROR);
    }
    return true;
  }

  private void rejected(Exchange ex, RejectedException e) {
    if (ex.handlerStarted) {
      ex.problem(
          HttpProblem.unavailable(e.reason(), "a dependency refused the call: " + e.reason(), 1),
          RequestOutcome.ERROR);
    } else {
      ex.problem(Problems.overloaded(ex.context.criticality(), retryAfter), RequestOutcome.SHED);
    }
  }
}
