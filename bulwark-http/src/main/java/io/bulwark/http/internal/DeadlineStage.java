package io.bulwark.http.internal;

import io.bulwark.core.context.Deadline;
import io.bulwark.http.RequestOutcome;

/**
 * Refuses, with 504 and before its body is read, a request whose deadline had already passed when
 * it arrived (system routes have no deadline). A deadline that passes later is the {@link
 * HandlerRunner}'s to enforce.
 */
final class DeadlineStage implements Stage {

  @Override
  public boolean pass(Exchange ex) {
    Deadline deadline = ex.context.deadline();
    if (deadline != null && !ex.system && deadline.isExpired()) {
      ex.refuseUnread(Problems.deadline(), RequestOutcome.DEADLINE);
      return false;
    }
    return true;
  }
}
