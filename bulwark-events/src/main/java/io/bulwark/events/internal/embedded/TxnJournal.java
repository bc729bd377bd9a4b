package io.bulwark.events.internal.embedded;

import io.bulwark.core.time.Clock;
import io.bulwark.events.CorruptLogException;
import io.bulwark.events.Headers;
import io.bulwark.events.TopicPartition;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The commit point of embedded transactions: one append-only file {@code txn/journal} of CRC-framed
 * entries. A commit appends one entry (output records with their producer id and sequences, plus
 * the consumed offsets, under a journal sequence number, the LSN) and fsyncs the file once; commits
 * of concurrent transactions that append while an fsync runs share the next one (group commit).
 * Only then are the records appended to their partitions and the offsets applied.
 *
 * <p>Nothing is deleted per transaction. Offsets applied by transactions are made durable by a
 * <em>checkpoint</em> (every {@value #CHECKPOINT_ENTRIES} entries, {@value #CHECKPOINT_BYTES} bytes
 * or a second after the first entry on the log's clock, when no commit is in flight): each touched
 * group's offsets file is rewritten with the LSN it covers, then the journal is truncated and
 * fsynced. If the process dies before, opening the log replays the entries in LSN order: the
 * idempotent-producer state drops records that already landed, and a group's offsets are set only
 * by entries newer than the LSN its file covers, so output and offsets end up committed together
 * exactly once.
 *
 * <p>A bad frame at the end of the file with no valid frame after it is a torn append (never
 * acknowledged: the acknowledgement follows the fsync) and is cut off; any other bad frame is
 * corruption ({@link CorruptLogException}).
 */
final class TxnJournal {
  private static final int MAGIC = 0x42545832;
  private static final int LEGACY_MAGIC = 0x42545831;
  static final int CHECKPOINT_ENTRIES = 64;
  static final int CHECKPOINT_BYTES = 1 << 20;
  private static final long CHECKPOINT_AGE_NANOS = 1_000_000_000L;

  /** Frame: int payload length, long CRC32C of the payload, payload. */
  private static final int FRAME_HEADER = 12;

  /** One output record of a transaction. */
  record Output(TopicPartition tp, int sequence, BatchCodec.Entry entry) {}

  /** One committed transaction. */
  record Entry(
      String transactionalId,
      long producerId,
      List<Output> outputs,
      Map<String, Map<TopicPartition, Long>> offsets) {}

  /** An entry read back from the journal with its LSN. */
  record Logged(long lsn, Entry entry) {}

  private final Path dir;
  private final Clock clock;
  private final Path file;
  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock syncLock = new ReentrantLock();
  private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
  private @Nullable FileChannel channel;
  private volatile long lastLsn;
  private long position;
  private volatile long written;
  private long synced;
  private int entries;
  private long firstEntryNanos;
  private volatile boolean failed;

  TxnJournal(Path dir, Clock clock) throws IOException {
    this.dir = dir;
    this.clock = clock;
    this.file = dir.resolve("journal");
    Files.createDirectories(dir);
  }

  /**
   * Appends {@code entry} durably (the commit point) and returns its LSN; until {@link #applied} is
   * called with it, the entry counts as in flight.
   */
  long write(Entry entry) throws IOException {
    long lsn;
    long end;
    appendLock.lock();
    try {
      checkUsable();
      lsn = lastLsn + 1;
      ByteBuffer frame = frame(lsn, entry);
      FileChannel ch = channel();
      long start = position;
      try {
        while (frame.hasRemaining()) {
          position += ch.write(frame, position);
        }
      } catch (IOException | RuntimeException e) {
        position = start;
        try {
          ch.truncate(start); // no half frame before the next entry
        } catch (IOException | RuntimeException again) {
          failed = true;
        }
        throw e;
      }
      inFlight.add(lsn); // before lastLsn moves: appliedThrough relies on that order
      lastLsn = lsn;
      if (entries++ == 0) {
        firstEntryNanos = clock.nanoTime();
      }
      end = position;
      written = end;
    } finally {
      appendLock.unlock();
    }
    syncLock.lock();
    try {
      checkUsable();
      if (synced < end) {
        long target = written; // everything written so far is covered by this fsync
        FileChannel ch = channel;
        if (ch == null) {
          throw new IOException("transaction journal closed");
        }
        Fsync.note();
        ch.force(false);
        synced = target;
      }
    } catch (IOException | RuntimeException e) {
      // the entry may or may not be durable; a later fsync must not make it so behind the caller's
      // back (it was told "not committed"), so the journal refuses further commits until reopened
      // (it stays in flight: offsets files never claim to cover it)
      failed = true;
      throw e;
    } finally {
      syncLock.unlock();
    }
    return lsn;
  }

  private void checkUsable() throws IOException {
    if (failed) {
      throw new IOException(
          "the transaction journal failed an earlier write or fsync; reopen the log");
    }
  }

  /** Marks the entry {@code lsn} applied: its records are durable and its offsets applied. */
  void applied(long lsn) {
    inFlight.remove(lsn);
  }

  /**
   * The highest LSN such that every entry up to it has been applied (offsets files written with it
   * are not overridden by replaying those entries).
   */
  long appliedThrough() {
    long last = lastLsn; // read first: an entry up to it is in inFlight unless already applied
    Long first = inFlight.ceiling(Long.MIN_VALUE);
    return first == null ? last : Math.min(last, first - 1);
  }

  /** The highest LSN written or read. */
  long lastLsn() {
    return lastLsn;
  }

  /** Starts LSNs above {@code lsn} (the highest LSN the offsets files cover). */
  void startAfter(long lsn) {
    appendLock.lock();
    try {
      lastLsn = Math.max(lastLsn, lsn);
    } finally {
      appendLock.unlock();
    }
  }

  /** Whether enough has accumulated for a {@link #checkpoint}. */
  boolean checkpointDue() {
    appendLock.lock();
    try {
      return entries > 0
          && (entries >= CHECKPOINT_ENTRIES
              || position >= CHECKPOINT_BYTES
              || clock.nanoTime() - firstEntryNanos >= CHECKPOINT_AGE_NANOS);
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * If no commit is in flight: runs {@code persistOffsets} with the LSN every entry is covered by
   * (it must make every offset applied so far durable), then empties the journal durably. New
   * commits wait meanwhile. With {@code drainNanos} > 0 it first waits up to that long for the
   * commits in flight to finish applying (so that sustained concurrent commits cannot keep the
   * journal from ever being checkpointed); never from the writer thread, which applies them (with 0
   * it does not even wait for the lock). Returns whether it ran.
   */
  boolean checkpoint(LongConsumer persistOffsets, long drainNanos) throws IOException {
    if (drainNanos > 0) {
      appendLock.lock();
    } else if (!appendLock.tryLock()) {
      return false; // another thread is checkpointing or waiting to: never block the writer
    }
    try {
      long deadline = System.nanoTime() + drainNanos;
      while (!inFlight.isEmpty() && drainNanos > 0 && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(50_000); // in-flight commits finish without this lock
      }
      if (!inFlight.isEmpty()) {
        return false;
      }
      if (entries == 0) {
        return true;
      }
      syncLock.lock();
      try {
        persistOffsets.accept(lastLsn);
        FileChannel ch = channel;
        if (ch != null) {
          ch.truncate(0);
          Fsync.note();
          ch.force(false);
        }
        position = 0;
        written = 0;
        synced = 0;
        entries = 0;
        return true;
      } finally {
        syncLock.unlock();
      }
    } finally {
      appendLock.unlock();
    }
  }

  /** Entries in the journal now (tests). */
  int entryCount() {
    appendLock.lock();
    try {
      return entries;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Entries committed but possibly not applied (left by a crash), in LSN order. Cuts a torn last
   * frame; LSNs continue after the highest one read. Called at open, before any commit.
   */
  List<Logged> pending() throws IOException {
    List<Logged> result = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.delete(f); // an unfinished commit of the earlier format: never committed
        } else if (name.endsWith(".journal")) {
          result.add(readLegacy(f)); // one file per transactional id, the earlier format
        }
      }
    }
    if (!Files.exists(file)) {
      return result;
    }
    byte[] all = Files.readAllBytes(file);
    int p = 0;
    while (p < all.length) {
      int len = validFrameAt(all, p);
      if (len < 0) {
        for (int q = p + 1; q + FRAME_HEADER <= all.length; q++) {
          if (validFrameAt(all, q) >= 0) {
            throw new CorruptLogException(
                "transaction journal "
                    + file
                    + " fails its CRC at byte "
                    + p
                    + " (not a torn tail)");
          }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(p); // a torn append: never acknowledged
          Fsync.note();
          ch.force(false);
        }
        break;
      }
      Logged logged = read(ByteBuffer.wrap(all, p + FRAME_HEADER, len).slice(), file, false);
      result.add(logged);
      appendLock.lock();
      try {
        lastLsn = Math.max(lastLsn, logged.lsn());
        inFlight.add(logged.lsn()); // until replayed: no checkpoint may truncate it meanwhile
        entries++;
      } finally {
        appendLock.unlock();
      }
      p += FRAME_HEADER + len;
    }
    return result;
  }

  /** Removes the journal file(s) once their entries are replayed and durable (at open). */
  void deleteFile() throws IOException {
    appendLock.lock();
    try {
      closeChannel();
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          if (f.getFileName().toString().endsWith(".journal")) {
            AtomicFiles.delete(f);
          }
        }
      }
      AtomicFiles.delete(file);
      inFlight.clear();
      position = 0;
      written = 0;
      synced = 0;
      entries = 0;
    } finally {
      appendLock.unlock();
    }
  }

  void close() {
    appendLock.lock();
    try {
      closeChannel();
    } finally {
      appendLock.unlock();
    }
  }

  private void closeChannel() {
    FileChannel ch = channel;
    channel = null;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing written is lost: every acknowledged entry was fsynced
      }
    }
  }

  private FileChannel channel() throws IOException {
    FileChannel ch = channel;
    if (ch == null) {
      boolean existed = Files.exists(file);
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      if (!existed) {
        Fsync.directory(dir); // the new file's directory entry
      }
      position = ch.size();
      channel = ch;
    }
    return ch;
  }

  /** The payload length of a valid frame at {@code p}, or -1. */
  private static int validFrameAt(byte[] all, int p) {
    if (all.length - p < FRAME_HEADER) {
      return -1;
    }
    ByteBuffer b = ByteBuffer.wrap(all);
    int len = b.getInt(p);
    if (len < 8 || len > all.length - p - FRAME_HEADER) {
      return -1;
    }
    CRC32C crc = new CRC32C();
    crc.update(all, p + FRAME_HEADER, len);
    return crc.getValue() == b.getLong(p + 4) ? len : -1;
  }

  private static ByteBuffer frame(long lsn, Entry entry) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    for (int i = 0; i < FRAME_HEADER; i++) {
      out.writeByte(0); // frame header, filled in below
    }
    out.writeInt(MAGIC);
    out.writeLong(lsn);
    out.writeUTF(entry.transactionalId());
    out.writeLong(entry.producerId());
    out.writeInt(entry.outputs().size());
    for (Output o : entry.outputs()) {
      out.writeUTF(o.tp().topic());
      out.writeInt(o.tp().partition());
      out.writeInt(o.sequence());
      out.writeLong(o.entry().timestampMillis());
      writeBytes(out, o.entry().key());
      writeBytes(out, o.entry().value());
      out.writeInt(o.entry().headers().size());
      for (Map.Entry<String, String> h : o.entry().headers().asMap().entrySet()) {
        out.writeUTF(h.getKey());
        out.writeUTF(h.getValue());
      }
    }
    out.writeInt(entry.offsets().size());
    for (Map.Entry<String, Map<TopicPartition, Long>> g : entry.offsets().entrySet()) {
      out.writeUTF(g.getKey());
      out.writeInt(g.getValue().size());
      for (Map.Entry<TopicPartition, Long> o : g.getValue().entrySet()) {
        out.writeUTF(o.getKey().topic());
        out.writeInt(o.getKey().partition());
        out.writeLong(o.getValue());
      }
    }
    out.flush();
    ByteBuffer frame = ByteBuffer.wrap(bytes.toByteArray());
    int len = frame.remaining() - FRAME_HEADER;
    CRC32C crc = new CRC32C();
    crc.update(frame.array(), FRAME_HEADER, len);
    frame.putInt(0, len).putLong(4, crc.getValue());
    return frame;
  }

  /** An entry of the earlier format (a whole file, CRC at its end); LSN -1: always applied. */
  private static Logged readLegacy(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 12) {
      throw new CorruptLogException("transaction journal " + file + " is truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 8);
    if (crc.getValue() != ByteBuffer.wrap(all, all.length - 8, 8).getLong()) {
      throw new CorruptLogException("transaction journal " + file + " fails its CRC");
    }
    return read(ByteBuffer.wrap(all, 0, all.length - 8).slice(), file, true);
  }

  private static Logged read(ByteBuffer payload, Path file, boolean legacy) throws IOException {
    DataInputStream in =
        new DataInputStream(
            new java.io.ByteArrayInputStream(
                payload.array(), payload.arrayOffset(), payload.remaining()));
    if (in.readInt() != (legacy ? LEGACY_MAGIC : MAGIC)) {
      throw new CorruptLogException("transaction journal " + file + " has a bad magic number");
    }
    long lsn = legacy ? -1 : in.readLong();
    String txnId = in.readUTF();
    long pid = in.readLong();
    int n = in.readInt();
    List<Output> outputs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TopicPartition tp = new TopicPartition(in.readUTF(), in.readInt());
      int seq = in.readInt();
      long ts = in.readLong();
      byte[] key = readBytes(in);
      byte[] value = readBytes(in);
      int hn = in.readInt();
      Map<String, String> headers = new LinkedHashMap<>();
      for (int j = 0; j < hn; j++) {
        headers.put(in.readUTF(), in.readUTF());
      }
      outputs.add(new Output(tp, seq, new BatchCodec.Entry(ts, key, value, Headers.of(headers))));
    }
    Map<String, Map<TopicPartition, Long>> offsets = new LinkedHashMap<>();
    int groups = in.readInt();
    for (int i = 0; i < groups; i++) {
      String group = in.readUTF();
      int m = in.readInt();
      Map<TopicPartition, Long> o = new LinkedHashMap<>();
      for (int j = 0; j < m; j++) {
        o.put(new TopicPartition(in.readUTF(), in.readInt()), in.readLong());
      }
      offsets.put(group, o);
    }
    return new Logged(lsn, new Entry(txnId, pid, outputs, offsets));
  }

  private static void writeBytes(DataOutputStream out, byte @Nullable [] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static byte @Nullable [] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
