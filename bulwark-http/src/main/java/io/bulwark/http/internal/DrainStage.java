package io.bulwark.http.internal;

import io.bulwark.http.RequestOutcome;

/**
 * Counts the request in flight and refuses it with 503 {@code shutting_down} once the server drains
 * (system routes are still served). Counting first, then looking at draining, is what lets shutdown
 * wait without a lock: it either sees this request or the request sees the drain.
 */
final class DrainStage implements Stage {
  private final ServerState state;

  DrainStage(ServerState state) {
    this.state = state;
  }

  @Override
  public boolean pass(Exchange ex) {
    ex.count();
    if (state.draining() && !ex.system) {
      ex.refuseUnread(Problems.shuttingDown(), RequestOutcome.SHED);
      return false;
    }
    return true;
  }
}
