package io.bulwark.events;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;

/**
 * Maps the embedded log's {@link EventLogListener} events onto bulwark-core's {@link Telemetry}
 * (with bulwark-telemetry's {@code BulwarkTelemetry}, metrics and span events). Each group-commit
 * cycle (write + fsync + acknowledge) is one request of the RED series {@code
 * dependency=eventlog.commit}, so its duration histogram is the durability latency producers wait
 * for. Rare events that explain behaviour are {@link Decisions}: cuts at recovery (torn tails or
 * corruption under {@code TRUNCATE}), corruption reported, committed offsets clamped after a cut,
 * retention deletions, rebalances and dropped duplicates (component: the topic-partition or the
 * group).
 *
 * <pre>{@code
 * EmbeddedLogConfig.builder(dir).listener(EventLogTelemetry.of(telemetry)).build();
 * }</pre>
 *
 * Appends themselves are not recorded here (they are counted by the producers' own telemetry); the
 * listener contract holds: fast, never throws.
 */
public final class EventLogTelemetry implements EventLogListener {
  /** The RED dependency name of group commits. */
  public static final String COMMIT = "eventlog.commit";

  private final RedRecorder commits;
  private final Decisions decisions;

  private EventLogTelemetry(Telemetry telemetry) {
    this.commits = telemetry.dependency(COMMIT);
    this.decisions = telemetry.decisions();
  }

  /** A listener that records into {@code telemetry}. */
  public static EventLogTelemetry of(Telemetry telemetry) {
    return new EventLogTelemetry(telemetry);
  }

  @Override
  public void onGroupCommit(int batches, int partitions, long nanos) {
    commits.success(nanos);
  }

  @Override
  public void onRecoveryTruncated(TopicPartition partition, String file, long bytes) {
    decisions.record(
        component(partition), "recovery_truncated", bytes + " bytes cut from the end of " + file);
  }

  @Override
  public void onCorruption(TopicPartition partition, String file, long position) {
    decisions.record(
        component(partition), "corruption", "corrupt batch in " + file + " at byte " + position);
  }

  @Override
  public void onCommittedOffsetClamped(
      String groupId, TopicPartition partition, long committed, long logEnd) {
    decisions.record(
        groupId,
        "offset_clamped",
        "committed offset " + committed + " of " + partition + " past the end, now " + logEnd);
  }

  @Override
  public void onSegmentDeleted(TopicPartition partition, String file) {
    decisions.record(component(partition), "retention_deleted", file);
  }

  @Override
  public void onRebalance(String groupId, int generation, int members) {
    decisions.record(
        groupId, "rebalance", "generation " + generation + " with " + members + " members");
  }

  @Override
  public void onDuplicateDropped(TopicPartition partition, long producerId, int sequence) {
    decisions.record(
        component(partition),
        "duplicate_dropped",
        "producer " + producerId + " sequence " + sequence);
  }

  private static String component(TopicPartition partition) {
    return partition.topic() + "-" + partition.partition();
  }
}
