package io.bulwark.saga;

import io.bulwark.core.context.Context;
import io.bulwark.events.OutgoingRecord;
import java.sql.Connection;

/** What a step's action or compensation sees. */
public interface StepContext {
  String runId();

  String stepName();

  /** The step's position in the run (from 0, in call order). */
  int stepIndex();

  /** The attempt, from 1; it counts attempts across restarts. */
  int attempt();

  /**
   * A key that is the same on every attempt of this step in this run, also after a restart: {@code
   * <run id>:<step index>:<step name>}. Pass it to the downstream service so that a step tried
   * twice (at-least-once) has its effect once.
   */
  String idempotencyKey();

  /** The run's context, with this step's span. */
  Context context();

  /** True for a step built with {@link Step.Builder#transactional()}. */
  boolean transactional();

  /**
   * The connection of this attempt's transaction, for a transactional step only: the step's writes,
   * its checkpoint and its {@link #outbox} events commit together or not at all, so the step takes
   * effect exactly once. Do not commit, roll back or close it.
   *
   * @throws IllegalStateException for a step that is not transactional
   */
  Connection connection();

  /**
   * Adds {@code record} to the saga store's outbox ({@code bulwark-events Outbox}) in this step's
   * transaction; published later by an {@code OutboxRelay} over the same database.
   *
   * @throws IllegalStateException for a step that is not transactional
   */
  void outbox(OutgoingRecord record);
}
