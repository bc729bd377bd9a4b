package io.bulwark.events.internal.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One file of a partition: batches starting at {@link #baseOffset()}, named {@code <20-digit base
 * offset>.log}, with an in-memory sparse offset index (one entry per {@code indexIntervalBytes})
 * rebuilt when the segment is scanned at open, or restored from its {@link SegmentIndex} file.
 *
 * <p>Appends come from the single writer thread; reads are positional and concurrent. {@link
 * #size()} (the durable size) and {@link #nextOffset()} are published after each durable append.
 */
final class Segment {
  private final Path file;
  private final long baseOffset;
  private final FileChannel channel;
  private final int indexIntervalBytes;

  /**
   * Preallocation ({@link Preallocation}): the file is reserved up to {@value #PREALLOCATE_BYTES}
   * ahead of the write position, never beyond {@code preallocateLimit} (the segment size, where it
   * rolls) unless a single write needs it.
   */
  static final long PREALLOCATE_BYTES = 8L << 20;

  /**
   * Segments smaller than this are not preallocated: each roll trims the segment it leaves (a
   * truncate and an fsync), which for a few KiB per segment costs more than it saves.
   */
  static final long PREALLOCATE_MIN_SEGMENT_BYTES = 64L << 10;

  private final long preallocateLimit;

  /** Whether the writer still preallocates this segment (off after the OS refused once). */
  private boolean preallocating;

  /** The file's length as the writer left it (data plus a reserved zero tail); -1: unknown. */
  private long allocated = -1;

  /**
   * One descriptor per sync lane ({@link GroupSyncer}), opened by the writer before its first write
   * to this segment, so each lane's fsync reports every write-back error of the pages it waited on.
   */
  private volatile FileChannel @Nullable [] lanes;

  private long[] indexOffsets = new long[16];
  private long[] indexPositions = new long[16];
  private volatile int indexSize;
  private long bytesSinceIndex;

  private volatile long size;
  private volatile long nextOffset;
  private volatile long maxTimestamp = -1;
  private long lastBatchPosition = -1;

  /** Last batch per idempotent producer id in this segment (writer thread and open only). */
  private final Map<Long, long[]> producers = new HashMap<>();

  Segment(Path file, long baseOffset, int indexIntervalBytes) throws IOException {
    this(file, baseOffset, indexIntervalBytes, 0);
  }

  /**
   * A segment whose writes reserve the file ahead of them up to {@code preallocateLimit} bytes (0:
   * no preallocation).
   */
  Segment(Path file, long baseOffset, int indexIntervalBytes, long preallocateLimit)
      throws IOException {
    this.file = file;
    this.baseOffset = baseOffset;
    this.indexIntervalBytes = indexIntervalBytes;
    this.preallocateLimit = preallocateLimit;
    this.preallocating =
        preallocateLimit >= PREALLOCATE_MIN_SEGMENT_BYTES && Preallocation.available();
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    this.nextOffset = baseOffset;
  }

  static Path fileFor(Path dir, long baseOffset) {
    return dir.resolve(String.format("%020d.log", baseOffset));
  }

  Path file() {
    return file;
  }

  long baseOffset() {
    return baseOffset;
  }

  long nextOffset() {
    return nextOffset;
  }

  long size() {
    return size;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  FileChannel channel() {
    return channel;
  }

  /** Records a batch that is already in the file at {@code position} (writer thread or scan). */
  void noteBatch(long position, BatchCodec.Header h) {
    if (indexSize == 0 || bytesSinceIndex >= indexIntervalBytes) {
      addIndex(h.baseOffset(), position);
      bytesSinceIndex = 0;
    }
    bytesSinceIndex += h.totalSize();
    maxTimestamp = Math.max(maxTimestamp, h.maxTimestamp());
    lastBatchPosition = position;
    size = position + h.totalSize();
    nextOffset = h.nextOffset();
  }

  private void addIndex(long offset, long position) {
    int n = indexSize;
    if (n == indexOffsets.length) {
      indexOffsets = Arrays.copyOf(indexOffsets, n * 2);
      indexPositions = Arrays.copyOf(indexPositions, n * 2);
    }
    indexOffsets[n] = offset;
    indexPositions[n] = position;
    indexSize = n + 1;
  }

  /** Restores the state a scan would rebuild from a trusted index file (at open). */
  void restore(SegmentIndex.Snapshot s) {
    indexOffsets = s.offsets;
    indexPositions = s.positions;
    indexSize = s.indexSize;
    bytesSinceIndex = s.bytesSinceIndex;
    lastBatchPosition = s.lastBatchPosition;
    maxTimestamp = s.maxTimestamp;
    producers.putAll(s.producers);
    size = s.size;
    nextOffset = s.nextOffset;
  }

  Map<Long, long[]> producers() {
    return producers;
  }

  int indexSize() {
    return indexSize;
  }

  long indexOffset(int i) {
    return indexOffsets[i];
  }

  long indexPosition(int i) {
    return indexPositions[i];
  }

  long bytesSinceIndex() {
    return bytesSinceIndex;
  }

  /** The position of the last batch, -1 if the segment is empty. */
  long lastBatchPosition() {
    return lastBatchPosition;
  }

  /** The file position of the last indexed batch starting at or before {@code offset}. */
  long floorPosition(long offset) {
    int n = indexSize;
    long[] offsets = indexOffsets;
    long[] positions = indexPositions;
    int lo = 0;
    int hi = n - 1;
    long best = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (offsets[mid] <= offset) {
        best = positions[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  }

  /** Writes {@code buffers} at the end of the file; the caller then forces and notes them. */
  void write(ByteBuffer[] buffers, long position) throws IOException {
    if (lanes == null) {
      openLanes();
    }
    long remaining = 0;
    for (ByteBuffer b : buffers) {
      remaining += b.remaining();
    }
    if (preallocating) {
      reserve(position + remaining);
    }
    channel.position(position);
    while (remaining > 0) {
      remaining -= channel.write(buffers);
    }
  }

  /**
   * Reserves the file up to {@value #PREALLOCATE_BYTES} past {@code end} (capped at the segment
   * size unless {@code end} is beyond it) if it does not already reach {@code end} (writer thread).
   */
  private void reserve(long end) throws IOException {
    long have = allocated < 0 ? channel.size() : allocated;
    if (end <= have) {
      allocated = have;
      return;
    }
    long target = Math.max(end, Math.min(end + PREALLOCATE_BYTES, preallocateLimit));
    if (Preallocation.reserve(file, have, target - have)) {
      allocated = target;
    } else {
      preallocating = false; // not supported here, or the disk is full: append as before
      allocated = -1;
    }
  }

  /** The file's length on disk: the data, plus the reserved zero tail while it is written. */
  long sizeOnDisk() throws IOException {
    return channel.size();
  }

  /**
   * Cuts the reserved zero tail after the data, if any, and makes the new length durable (writer
   * thread, at a roll or a clean close, or at open): a segment that is not written any more holds
   * exactly its batches.
   */
  void trim() throws IOException {
    long s = size;
    if (channel.size() > s) {
      channel.truncate(s);
      Fsync.note();
      channel.force(true);
    }
    allocated = -1;
  }

  /** Whether every byte of the file from {@code from} to {@code limit} is zero (at open). */
  boolean zeroFrom(long from, long limit) throws IOException {
    long window = 1L << 26;
    for (long start = from; start < limit; start += window) {
      long mapped = Math.min(limit - start, window);
      ByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, start, mapped);
      int q = 0;
      for (; q + Long.BYTES <= mapped; q += Long.BYTES) {
        if (map.getLong(q) != 0) {
          return false;
        }
      }
      for (; q < mapped; q++) {
        if (map.get(q) != 0) {
          return false;
        }
      }
    }
    return true;
  }

  void force() throws IOException {
    Fsync.note();
    channel.force(false);
  }

  /**
   * Fsyncs the file's data through sync lane {@code lane}'s own descriptor (the writer's if this
   * process never wrote to the segment).
   */
  void force(int lane) throws IOException {
    FileChannel[] l = lanes;
    Fsync.note();
    (l == null ? channel : l[lane]).force(false);
  }

  private void openLanes() throws IOException {
    FileChannel[] l = new FileChannel[GroupSyncer.LANES];
    try {
      for (int i = 0; i < l.length; i++) {
        l[i] = FileChannel.open(file, StandardOpenOption.READ);
      }
    } catch (IOException e) {
      closeAll(l);
      throw e;
    }
    lanes = l;
  }

  private static void closeAll(@Nullable FileChannel[] channels) {
    for (FileChannel c : channels) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException ignored) {
          // read-only descriptor: nothing to lose
        }
      }
    }
  }

  /**
   * Reads the batch at {@code position}, or null at the end of the durable data. Throws {@link
   * CorruptBatchException} if the batch is torn or fails its CRC.
   */
  @Nullable ByteBuffer readBatch(long position, long limit) throws IOException {
    if (position + BatchCodec.HEADER_SIZE > limit) {
      if (position < limit) {
        throw new CorruptBatchException(file, position, "truncated header");
      }
      return null;
    }
    ByteBuffer head = ByteBuffer.allocate(BatchCodec.HEADER_SIZE);
    readFully(head, position);
    head.flip();
    BatchCodec.Header h = BatchCodec.readHeader(head);
    if (!BatchCodec.plausible(h, head)) {
      throw new CorruptBatchException(file, position, "bad batch header " + h);
    }
    if (position + h.totalSize() > limit) {
      throw new CorruptBatchException(file, position, "batch runs past the end of the data");
    }
    ByteBuffer batch = ByteBuffer.allocate(h.totalSize());
    batch.put(head);
    readFully(batch, position + BatchCodec.HEADER_SIZE);
    batch.flip();
    if (!BatchCodec.crcValid(batch)) {
      throw new CorruptBatchException(file, position, "CRC mismatch");
    }
    return batch;
  }

  /**
   * Whether a valid batch (plausible header, CRC match, base offset in {@code [minOffset, minOffset
   * + distance]}) starts anywhere in {@code (from, limit)}. Used at open after a bad batch at
   * {@code from}: every byte position is tried, so a damaged length field cannot hide the batches
   * after it.
   */
  boolean hasValidBatchAfter(long from, long limit, long minOffset) throws IOException {
    long window = 1L << 30;
    for (long start = from + 1; start + BatchCodec.HEADER_SIZE <= limit; start += window) {
      long mapped = Math.min(limit - start, window + BatchCodec.HEADER_SIZE);
      ByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, start, mapped);
      for (int q = 0; q < window && q + BatchCodec.HEADER_SIZE <= mapped; q++) {
        if (map.get(q + 8) != BatchCodec.MAGIC) {
          continue;
        }
        BatchCodec.Header h = BatchCodec.readHeader(map.duplicate().position(q));
        long position = start + q;
        if (BatchCodec.plausible(h, map.duplicate().position(q))
            && h.baseOffset() >= minOffset
            && h.baseOffset() - minOffset <= position - from
            && position + h.totalSize() <= limit
            && isValidBatch(position, limit)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean isValidBatch(long position, long limit) throws IOException {
    try {
      return readBatch(position, limit) != null;
    } catch (CorruptBatchException e) {
      return false;
    }
  }

  private void readFully(ByteBuffer buf, long position) throws IOException {
    long p = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, p);
      if (n < 0) {
        throw new CorruptBatchException(file, position, "unexpected end of file");
      }
      p += n;
    }
  }

  void truncate(long newSize) throws IOException {
    allocated = -1; // cuts the reserved tail too; the next write reserves again
    channel.truncate(newSize);
    Fsync.note();
    channel.force(true);
    size = newSize;
  }

  void close() {
    FileChannel[] l = lanes;
    if (l != null) {
      closeAll(l);
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a read/write channel only fails if the OS does; nothing left to do
    }
  }

  void delete() throws IOException {
    close();
    SegmentIndex.delete(this); // first: an index never outlives its segment
    Files.deleteIfExists(file);
  }

  /** A batch that is torn or fails its CRC at a known position. */
  static final class CorruptBatchException extends IOException {
    private static final long serialVersionUID = 1L;
    final long position;

    CorruptBatchException(Path file, long position, String why) {
      super(file + " at byte " + position + ": " + why);
      this.position = position;
    }
  }
}
