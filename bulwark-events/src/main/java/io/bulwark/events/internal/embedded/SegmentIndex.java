package io.bulwark.events.internal.embedded;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The persisted state of one segment, {@code <base>.idx} beside {@code <base>.log}: what a scan of
 * the segment would rebuild (sparse index, size, next offset, max timestamp, last batch per
 * idempotent producer) plus the segment file's identity when it was written, so that open can trust
 * it instead of scanning. All integers big-endian:
 *
 * <pre>
 * int  magic 0x42494458 ("BIDX"), int version 1, long baseOffset
 * long size, long nextOffset, long maxTimestamp, long lastBatchPosition (-1 if empty),
 * long bytesSinceIndex
 * long ctimeNanos, long mtimeNanos, long inode, long device     the segment file's stamp
 * int  n, n x (long offset, long position)                        sparse index
 * int  p, p x (long producerId, long lastSequence, long baseOffset, long maxTimestamp)
 * int  crc                                                        CRC32C of every byte before it
 * </pre>
 *
 * <p>Design notes: the file vouches only for the exact segment file it describes. {@link #read}
 * accepts it only if its CRC matches, it names this segment's base offset, and the segment's
 * current size, change time (ctime: a write or a restored mtime moves it), modification time and
 * inode equal the recorded ones; anything else means "scan". A change made to the segment within
 * the same file-system timestamp tick as the index was written would keep its ctime, so the index
 * also counts only if the recorded ctime is strictly older than the index file's own ctime (the
 * "racy clean" rule of Git's index): a writer that finds its index racy writes it again later
 * ({@link #writeSettled} waits for the tick at close). The file is written to {@code .idx.tmp} and
 * renamed, without fsync: it is a cache, never the only copy of anything. Lost, torn or stale, it
 * fails one of the checks and the segment is scanned as before. It is a guard against accidents
 * (crash, truncation, a copied or edited file), not against someone forging a CRC-valid index.
 */
final class SegmentIndex {
  private static final System.Logger LOG = System.getLogger(SegmentIndex.class.getName());
  private static final int MAGIC = 0x42494458;
  private static final int VERSION = 1;
  private static final int FIXED_BYTES = 4 + 4 + 8 + 5 * 8 + 4 * 8 + 4 + 4 + 4;
  private static final int SETTLE_ATTEMPTS = 200;

  private SegmentIndex() {}

  /** The identity of a file: size, change and modification time, inode and device. */
  record Stamp(long size, long ctimeNanos, long mtimeNanos, long inode, long device) {
    static Stamp of(Path file) throws IOException {
      try {
        Map<String, Object> a =
            Files.readAttributes(file, "unix:size,ctime,lastModifiedTime,ino,dev");
        return new Stamp(
            number(a, "size"),
            nanos((FileTime) Objects.requireNonNull(a.get("ctime"))),
            nanos((FileTime) Objects.requireNonNull(a.get("lastModifiedTime"))),
            number(a, "ino"),
            number(a, "dev"));
      } catch (UnsupportedOperationException e) {
        // no unix view (Windows): size and modification time only
        return new Stamp(Files.size(file), 0, nanos(Files.getLastModifiedTime(file)), 0, 0);
      }
    }

    private static long number(Map<String, Object> attributes, String name) {
      return ((Number) Objects.requireNonNull(attributes.get(name))).longValue();
    }

    private static long nanos(FileTime t) {
      return t.to(TimeUnit.NANOSECONDS);
    }
  }

  static Path fileFor(Path segmentFile) {
    String name = segmentFile.getFileName().toString();
    return segmentFile.resolveSibling(name.substring(0, name.length() - 4) + ".idx");
  }

  /**
   * Writes the index of {@code seg} (whose data must already be durable: the index vouches for it).
   * Writer thread or open. Returns whether the written index will be trusted at open, i.e. is not
   * racy.
   */
  static boolean write(Segment seg) throws IOException {
    Stamp stamp = Stamp.of(seg.file());
    Path tmp = tmpFor(seg);
    byte[] content = encode(seg, stamp);
    writeFile(tmp, content);
    boolean settled = Stamp.of(tmp).ctimeNanos() > stamp.ctimeNanos();
    Files.move(tmp, fileFor(seg.file()), StandardCopyOption.ATOMIC_MOVE);
    return settled;
  }

  /**
   * Like {@link #write} but waits (briefly: one file-system timestamp tick, a few ms) until the
   * index is not racy, so that the next open trusts it. Used at a clean close.
   */
  static boolean writeSettled(Segment seg) throws IOException {
    Stamp stamp = Stamp.of(seg.file());
    Path tmp = tmpFor(seg);
    byte[] content = encode(seg, stamp);
    boolean settled = false;
    for (int i = 0; i < SETTLE_ATTEMPTS && !settled; i++) {
      if (i > 0) {
        LockSupport.parkNanos(500_000);
      }
      writeFile(tmp, content);
      settled = Stamp.of(tmp).ctimeNanos() > stamp.ctimeNanos();
    }
    Files.move(tmp, fileFor(seg.file()), StandardCopyOption.ATOMIC_MOVE);
    return settled;
  }

  /** {@link #write} that logs and returns false instead of throwing: an index is optional. */
  static boolean tryWrite(Segment seg, boolean settle) {
    try {
      return settle ? writeSettled(seg) : write(seg);
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot write the index of {0} ({1}); the next open scans it",
          seg.file(),
          e.toString());
      try {
        Files.deleteIfExists(tmpFor(seg));
      } catch (IOException ignored) {
        // a stale .tmp is removed at the next open
      }
      return false;
    }
  }

  static void delete(Segment seg) throws IOException {
    Files.deleteIfExists(fileFor(seg.file()));
    Files.deleteIfExists(tmpFor(seg));
  }

  private static Path tmpFor(Segment seg) {
    return fileFor(seg.file()).resolveSibling(fileFor(seg.file()).getFileName() + ".tmp");
  }

  private static void writeFile(Path file, byte[] content) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  private static byte[] encode(Segment seg, Stamp stamp) {
    int n = seg.indexSize();
    Map<Long, long[]> producers = seg.producers();
    ByteBuffer buf = ByteBuffer.allocate(FIXED_BYTES + n * 16 + producers.size() * 32);
    buf.putInt(MAGIC).putInt(VERSION).putLong(seg.baseOffset());
    buf.putLong(seg.size()).putLong(seg.nextOffset()).putLong(seg.maxTimestamp());
    buf.putLong(seg.lastBatchPosition()).putLong(seg.bytesSinceIndex());
    buf.putLong(stamp.ctimeNanos()).putLong(stamp.mtimeNanos());
    buf.putLong(stamp.inode()).putLong(stamp.device());
    buf.putInt(n);
    for (int i = 0; i < n; i++) {
      buf.putLong(seg.indexOffset(i)).putLong(seg.indexPosition(i));
    }
    buf.putInt(producers.size());
    for (Map.Entry<Long, long[]> p : producers.entrySet()) {
      long[] s = p.getValue();
      buf.putLong(p.getKey()).putLong(s[0]).putLong(s[1]).putLong(s[2]);
    }
    buf.putInt(crc(buf.array(), buf.position()));
    return buf.array();
  }

  /**
   * The index of {@code seg} if it exists and vouches for the segment file as it is now (see the
   * class notes), else null. Does not read the segment; the caller checks its first and last batch.
   */
  static @Nullable Snapshot read(Segment seg) {
    Path file = fileFor(seg.file());
    try {
      if (!Files.isRegularFile(file)) {
        return null;
      }
      Stamp own = Stamp.of(file);
      if (own.size() < FIXED_BYTES || own.size() > Integer.MAX_VALUE) {
        return null;
      }
      byte[] bytes = Files.readAllBytes(file);
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      if (bytes.length != own.size()
          || crc(bytes, bytes.length - 4) != buf.getInt(bytes.length - 4)) {
        return null;
      }
      Snapshot s = decode(buf.limit(bytes.length - 4), seg.baseOffset());
      Stamp now = Stamp.of(seg.file());
      boolean same =
          s != null
              && s.stamp.equals(now)
              && s.size == now.size()
              && s.stamp.ctimeNanos() < own.ctimeNanos();
      return same ? s : null;
    } catch (IOException | RuntimeException e) {
      return null; // unreadable or malformed: scan the segment
    }
  }

  private static @Nullable Snapshot decode(ByteBuffer buf, long baseOffset) {
    try {
      if (buf.getInt() != MAGIC || buf.getInt() != VERSION || buf.getLong() != baseOffset) {
        return null;
      }
      Snapshot s = new Snapshot();
      s.size = buf.getLong();
      s.nextOffset = buf.getLong();
      s.maxTimestamp = buf.getLong();
      s.lastBatchPosition = buf.getLong();
      s.bytesSinceIndex = buf.getLong();
      long ctime = buf.getLong();
      long mtime = buf.getLong();
      s.stamp = new Stamp(s.size, ctime, mtime, buf.getLong(), buf.getLong());
      int n = buf.getInt();
      if (n < 0 || n > buf.remaining() / 16) {
        return null;
      }
      s.offsets = new long[Math.max(n, 16)];
      s.positions = new long[Math.max(n, 16)];
      s.indexSize = n;
      for (int i = 0; i < n; i++) {
        s.offsets[i] = buf.getLong();
        s.positions[i] = buf.getLong();
        boolean ordered =
            i == 0
                ? s.offsets[0] == baseOffset && s.positions[0] == 0
                : s.offsets[i] > s.offsets[i - 1] && s.positions[i] > s.positions[i - 1];
        if (!ordered || s.offsets[i] >= s.nextOffset || s.positions[i] >= s.size) {
          return null;
        }
      }
      int p = buf.getInt();
      if (p < 0 || p != buf.remaining() / 32 || buf.remaining() % 32 != 0) {
        return null;
      }
      for (int i = 0; i < p; i++) {
        long id = buf.getLong();
        s.producers.put(id, new long[] {buf.getLong(), buf.getLong(), buf.getLong()});
      }
      boolean empty = s.size == 0;
      boolean consistent =
          empty
              ? n == 0 && s.nextOffset == baseOffset && s.lastBatchPosition == -1
              : n > 0
                  && s.nextOffset > baseOffset
                  && s.lastBatchPosition >= s.positions[n - 1]
                  && s.lastBatchPosition < s.size;
      return consistent ? s : null;
    } catch (BufferUnderflowException e) {
      return null;
    }
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  /** A decoded index: the state a scan of the segment would have rebuilt. */
  static final class Snapshot {
    long size;
    long nextOffset;
    long maxTimestamp;
    long lastBatchPosition;
    long bytesSinceIndex;
    long[] offsets = new long[0];
    long[] positions = new long[0];
    int indexSize;
    Stamp stamp = new Stamp(0, 0, 0, 0, 0);
    final Map<Long, long[]> producers = new HashMap<>();
  }
}
