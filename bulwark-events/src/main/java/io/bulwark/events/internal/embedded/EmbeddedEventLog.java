package io.bulwark.events.internal.embedded;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogException;
import io.bulwark.events.PartitionLag;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The embedded event log: a directory with {@code topics/<topic>/<partition>/} segment files,
 * {@code groups/} committed offsets and {@code txn/} transaction journal. Opening recovers every
 * partition (see {@link PartitionLog}: segments whose index file vouches for them are not scanned;
 * a clean close writes those files for the active segments) and replays committed-but-unapplied
 * transactions. One {@link LogWriter} thread appends with group commit; consumers read
 * concurrently.
 *
 * <p>One process at a time may open a directory (not enforced by a lock file: embed it in one
 * service). Thread-safe.
 */
public final class EmbeddedEventLog implements EventLog {
  private static final long RETENTION_CHECK_MILLIS = 60_000;
  private static final long CHECKPOINT_DRAIN_NANOS = 100_000_000L;
  private static final System.Logger LOG = System.getLogger(EmbeddedEventLog.class.getName());

  private final EmbeddedLogConfig config;
  private final Path topicsDir;
  private final Map<String, Topic> topics = new ConcurrentHashMap<>();
  private final ReentrantLock topicLock = new ReentrantLock();
  private final ReentrantLock dataLock = new ReentrantLock();
  private final Condition dataArrived = dataLock.newCondition();
  private final LogWriter writer;
  private final OffsetStore offsets;
  private final GroupCoordinator groups;
  private final TxnJournal journal;
  private final Map<String, AtomicInteger> txnEpochs = new ConcurrentHashMap<>();
  private volatile long dataVersion;
  private volatile long lastRetentionMillis;
  private volatile boolean closed;

  @SuppressWarnings("ArrayRecordComponent") // internal, never mutated after open/createTopic
  record Topic(TopicSpec spec, PartitionLog[] partitions) {}

  private EmbeddedEventLog(EmbeddedLogConfig config) throws IOException {
    this.config = config;
    Path root = config.directory();
    this.topicsDir = root.resolve("topics");
    Files.createDirectories(topicsDir);
    TxnJournal txnJournal = new TxnJournal(root.resolve("txn"), config.clock());
    this.journal = txnJournal;
    this.offsets = new OffsetStore(root.resolve("groups"), txnJournal::appliedThrough);
    journal.startAfter(offsets.maxCoveredLsn());
    this.groups = new GroupCoordinator(config.clock(), config.listener(), this::partitionCount);
    this.writer = new LogWriter(config, this::signalData, this::periodic);
    loadTopics();
    this.lastRetentionMillis = config.clock().wallMillis();
    writer.start();
    replayJournal();
    clampCommittedOffsets();
  }

  /** Opens (creating if needed) the log in {@code config.directory()}, recovering it. */
  public static EmbeddedEventLog open(EmbeddedLogConfig config) {
    try {
      return new EmbeddedEventLog(config);
    } catch (IOException e) {
      throw new EventLogException("cannot open event log in " + config.directory() + ": " + e, e);
    }
  }

  EmbeddedLogConfig config() {
    return config;
  }

  LogWriter writer() {
    return writer;
  }

  OffsetStore offsets() {
    return offsets;
  }

  GroupCoordinator groups() {
    return groups;
  }

  TxnJournal journal() {
    return journal;
  }

  int nextEpoch(String transactionalId) {
    return txnEpochs.computeIfAbsent(transactionalId, k -> new AtomicInteger()).incrementAndGet();
  }

  int currentEpoch(String transactionalId) {
    AtomicInteger e = txnEpochs.get(transactionalId);
    return e == null ? 0 : e.get();
  }

  private void loadTopics() throws IOException {
    try (Stream<Path> dirs = Files.list(topicsDir)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Path meta = dir.resolve("topic.properties");
        if (!Files.exists(meta)) {
          continue; // a topic whose creation did not finish
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(meta, StandardCharsets.UTF_8)));
        TopicSpec.Builder b =
            TopicSpec.builder(dir.getFileName().toString())
                .partitions(Integer.parseInt(p.getProperty("partitions")));
        long retentionMs = Long.parseLong(p.getProperty("retention.ms", "-1"));
        long retentionBytes = Long.parseLong(p.getProperty("retention.bytes", "-1"));
        if (retentionMs > 0) {
          b.retention(Duration.ofMillis(retentionMs));
        }
        if (retentionBytes > 0) {
          b.retentionBytes(retentionBytes);
        }
        openTopic(b.build());
      }
    }
  }

  private void openTopic(TopicSpec spec) throws IOException {
    PartitionLog[] parts = new PartitionLog[spec.partitions()];
    Path dir = topicsDir.resolve(spec.name());
    try {
      for (int p = 0; p < parts.length; p++) {
        parts[p] =
            new PartitionLog(
                new TopicPartition(spec.name(), p), dir.resolve(Integer.toString(p)), config);
      }
    } catch (IOException | RuntimeException e) {
      for (PartitionLog opened : parts) {
        if (opened != null) {
          opened.closeAll();
        }
      }
      throw e;
    }
    topics.put(spec.name(), new Topic(spec, parts));
  }

  /**
   * Replays every journal entry in LSN order (records deduplicated by the producer state, offsets
   * only where the group's file does not cover the entry), makes the offsets durable, then deletes
   * the journal.
   */
  private void replayJournal() throws IOException {
    List<TxnJournal.Logged> pending = journal.pending();
    for (TxnJournal.Logged logged : pending) {
      applyTransaction(logged.entry(), logged.lsn());
    }
    offsets.persistDirty(journal.lastLsn()); // every entry read is applied now
    journal.deleteFile();
  }

  /**
   * Writes the offsets applied by transactions and empties the journal, if it is due ({@code
   * force}: whenever it holds anything) and no commit is in flight.
   */
  void checkpointJournal(boolean force) {
    if (!force && !journal.checkpointDue()) {
      return;
    }
    // a committing thread waits briefly for other commits in flight; the writer thread never does
    // (it is the one applying them)
    long drainNanos = force ? 0 : CHECKPOINT_DRAIN_NANOS;
    try {
      journal.checkpoint(
          lsn -> {
            try {
              offsets.persistDirty(lsn);
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          },
          drainNanos);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new EventLogException(
          "transaction journal checkpoint failed (its committed transactions stay in the journal"
              + " and are replayed at open): "
              + e,
          e);
    }
  }

  /**
   * Lowers every committed offset that lies past its partition's end to that end. Only a cut at
   * recovery makes this happen; the cut offsets are assigned again to new appends, which the group
   * would otherwise skip. Reported to the listener and logged.
   */
  private void clampCommittedOffsets() {
    offsets
        .all()
        .forEach(
            (group, committed) -> {
              Map<TopicPartition, Long> clamped = new java.util.TreeMap<>();
              committed.forEach(
                  (tp, offset) -> {
                    Topic t = topics.get(tp.topic());
                    if (t == null || tp.partition() >= t.partitions().length) {
                      return;
                    }
                    long end = t.partitions()[tp.partition()].durableEnd();
                    if (offset > end) {
                      clamped.put(tp, end);
                      LOG.log(
                          System.Logger.Level.WARNING,
                          "group {0}: committed offset {1} of {2} is past the log end {3} after"
                              + " recovery cut the partition; resuming at {3}",
                          group,
                          Long.toString(offset),
                          tp,
                          Long.toString(end));
                      listen(
                          () -> config.listener().onCommittedOffsetClamped(group, tp, offset, end));
                    }
                  });
              offsets.commit(group, clamped);
            });
  }

  private static void listen(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException ignored) {
      // the listener contract says it never throws; if it does, the log carries on
    }
  }

  /**
   * Appends a replayed transaction's records (deduplicated, in one writer group) and applies its
   * offsets unless the group's file covers {@code lsn}.
   */
  void applyTransaction(TxnJournal.Entry entry, long lsn) {
    List<LogWriter.Append> appends = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    for (TxnJournal.Output o : entry.outputs()) {
      CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
      appends.add(
          new LogWriter.Append(partition(o.tp()), o.entry(), entry.producerId(), o.sequence(), f));
      futures.add(f);
    }
    if (!appends.isEmpty()) {
      writer.submit(new LogWriter.AppendAll(appends));
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();
    entry.offsets().forEach((group, o) -> offsets.applyTransactional(group, o, lsn));
  }

  @Override
  public void createTopic(TopicSpec spec) {
    topicLock.lock();
    try {
      Topic existing = topics.get(spec.name());
      if (existing != null) {
        if (existing.spec().partitions() != spec.partitions()) {
          throw new IllegalArgumentException(
              "topic '"
                  + spec.name()
                  + "' exists with "
                  + existing.spec().partitions()
                  + " partitions, not "
                  + spec.partitions());
        }
        return;
      }
      Path dir = topicsDir.resolve(spec.name());
      Files.createDirectories(dir);
      Properties p = new Properties();
      p.setProperty("partitions", Integer.toString(spec.partitions()));
      Duration retention = spec.retention();
      p.setProperty("retention.ms", Long.toString(retention == null ? -1 : retention.toMillis()));
      p.setProperty("retention.bytes", Long.toString(spec.retentionBytes()));
      java.io.StringWriter text = new java.io.StringWriter();
      p.store(text, "bulwark topic");
      openTopic(spec);
      AtomicFiles.write(
          dir.resolve("topic.properties.tmp"),
          dir.resolve("topic.properties"),
          text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new EventLogException("cannot create topic " + spec.name() + ": " + e, e);
    } finally {
      topicLock.unlock();
    }
  }

  Topic topic(String name) {
    Topic t = topics.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown topic '" + name + "' (create it first; known: " + topics.keySet() + ")");
    }
    return t;
  }

  PartitionLog partition(TopicPartition tp) {
    PartitionLog[] parts = topic(tp.topic()).partitions();
    if (tp.partition() >= parts.length) {
      throw new IllegalArgumentException(
          "partition "
              + tp.partition()
              + " does not exist: topic '"
              + tp.topic()
              + "' has "
              + parts.length
              + " partitions");
    }
    return parts[tp.partition()];
  }

  @Override
  public int partitionCount(String topic) {
    return topic(topic).partitions().length;
  }

  @Override
  public Producer producer(ProducerConfig producerConfig) {
    checkOpen();
    return new EmbeddedProducer(this, producerConfig);
  }

  @Override
  public Consumer consumer(ConsumerConfig consumerConfig) {
    checkOpen();
    return new EmbeddedConsumer(this, consumerConfig);
  }

  @Override
  public String backend() {
    return "embedded";
  }

  @Override
  public List<String> consumerGroups() {
    return EmbeddedLag.groups(this);
  }

  @Override
  public List<PartitionLag> consumerLag(String group) {
    return EmbeddedLag.lag(this, group);
  }

  @Override
  public List<PartitionLag> consumerLag(String group, String topic) {
    return EmbeddedLag.lag(this, group, topic);
  }

  boolean hasPartition(TopicPartition tp) {
    Topic t = topics.get(tp.topic());
    return t != null && tp.partition() < t.partitions().length;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the event log in " + config.directory() + " is closed");
    }
  }

  @SuppressWarnings("NonAtomicVolatileUpdate") // written only under dataLock; read without it
  private void signalData() {
    dataLock.lock();
    try {
      dataVersion = dataVersion + 1;
      dataArrived.signalAll();
    } finally {
      dataLock.unlock();
    }
  }

  /** A counter that grows whenever new durable data is published. */
  long dataVersion() {
    return dataVersion;
  }

  /**
   * Waits up to {@code nanos} for data newer than {@code seenVersion} (returns at once if some was
   * published since that version was read: no lost wake-up); returns the time left.
   */
  long awaitData(long seenVersion, long nanos) throws InterruptedException {
    dataLock.lock();
    try {
      long left = nanos;
      while (dataVersion == seenVersion && left > 0) {
        left = dataArrived.awaitNanos(left);
      }
      return left;
    } finally {
      dataLock.unlock();
    }
  }

  private void periodic() {
    long now = config.clock().wallMillis();
    if (now - lastRetentionMillis >= RETENTION_CHECK_MILLIS) {
      lastRetentionMillis = now;
      retentionNow();
    }
  }

  /**
   * Applies every topic's retention now, on the writer thread; returns when done. Not API: the
   * writer does this every minute on its own; tests call it to check retention in virtual time.
   */
  void enforceRetention() {
    writer.control(this::retentionNow);
  }

  /**
   * Deletes segments past each topic's retention, then forgets expired producer state. The
   * transaction journal is checkpointed first, so no replay at open relies on what this forgets.
   */
  private void retentionNow() {
    try {
      checkpointJournal(true);
    } catch (EventLogException e) {
      LOG.log(System.Logger.Level.WARNING, "{0}; retried at the next commit", e.getMessage());
    }
    long now = config.clock().wallMillis();
    long expiration = config.producerIdExpiration().toMillis();
    for (Topic t : topics.values()) {
      Duration retention = t.spec().retention();
      long retentionMillis = retention == null ? -1 : retention.toMillis();
      boolean retains = retentionMillis >= 0 || t.spec().retentionBytes() >= 0;
      for (PartitionLog p : t.partitions()) {
        if (retains) {
          try {
            p.enforceRetention(now, retentionMillis, t.spec().retentionBytes());
          } catch (IOException e) {
            throw new EventLogException("retention failed on " + p.topicPartition() + ": " + e, e);
          }
        }
        p.expireProducers(now, expiration);
      }
    }
  }

  /**
   * Fsyncs (files and directories) issued by every embedded log of this process so far. Not API:
   * for tests and benchmarks that count what an operation costs in fsyncs (take the difference of
   * two reads around it, with no other log busy).
   */
  public static long fsyncCount() {
    return Fsync.count();
  }

  /**
   * Group commits of this log acknowledged through a later group's fsync before their own fsync
   * returned (a covered acknowledgement, see {@link GroupSyncer}). Not API: for tests and
   * benchmarks.
   */
  public long coveredAcknowledgements() {
    return writer.coveredAcks();
  }

  /**
   * When each stage of one group commit began or ended, in {@code Clock#nanoTime} of the log's
   * clock: the writer took the group ({@code closed}), encoded it, found a free sync lane, wrote
   * it; its lane began its fsyncs and they returned ({@code fsyncEnd} 0 when a later group's fsync
   * acknowledged it first: {@code covered}); it was published (readers woken). {@code partition}
   * and {@code endOffset}: its first partition's records end there. Not API: for benchmarks.
   */
  public record GroupStages(
      TopicPartition partition,
      long endOffset,
      long closed,
      long encoded,
      long laneFree,
      long written,
      long fsyncStart,
      long fsyncEnd,
      long published,
      boolean covered) {}

  /**
   * Tells {@code trace} (on the log's acknowledging thread, after the group is published and before
   * its futures complete; must be quick) every group commit's stage times; null stops it. Not API:
   * for benchmarks that break a record's latency down.
   */
  public void traceGroupCommits(java.util.function.@Nullable Consumer<GroupStages> trace) {
    writer.traceGroups(trace == null ? null : trace::accept);
  }

  /** First offset and end offset (exclusive, durable) of a partition. */
  public long[] bounds(TopicPartition tp) {
    PartitionLog p = partition(tp);
    return new long[] {p.startOffset(), p.durableEnd()};
  }

  /**
   * Writes every partition's index files on the writer thread, after the appends queued before
   * close, so that the next open need not scan (see {@link SegmentIndex}). Best effort: without
   * them the next open scans, as after a crash.
   */
  private void writeIndexes() {
    try {
      writer.control(
          () -> {
            for (Topic t : topics.values()) {
              for (PartitionLog p : t.partitions()) {
                p.writeIndexes();
              }
            }
          });
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot write index files at close: {0}", e.toString());
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      checkpointJournal(true);
    } catch (EventLogException e) {
      LOG.log(System.Logger.Level.WARNING, "closing: {0} (replayed at the next open)", e);
    }
    writeIndexes();
    writer.shutdown();
    journal.close();
    for (Topic t : topics.values()) {
      for (PartitionLog p : t.partitions()) {
        p.closeAll();
      }
    }
    signalData();
  }
}
