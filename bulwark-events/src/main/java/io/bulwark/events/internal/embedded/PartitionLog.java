package io.bulwark.events.internal.embedded;

import io.bulwark.events.CorruptLogException;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EmbeddedLogConfig.CorruptionPolicy;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.EventRecord;
import io.bulwark.events.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One partition: its segments, the durable end (the offset below which records are visible), and
 * the idempotent-producer state (last sequence per producer id).
 *
 * <p>Design notes: only the writer thread appends, rolls and deletes segments; readers look up a
 * segment in a concurrent map and read positionally, retrying if retention closed it underneath.
 * Opening restores each segment from its {@link SegmentIndex} file when that vouches for the
 * segment file as it is now (same size, ctime, mtime and inode; not racy) and the segment's first
 * and last batch pass their CRC at the recorded positions; the index is written when a segment
 * rolls and, for the active segment, at a clean close. Every other segment (after a crash: the
 * active one, perhaps the one rolled just before) is scanned: each batch's framing, offset
 * continuity and CRC are checked. A torn tail is a bad batch in the last segment with no valid
 * batch after it: a write that a crash cut short, never acknowledged (acknowledgement follows the
 * fsync that would have made it whole), so it is truncated. Anything else is corruption, reported
 * by {@link CorruptLogException} or cut off by policy: a bad batch followed by a valid one (found
 * by scanning every later byte position, so a damaged length field cannot hide it), a CRC-valid
 * batch at the wrong offset, a bad batch in an earlier segment, or a missing segment (a gap in the
 * base offsets).
 */
final class PartitionLog {
  private static final System.Logger LOG = System.getLogger(PartitionLog.class.getName());

  private final TopicPartition tp;
  private final Path dir;
  private final EmbeddedLogConfig config;
  private final EventLogListener listener;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();

  /**
   * Per idempotent producer id: {last sequence, base offset and max timestamp of its last batch}.
   */
  private final Map<Long, long[]> producers = new ConcurrentHashMap<>();

  private volatile long durableEnd;
  private volatile @Nullable RuntimeException failure;
  private volatile long startOffset;

  /** Durable bytes behind the tail kept in the page cache for readers of recent records. */
  static final long CACHED_TAIL_BYTES = 8L << 20;

  /** Drop-behind acts on at least this many bytes at a time. */
  static final long DROP_CHUNK_BYTES = 2L << 20;

  /**
   * Held by drop-behind, which sync lanes call after acknowledgements, outside the acknowledgement
   * lock: possibly concurrently and out of write order.
   */
  private final ReentrantLock dropLock = new ReentrantLock();

  /** The newest tail drop-behind was called with: older calls find nothing left to do. */
  private long dropSeenBase = -1;

  private long dropSeenBytes;

  /** The segment drop-behind works on, and how far into it it dropped (under {@link #dropLock}). */
  private @Nullable Segment dropSegment;

  private long dropPosition;

  private final AtomicLong droppedBytes = new AtomicLong();

  /** Closed segments whose index file is missing or racy; written again later (writer thread). */
  private final List<Segment> unindexed = new ArrayList<>();

  private int scannedAtOpen;

  PartitionLog(TopicPartition tp, Path dir, EmbeddedLogConfig config) throws IOException {
    this.tp = tp;
    this.dir = dir;
    this.config = config;
    this.listener = config.listener();
    Files.createDirectories(dir);
    recover();
  }

  TopicPartition topicPartition() {
    return tp;
  }

  long durableEnd() {
    return durableEnd;
  }

  long startOffset() {
    return startOffset;
  }

  Segment active() {
    return segments.lastEntry().getValue();
  }

  private void recover() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
    List<Segment> scanned = new ArrayList<>();
    long expected = -1;
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      String name = file.getFileName().toString();
      long base = Long.parseLong(name.substring(0, name.length() - 4));
      Segment seg = new Segment(file, base, config.indexIntervalBytes(), config.segmentBytes());
      segments.put(base, seg);
      boolean last = i == files.size() - 1;
      long fileSize = seg.channel().size();
      long position = 0;
      long next = expected < 0 ? base : expected;
      if (base != next) {
        // a missing or misnamed segment: never a torn write
        corrupt(seg, 0, "segment base offset " + base + " but previous ended at " + next, false);
        return;
      }
      if (restoreFromIndex(seg)) {
        expected = seg.nextOffset();
        continue;
      }
      scannedAtOpen++;
      while (position < fileSize) {
        ByteBuffer batch;
        try {
          batch = seg.readBatch(position, fileSize);
        } catch (Segment.CorruptBatchException e) {
          if (last && seg.zeroFrom(position, fileSize)) {
            trimZeroTail(seg, position, fileSize);
            break;
          }
          boolean torn = last && !seg.hasValidBatchAfter(position, fileSize, next);
          corrupt(seg, position, String.valueOf(e.getMessage()), torn);
          return;
        }
        BatchCodec.Header h = BatchCodec.readHeader(java.util.Objects.requireNonNull(batch));
        if (h.baseOffset() != next) {
          // a CRC-valid batch at the wrong offset cannot come from a torn write
          corrupt(seg, position, "batch offset " + h.baseOffset() + " expected " + next, false);
          return;
        }
        seg.noteBatch(position, h);
        noteProducer(seg, h);
        position += h.totalSize();
        next = h.nextOffset();
      }
      expected = next;
      if (!last) {
        scanned.add(seg);
      }
    }
    for (Segment seg : scanned) {
      if (!SegmentIndex.tryWrite(seg, false)) {
        unindexed.add(seg);
      }
    }
    removeStrayIndexFiles();
    if (segments.isEmpty()) {
      segments.put(
          0L,
          new Segment(
              Segment.fileFor(dir, 0), 0, config.indexIntervalBytes(), config.segmentBytes()));
      syncDirectory();
    }
    startOffset = segments.firstKey();
    durableEnd = active().nextOffset();
  }

  /**
   * Restores {@code seg} without scanning it if its index file vouches for the file as it is and
   * the first and last batch it names are whole (CRC) at the recorded offsets.
   */
  private boolean restoreFromIndex(Segment seg) throws IOException {
    SegmentIndex.Snapshot s = SegmentIndex.read(seg);
    if (s == null || !endsMatch(seg, s)) {
      return false;
    }
    seg.restore(s);
    producers.putAll(s.producers); // in segment order: the later batch wins, as in a scan
    return true;
  }

  /**
   * Whether the first and last batch headers the index names are there: plausible framing, the
   * segment's base offset first, the recorded next offset and size last. Headers only (two 50-byte
   * reads): a batch body is CRC-checked when it is read.
   */
  private static boolean endsMatch(Segment seg, SegmentIndex.Snapshot s) throws IOException {
    if (s.size == 0) {
      return true;
    }
    BatchCodec.Header first = headerAt(seg, 0);
    BatchCodec.Header last = headerAt(seg, s.lastBatchPosition);
    return first != null
        && last != null
        && first.baseOffset() == seg.baseOffset()
        && last.nextOffset() == s.nextOffset
        && s.lastBatchPosition + last.totalSize() == s.size
        && last.maxTimestamp() <= s.maxTimestamp;
  }

  private static BatchCodec.@Nullable Header headerAt(Segment seg, long position)
      throws IOException {
    ByteBuffer head = ByteBuffer.allocate(BatchCodec.HEADER_SIZE);
    while (head.hasRemaining()) {
      if (seg.channel().read(head, position + head.position()) < 0) {
        return null;
      }
    }
    head.flip();
    BatchCodec.Header h = BatchCodec.readHeader(head);
    return BatchCodec.plausible(h, head.rewind()) ? h : null;
  }

  /** Deletes {@code .tmp} files and index files without a segment (a crash left them). */
  private void removeStrayIndexFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.toList()) {
        String name = f.getFileName().toString();
        boolean orphan =
            name.endsWith(".idx")
                && !Files.exists(f.resolveSibling(name.substring(0, name.length() - 4) + ".log"));
        if (name.endsWith(".tmp") || orphan) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /** Segments scanned (not restored from an index file) by the last open. For tests. */
  int scannedAtOpen() {
    return scannedAtOpen;
  }

  /**
   * At a clean close (writer thread): makes the active segment durable and writes the index of
   * every segment that lacks a trusted one, waiting out the file system's timestamp tick, so that
   * the next open scans nothing. Skipped if the partition failed (its file state is unknown).
   */
  void writeIndexes() {
    if (failure != null) {
      return;
    }
    try {
      active().trim();
      active().force();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot sync {0} at close: {1}", tp, e.toString());
      return;
    }
    unindexed.removeIf(s -> segments.get(s.baseOffset()) != s || SegmentIndex.tryWrite(s, true));
    SegmentIndex.tryWrite(active(), true);
  }

  /**
   * The last segment ends in zeros from {@code position} on: the unwritten part of its preallocated
   * space ({@link Preallocation}) after an unclean close, where the writer had reserved blocks
   * ahead and the process ended before it trimmed them. Not damage: the batches before it are all
   * there and valid. Cut, so the file holds exactly its batches again. (A torn batch whose bytes
   * never reached the disk reads as zeros too; it was never acknowledged, like any torn tail.)
   */
  private void trimZeroTail(Segment seg, long position, long fileSize) throws IOException {
    SegmentIndex.delete(seg);
    seg.truncate(position);
    LOG.log(
        System.Logger.Level.DEBUG,
        "{0}: cut {1} preallocated zero bytes after the last batch of {2}",
        tp,
        fileSize - position,
        seg.file());
  }

  /**
   * Handles a bad batch found at open; scanning stops there. A torn tail (a bad batch in the last
   * segment with no valid batch after it) is truncated; anything else is corruption, and the policy
   * decides: {@code FAIL} throws and leaves the files as found, {@code TRUNCATE} cuts the partition
   * at {@code position} (deleting later segments) and reports the cut.
   */
  private void corrupt(Segment seg, long position, String why, boolean torn) throws IOException {
    String where = seg.file() + " at byte " + position;
    if (!torn) {
      listener(() -> listener.onCorruption(tp, seg.file().toString(), position));
      if (config.corruptionPolicy() == CorruptionPolicy.FAIL) {
        closeAll();
        throw new CorruptLogException(
            "corrupt batch in "
                + where
                + " ("
                + why
                + ") of partition "
                + tp
                + "; not a torn tail. Open with corruptionPolicy TRUNCATE to cut the partition there");
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "corruptionPolicy TRUNCATE: cutting partition {0} at {1}, deleting what follows ({2})",
          tp,
          where,
          why);
    }
    long cut = seg.channel().size() - position;
    SegmentIndex.delete(seg);
    seg.truncate(position);
    listener(() -> listener.onRecoveryTruncated(tp, seg.file().toString(), cut));
    for (Segment later : new ArrayList<>(segments.tailMap(seg.baseOffset(), false).values())) {
      segments.remove(later.baseOffset());
      later.delete();
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(PartitionLog::segmentOrIndex).toList()) {
        String name = f.getFileName().toString();
        if (Long.parseLong(name.substring(0, name.length() - 4)) > seg.baseOffset()) {
          Files.delete(f); // segments (and indexes) after the cut, not yet opened by the scan
        }
      }
    }
    Fsync.directory(dir);
    if (position == 0 && segments.size() > 1) {
      segments.remove(seg.baseOffset());
      seg.delete();
    }
    startOffset = segments.firstKey();
    durableEnd = active().nextOffset();
  }

  private static boolean segmentOrIndex(Path p) {
    String name = p.getFileName().toString();
    return name.endsWith(".log") || name.endsWith(".idx");
  }

  private void noteProducer(Segment seg, BatchCodec.Header h) {
    if (h.producerId() >= 0) {
      long[] state = {h.baseSequence() + h.count() - 1L, h.baseOffset(), h.maxTimestamp()};
      producers.put(h.producerId(), state);
      seg.producers().put(h.producerId(), state);
    }
  }

  /**
   * The number of leading records of a batch from {@code producerId} starting at {@code
   * baseSequence} that are already stored (0 if none). Writer thread only.
   */
  int duplicatePrefix(long producerId, int baseSequence, int count) {
    if (producerId < 0) {
      return 0;
    }
    long[] state = producers.get(producerId);
    if (state == null || baseSequence > state[0]) {
      return 0;
    }
    return (int) Math.min(count, state[0] - baseSequence + 1);
  }

  /**
   * After a failed write or fsync the partition's file state is unknown (an fsync error may have
   * dropped dirty pages), so it refuses further appends until the log is reopened and recovered.
   */
  void markFailed(RuntimeException cause) {
    failure = cause;
  }

  void checkWritable() {
    RuntimeException f = failure;
    if (f != null) {
      throw new EventLogException(
          "partition " + tp + " failed earlier and needs the log to be reopened: " + f.getMessage(),
          f);
    }
  }

  /** Whether the active segment must roll before {@code bytes} more are appended. */
  boolean needsRoll(long bytes) {
    Segment a = active();
    return a.size() > 0 && a.size() + bytes > config.segmentBytes();
  }

  /** Rolls to a new active segment (writer thread). */
  void roll() throws IOException {
    Segment current = active();
    current.trim(); // before the next segment exists: only the last segment has a zero tail
    current.force();
    unindexed.removeIf(s -> segments.get(s.baseOffset()) != s || SegmentIndex.tryWrite(s, false));
    if (!SegmentIndex.tryWrite(current, false)) {
      unindexed.add(current); // racy (written in the tick of its last batch): again at next roll
    }
    long base = current.nextOffset();
    segments.put(
        base,
        new Segment(
            Segment.fileFor(dir, base), base, config.indexIntervalBytes(), config.segmentBytes()));
    syncDirectory();
  }

  /** Notes batches just written to the active segment at {@code position} (writer thread). */
  void noteWritten(Segment seg, long position, List<ByteBuffer> batches) {
    long p = position;
    for (ByteBuffer b : batches) {
      BatchCodec.Header h = BatchCodec.readHeader(b);
      seg.noteBatch(p, h);
      noteProducer(seg, h);
      p += h.totalSize();
    }
  }

  /**
   * Makes the records below {@code end} visible (after they are durable; sync lane, in write
   * order). Later groups may already be written beyond it.
   */
  void publish(long end) {
    if (end > durableEnd) {
      durableEnd = end;
    }
  }

  /**
   * Drop-behind (sync lane, after an acknowledgement, outside the acknowledgement lock): frees the
   * page cache of durable bytes more than {@link #CACHED_TAIL_BYTES} behind {@code tailBytes} of
   * {@code tail}, and of rolled segments once the tail has that much or a newer segment followed
   * them. A call for an older tail than one already seen does nothing (the newer call covered it).
   * Returns the bytes it asked the OS to drop.
   */
  long dropBehind(Segment tail, long tailBytes) {
    if (!PageCache.available()) {
      return 0;
    }
    dropLock.lock();
    try {
      long base = tail.baseOffset();
      if (base < dropSeenBase || (base == dropSeenBase && tailBytes <= dropSeenBytes)) {
        return 0;
      }
      dropSeenBase = base;
      dropSeenBytes = tailBytes;
      return dropBehindInOrder(tail, tailBytes);
    } finally {
      dropLock.unlock();
    }
  }

  private long dropBehindInOrder(Segment tail, long tailBytes) {
    Segment s = dropSegment;
    if (s == null) {
      s = tail;
      dropSegment = s;
      dropPosition = 0;
    }
    long dropped = 0;
    while (s != tail) {
      Map.Entry<Long, Segment> next = segments.higherEntry(s.baseOffset());
      boolean justBeforeTail = next != null && next.getValue() == tail;
      if (justBeforeTail && tailBytes < CACHED_TAIL_BYTES) {
        break; // keep the newest rolled segment cached while the tail is small
      }
      long size = s.size();
      if (PageCache.drop(s.file(), dropPosition, size - dropPosition)) {
        dropped += size - dropPosition;
      }
      s = next == null || next.getValue().baseOffset() > tail.baseOffset() ? tail : next.getValue();
      dropSegment = s;
      dropPosition = 0;
    }
    long upTo = tailBytes - CACHED_TAIL_BYTES;
    if (s == tail && upTo - dropPosition >= DROP_CHUNK_BYTES) {
      if (PageCache.drop(tail.file(), dropPosition, upTo - dropPosition)) {
        dropped += upTo - dropPosition;
      }
      dropPosition = upTo;
    }
    droppedBytes.addAndGet(dropped);
    return dropped;
  }

  /** Bytes drop-behind asked the OS to drop from the page cache so far. */
  long droppedBytes() {
    return droppedBytes.get();
  }

  /** The segments, oldest first (tests). */
  List<Segment> segmentsForTest() {
    return List.copyOf(segments.values());
  }

  /** The next offset the writer assigns. */
  long nextOffset() {
    return active().nextOffset();
  }

  /** Reads up to {@code max} durable records from {@code from} (clamped to the log start). */
  List<EventRecord> read(long from, int max) {
    List<EventRecord> out = new ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        readInto(Math.max(from, startOffset), max, out);
        return out;
      } catch (ClosedChannelException e) {
        out.clear(); // retention deleted the segment; retry from the new start
      } catch (Segment.CorruptBatchException e) {
        listener(() -> listener.onCorruption(tp, String.valueOf(e.getMessage()), e.position));
        throw new CorruptLogException("corrupt batch in partition " + tp + ": " + e.getMessage());
      } catch (IOException e) {
        throw new EventLogException("cannot read partition " + tp + ": " + e, e);
      }
    }
    return out;
  }

  private void readInto(long from, int max, List<EventRecord> out) throws IOException {
    long end = durableEnd;
    long offset = from;
    while (offset < end && out.size() < max) {
      Map.Entry<Long, Segment> entry = segments.floorEntry(offset);
      if (entry == null) {
        return;
      }
      Segment seg = entry.getValue();
      long limit = seg.size();
      long position = seg.floorPosition(offset);
      boolean progressed = false;
      while (out.size() < max) {
        ByteBuffer batch = seg.readBatch(position, limit);
        if (batch == null) {
          break;
        }
        BatchCodec.Header h = BatchCodec.readHeader(batch);
        if (h.baseOffset() >= end) {
          return;
        }
        if (h.nextOffset() > offset) {
          BatchCodec.decode(batch, tp.topic(), tp.partition(), offset, max - out.size(), out);
          offset = out.isEmpty() ? h.nextOffset() : out.get(out.size() - 1).offset() + 1;
          progressed = true;
        }
        position += h.totalSize();
      }
      if (!progressed) {
        Long nextBase = segments.higherKey(seg.baseOffset());
        if (nextBase == null) {
          return;
        }
        offset = Math.max(offset, nextBase);
      }
    }
  }

  /** The first offset whose record timestamp is at or after {@code timestampMillis}, or the end. */
  long offsetForTime(long timestampMillis) {
    try {
      for (Segment seg : segments.values()) {
        if (seg.maxTimestamp() < timestampMillis) {
          continue;
        }
        long position = 0;
        long limit = seg.size();
        ByteBuffer batch;
        while ((batch = seg.readBatch(position, limit)) != null) {
          BatchCodec.Header h = BatchCodec.readHeader(batch);
          if (h.baseOffset() >= durableEnd) {
            break;
          }
          if (h.maxTimestamp() >= timestampMillis) {
            List<Long> ts = BatchCodec.timestamps(batch);
            for (int i = 0; i < ts.size(); i++) {
              if (ts.get(i) >= timestampMillis) {
                return h.baseOffset() + i;
              }
            }
          }
          position += h.totalSize();
        }
      }
    } catch (IOException e) {
      throw new EventLogException("cannot search partition " + tp + " by time: " + e, e);
    }
    return durableEnd;
  }

  /** Deletes closed segments beyond the retention limits (writer thread). */
  void enforceRetention(long nowMillis, long retentionMillis, long retentionBytes)
      throws IOException {
    long total = 0;
    for (Segment s : segments.values()) {
      total += s.size();
    }
    while (segments.size() > 1) {
      Segment oldest = segments.firstEntry().getValue();
      boolean expired = retentionMillis > 0 && oldest.maxTimestamp() < nowMillis - retentionMillis;
      boolean oversize = retentionBytes > 0 && total > retentionBytes;
      if (!expired && !oversize) {
        return;
      }
      segments.remove(oldest.baseOffset());
      startOffset = segments.firstKey();
      total -= oldest.size();
      oldest.delete();
      listener(() -> listener.onSegmentDeleted(tp, oldest.file().toString()));
    }
  }

  /**
   * Forgets idempotent producers whose last batch is older than {@code expirationMillis} or was
   * deleted by retention — the latter is exactly the state a reopen would rebuild from the log.
   * Writer thread.
   *
   * @return how many producers were forgotten
   */
  int expireProducers(long nowMillis, long expirationMillis) {
    long start = startOffset;
    int before = producers.size();
    producers
        .values()
        .removeIf(state -> state[1] < start || state[2] < nowMillis - expirationMillis);
    return before - producers.size();
  }

  /** Idempotent producers whose state this partition keeps. */
  int producerCount() {
    return producers.size();
  }

  /**
   * The bytes of the partition's files on disk: {@link #sizeBytes} plus the active segment's
   * preallocated zero tail while it is written (cut at a roll and a clean close).
   */
  long diskBytes() throws IOException {
    long total = 0;
    for (Segment s : segments.values()) {
      total += s.sizeOnDisk();
    }
    return total;
  }

  /** The bytes of the partition's batches (what retention counts). */
  long sizeBytes() {
    long total = 0;
    for (Segment s : segments.values()) {
      total += s.size();
    }
    return total;
  }

  int segmentCount() {
    return segments.size();
  }

  private void syncDirectory() throws IOException {
    Fsync.directory(dir);
  }

  void closeAll() {
    segments.values().forEach(Segment::close);
  }

  private static void listener(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException ignored) {
      // the listener contract says it never throws; if it does, the log carries on
    }
  }
}
