package io.bulwark.events.internal.embedded;

import io.bulwark.core.context.Context;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.events.EventLogException;
import io.bulwark.events.Headers;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.ProducerFencedException;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.internal.EventFaults;
import io.bulwark.events.internal.ProducerBuffer;
import io.bulwark.events.internal.ProducerSpans;
import io.bulwark.events.internal.RecordContext;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A producer of the embedded log. Each send takes a permit of the backpressure semaphore, gets the
 * next sequence number of its partition (idempotent producers) and joins the producer's open batch
 * for that partition (its accumulator, {@link ProducerBatch}) in one step under a short lock, so
 * per-partition send order is storage order. A batch is queued to the writer when its first record
 * joins it and takes more records until the writer takes it from the queue: a lone send goes to the
 * writer at once, and under load one queued task carries many records. Every record is still
 * acknowledged only after the fsync of the group that holds it. Transactions buffer their records
 * and offsets and commit them through the {@link TxnJournal}.
 */
final class EmbeddedProducer implements Producer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EmbeddedEventLog log;
  private final ProducerConfig config;
  private final long producerId;
  private final ProducerBuffer buffer;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final Map<TopicPartition, Slot> slots = new HashMap<>();
  // the partition of the previous send, as most sends repeat it (written under sendLock)
  private volatile @Nullable Slot lastSlot;
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final int epoch;
  private @Nullable Transaction txn;
  private volatile boolean closed;

  /** Per partition this producer sends to (guarded by sendLock): sequence and open batch. */
  private static final class Slot {
    final TopicPartition tp;
    final PartitionLog log;
    int nextSequence;
    @Nullable ProducerBatch open;

    Slot(TopicPartition tp, PartitionLog log) {
      this.tp = tp;
      this.log = log;
    }
  }

  /** The most records and bytes one open batch takes before the producer starts another. */
  private static final int BATCH_RECORDS = 4096;

  private static final long BATCH_BYTES = 1 << 20;

  private record Buffered(
      TopicPartition tp, BatchCodec.Entry entry, CompletableFuture<RecordMetadata> future) {}

  private static final class Transaction {
    final List<Buffered> records = new ArrayList<>();
    final Map<String, Map<TopicPartition, Long>> offsets = new LinkedHashMap<>();
    final List<Fence> fencing = new ArrayList<>();
  }

  /** Partitions a member must still own when its transaction commits. */
  private record Fence(String groupId, String memberId, Set<TopicPartition> partitions) {}

  EmbeddedProducer(EmbeddedEventLog log, ProducerConfig config) {
    this.log = log;
    this.config = config;
    this.producerId = config.idempotent() ? RANDOM.nextLong() & Long.MAX_VALUE : -1;
    this.buffer = new ProducerBuffer(config);
    String txnId = config.transactionalId();
    this.epoch = txnId == null ? 0 : log.nextEpoch(txnId);
  }

  @Override
  public CompletableFuture<RecordMetadata> send(OutgoingRecord record) {
    if (closed) {
      throw new IllegalStateException("producer is closed");
    }
    TopicPartition tp = partitionOf(record);
    FaultInjector fi = FaultPoints.injector();
    if (fi == null) {
      return send(record, tp, null, null);
    }
    FaultAction fault = EventFaults.produce(fi, tp.topic(), tp.partition());
    CompletableFuture<RecordMetadata> result = send(record, tp, fi, fault);
    for (int i = EventFaults.produceCopies(fault); i > 0; i--) {
      var unused = send(record, tp, fi, fault);
    }
    return result;
  }

  private CompletableFuture<RecordMetadata> send(
      OutgoingRecord record,
      TopicPartition tp,
      @Nullable FaultInjector fi,
      @Nullable FaultAction fault) {
    long ts =
        record.timestampMillis() >= 0
            ? record.timestampMillis()
            : log.config().clock().wallMillis();
    TelemetrySpan span = HopSpans.producer(config.tracing(), Context.current(), tp.topic());
    BatchCodec.Entry entry =
        new BatchCodec.Entry(ts, record.key(), record.value(), headers(record, span.context()));
    CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
    CompletableFuture<RecordMetadata> result = ProducerSpans.endWhenDone(span, future);
    if (fi != null && fault != null && EventFaults.failsProduce(fi, fault, span, future)) {
      return result;
    }
    Transaction t = txn;
    if (t != null) {
      t.records.add(new Buffered(tp, entry, future));
      return result;
    }
    try {
      buffer.acquire(tp);
    } catch (RuntimeException e) {
      future.completeExceptionally(e); // ends the span; the caller gets the exception
      throw e;
    }
    sendLock.lock();
    try {
      Slot slot = slot(tp);
      ProducerBatch open = slot.open;
      if (open == null || !open.tryAdd(entry, future)) {
        ProducerBatch batch =
            new ProducerBatch(
                slot.log,
                producerId,
                producerId < 0 ? -1 : slot.nextSequence,
                buffer.semaphore(),
                BATCH_RECORDS,
                BATCH_BYTES,
                open == null ? 1 : open.count()); // the next batch is likely sized as the last
        batch.tryAdd(entry, future); // a new batch is neither sealed nor full
        log.writer().submit(batch);
        slot.open = batch;
      }
      slot.nextSequence++;
    } catch (RuntimeException e) {
      buffer.release();
      future.completeExceptionally(e);
      throw e;
    } finally {
      sendLock.unlock();
    }
    return result;
  }

  /** The slot of {@code tp}, created on first use (under sendLock). */
  private Slot slot(TopicPartition tp) {
    Slot s = lastSlot;
    if (s == null || !s.tp.equals(tp)) {
      s = slots.get(tp);
      if (s == null) {
        s = new Slot(tp, log.partition(tp));
        slots.put(tp, s);
      }
      lastSlot = s;
    }
    return s;
  }

  private int nextSequence(TopicPartition tp) {
    return slot(tp).nextSequence++;
  }

  private TopicPartition partitionOf(OutgoingRecord record) {
    int p = record.partition();
    Slot last = lastSlot;
    if (last != null
        && p >= 0
        && last.tp.partition() == p
        && last.tp.topic().equals(record.topic())) {
      return last.tp; // it exists: partitions are never removed
    }
    int n = log.partitionCount(record.topic());
    if (p >= n) {
      throw new IllegalArgumentException(
          "partition " + p + " does not exist: topic '" + record.topic() + "' has " + n);
    }
    if (p < 0) {
      byte[] key = record.key();
      p =
          key == null
              ? Math.floorMod(roundRobin.getAndIncrement(), n)
              : io.bulwark.events.Partitioner.partitionFor(key, n);
    }
    return new TopicPartition(record.topic(), p);
  }

  private Headers headers(OutgoingRecord record, Context current) {
    if (!config.propagateContext()) {
      return record.headers();
    }
    if (current == Context.root()) {
      return record.headers();
    }
    Map<String, String> merged =
        RecordContext.headers(current, log.config().clock(), record.headers());
    return merged.equals(record.headers().asMap()) ? record.headers() : Headers.of(merged);
  }

  @Override
  public void flush() {
    // the writer runs control tasks after every append queued before them
    log.writer().control(() -> {});
  }

  @Override
  public void beginTransaction() {
    String txnId = requireTransactional();
    if (txn != null) {
      throw new IllegalStateException("transaction of '" + txnId + "' already begun");
    }
    checkEpoch(txnId);
    txn = new Transaction();
  }

  @Override
  public void sendOffsetsToTransaction(Map<TopicPartition, Long> offsets, String groupId) {
    Transaction t = requireTxn();
    t.offsets.computeIfAbsent(groupId, g -> new LinkedHashMap<>()).putAll(offsets);
  }

  @Override
  public void sendOffsetsToTransaction(
      Map<TopicPartition, Long> offsets, io.bulwark.events.Consumer consumer) {
    if (!(consumer instanceof EmbeddedConsumer member)) {
      throw new IllegalArgumentException(
          "consumer must belong to the same embedded log, got " + consumer.getClass().getName());
    }
    Transaction t = requireTxn();
    sendOffsetsToTransaction(offsets, member.groupId());
    t.fencing.add(new Fence(member.groupId(), member.memberId(), Set.copyOf(offsets.keySet())));
  }

  @Override
  public void commitTransaction() {
    String txnId = requireTransactional();
    Transaction t = requireTxn();
    txn = null;
    checkEpoch(txnId);
    for (Fence f : t.fencing) {
      Set<TopicPartition> lost = log.groups().notOwned(f.groupId(), f.memberId(), f.partitions());
      if (!lost.isEmpty()) {
        EventLogException fenced =
            new EventLogException(
                "transaction '"
                    + txnId
                    + "' aborted: the consumer lost "
                    + lost
                    + " of group "
                    + f.groupId()
                    + " to a rebalance (zombie fencing); nothing was committed");
        t.records.forEach(b -> b.future().completeExceptionally(fenced));
        throw fenced;
      }
    }
    List<TxnJournal.Output> outputs = new ArrayList<>(t.records.size());
    sendLock.lock();
    try {
      // later sends must not join a batch queued before this transaction's records: their
      // sequences follow the transaction's, so they must be stored after them
      slots.values().forEach(s -> s.open = null);
      for (Buffered b : t.records) {
        outputs.add(new TxnJournal.Output(b.tp(), nextSequence(b.tp()), b.entry()));
      }
    } finally {
      sendLock.unlock();
    }
    TxnJournal.Entry entry = new TxnJournal.Entry(txnId, producerId, outputs, t.offsets);
    long lsn;
    try {
      lsn = log.journal().write(entry); // the commit point: one fsync, shared by concurrent commits
    } catch (IOException e) {
      EventLogException failure =
          new EventLogException("transaction '" + txnId + "' not committed: " + e, e);
      t.records.forEach(b -> b.future().completeExceptionally(failure));
      throw failure;
    }
    // Committed: from here on a crash is repaired by replaying the journal at open. The records
    // go to the writer as one task, so they land in one group (one fsync per partition).
    List<LogWriter.Append> appends = new ArrayList<>(outputs.size());
    List<CompletableFuture<RecordMetadata>> appended = new ArrayList<>(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      TxnJournal.Output o = outputs.get(i);
      CompletableFuture<RecordMetadata> f = t.records.get(i).future();
      appends.add(
          new LogWriter.Append(log.partition(o.tp()), o.entry(), producerId, o.sequence(), f));
      appended.add(f);
    }
    if (!appends.isEmpty()) {
      log.writer().submit(new LogWriter.AppendAll(appends));
    }
    CompletableFuture.allOf(appended.toArray(new CompletableFuture<?>[0])).join();
    // the offsets are durable in the journal entry; the next checkpoint writes the group files
    t.offsets.forEach((group, o) -> log.offsets().applyTransactional(group, o, lsn));
    log.journal().applied(lsn);
    log.checkpointJournal(false);
  }

  @Override
  public void abortTransaction() {
    Transaction t = requireTxn();
    txn = null;
    EventLogException aborted = new EventLogException("transaction aborted");
    t.records.forEach(b -> b.future().completeExceptionally(aborted));
  }

  private Transaction requireTxn() {
    Transaction t = txn;
    if (t == null) {
      throw new IllegalStateException("no transaction begun (call beginTransaction first)");
    }
    return t;
  }

  private String requireTransactional() {
    String id = config.transactionalId();
    if (id == null) {
      throw new IllegalStateException(
          "transactions need ProducerConfig.transactionalId; this producer has none");
    }
    return id;
  }

  private void checkEpoch(String txnId) {
    if (log.currentEpoch(txnId) != epoch) {
      throw new ProducerFencedException(
          "producer with transactionalId '"
              + txnId
              + "' was fenced by a newer one (epoch "
              + epoch
              + " < "
              + log.currentEpoch(txnId)
              + ")");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (txn != null) {
      abortTransaction();
    }
    flush();
    closed = true;
  }
}
