package io.bulwark.events.internal.embedded;

import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The on-disk format of one record batch (all integers big-endian):
 *
 * <pre>
 * int   length          bytes after this field
 * int   crc             CRC32C of every byte after this field
 * byte  magic           1
 * byte  attributes      0
 * long  baseOffset
 * int   count
 * long  firstTimestamp
 * long  maxTimestamp
 * long  producerId      -1 if not idempotent
 * int   baseSequence    -1 if not idempotent
 * count x record: long timestamp, int keyLength (-1 = null), key, int valueLength (-1 = null),
 *                 value, int headerCount, headerCount x (int n, UTF-8 name, int n, UTF-8 value)
 * </pre>
 *
 * A batch is valid only if its length is in range and its CRC matches; a reader never returns
 * records of a batch that is not valid.
 */
final class BatchCodec {
  static final int HEADER_SIZE = 50;
  static final byte MAGIC = 1;
  static final int MAX_BATCH_LENGTH = 64 << 20;
  private static final int CRC_START = 8;

  private BatchCodec() {}

  /** One record waiting to be written; its encoded size is computed once. */
  static final class Entry {
    private final long timestampMillis;
    private final byte @Nullable [] key;
    private final byte @Nullable [] value;
    private final Headers headers;
    private final int encodedSize;

    Entry(long timestampMillis, byte @Nullable [] key, byte @Nullable [] value, Headers headers) {
      this.timestampMillis = timestampMillis;
      this.key = key;
      this.value = value;
      this.headers = headers;
      int size =
          8 + 4 + 4 + 4 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
      if (!headers.isEmpty()) {
        for (Map.Entry<String, String> h : headers.asMap().entrySet()) {
          size += 8 + utf8Length(h.getKey()) + utf8Length(h.getValue());
        }
      }
      this.encodedSize = size;
    }

    long timestampMillis() {
      return timestampMillis;
    }

    byte @Nullable [] key() {
      return key;
    }

    byte @Nullable [] value() {
      return value;
    }

    Headers headers() {
      return headers;
    }

    int encodedSize() {
      return encodedSize;
    }
  }

  /** The fixed header of a batch. */
  record Header(
      int length,
      int crc,
      long baseOffset,
      int count,
      long firstTimestamp,
      long maxTimestamp,
      long producerId,
      int baseSequence) {
    int totalSize() {
      return length + 4;
    }

    long nextOffset() {
      return baseOffset + count;
    }
  }

  /** The encoded size of the batch of {@code entries[from, to)}. */
  static int batchSize(List<Entry> entries, int from, int to) {
    int size = HEADER_SIZE;
    for (int i = from; i < to; i++) {
      size += entries.get(i).encodedSize();
    }
    return size;
  }

  /** Encodes the batch of {@code entries[from, to)} into a new heap buffer. */
  static ByteBuffer encode(
      List<Entry> entries, int from, int to, long baseOffset, long producerId, int baseSequence) {
    ByteBuffer buf = ByteBuffer.allocate(batchSize(entries, from, to));
    return encodeInto(buf, entries, from, to, baseOffset, producerId, baseSequence);
  }

  /**
   * Encodes the batch of {@code entries[from, to)} at {@code dst}'s position (which must have
   * {@link #batchSize} bytes remaining), CRC included, and advances the position past it.
   *
   * @return a view of exactly the encoded batch (position 0 at its first byte)
   */
  static ByteBuffer encodeInto(
      ByteBuffer dst,
      List<Entry> entries,
      int from,
      int to,
      long baseOffset,
      long producerId,
      int baseSequence) {
    int start = dst.position();
    int size = batchSize(entries, from, to);
    long first = entries.get(from).timestampMillis();
    long max = first;
    for (int i = from; i < to; i++) {
      max = Math.max(max, entries.get(i).timestampMillis());
    }
    dst.putInt(size - 4).putInt(0).put(MAGIC).put((byte) 0);
    dst.putLong(baseOffset).putInt(to - from).putLong(first).putLong(max);
    dst.putLong(producerId).putInt(baseSequence);
    for (int i = from; i < to; i++) {
      Entry e = entries.get(i);
      dst.putLong(e.timestampMillis());
      putBytes(dst, e.key());
      putBytes(dst, e.value());
      dst.putInt(e.headers().size());
      if (e.headers().isEmpty()) {
        continue;
      }
      for (Map.Entry<String, String> h : e.headers().asMap().entrySet()) {
        putBytes(dst, h.getKey().getBytes(StandardCharsets.UTF_8));
        putBytes(dst, h.getValue().getBytes(StandardCharsets.UTF_8));
      }
    }
    if (dst.position() != start + size) {
      throw new IllegalStateException(
          "batch encoded to " + (dst.position() - start) + " bytes, expected " + size);
    }
    dst.putInt(start + 4, crc(dst, start + CRC_START, size - CRC_START));
    return dst.slice(start, size);
  }

  /** Reads the header at the buffer's position (which must hold HEADER_SIZE bytes). */
  static Header readHeader(ByteBuffer buf) {
    int p = buf.position();
    return new Header(
        buf.getInt(p),
        buf.getInt(p + 4),
        buf.getLong(p + 10),
        buf.getInt(p + 18),
        buf.getLong(p + 22),
        buf.getLong(p + 30),
        buf.getLong(p + 38),
        buf.getInt(p + 46));
  }

  /** Whether a header's framing is plausible before the body is read. */
  static boolean plausible(Header h, ByteBuffer headerBytes) {
    return h.length() >= HEADER_SIZE - 4
        && h.length() <= MAX_BATCH_LENGTH
        && headerBytes.get(headerBytes.position() + 8) == MAGIC
        && h.count() > 0;
  }

  /** Whether the whole batch in {@code buf} (position..limit) matches its CRC. */
  static boolean crcValid(ByteBuffer buf) {
    int p = buf.position();
    int stored = buf.getInt(p + 4);
    return stored == crc(buf, p + CRC_START, buf.limit() - p - CRC_START);
  }

  /** Decodes the records of a CRC-valid batch, skipping those before {@code fromOffset}. */
  static void decode(
      ByteBuffer batch,
      String topic,
      int partition,
      long fromOffset,
      int max,
      List<EventRecord> out) {
    Header h = readHeader(batch);
    ByteBuffer buf = batch.duplicate().position(batch.position() + HEADER_SIZE);
    for (int i = 0; i < h.count() && max > 0; i++) {
      long timestamp = buf.getLong();
      byte[] key = getBytes(buf);
      byte[] value = getBytes(buf);
      int headerCount = buf.getInt();
      Headers headers = Headers.empty();
      if (headerCount > 0) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int j = 0; j < headerCount; j++) {
          map.put(utf8(getBytes(buf)), utf8(getBytes(buf)));
        }
        headers = Headers.of(map);
      }
      long offset = h.baseOffset() + i;
      if (offset >= fromOffset) {
        out.add(new EventRecord(topic, partition, offset, timestamp, key, value, headers));
        max--;
      }
    }
  }

  /** The timestamps of a CRC-valid batch, in record order. */
  static List<Long> timestamps(ByteBuffer batch) {
    Header h = readHeader(batch);
    List<Long> out = new ArrayList<>(h.count());
    ByteBuffer buf = batch.duplicate().position(batch.position() + HEADER_SIZE);
    for (int i = 0; i < h.count(); i++) {
      out.add(buf.getLong());
      getBytes(buf);
      getBytes(buf);
      int headerCount = buf.getInt();
      for (int j = 0; j < headerCount * 2; j++) {
        getBytes(buf);
      }
    }
    return out;
  }

  private static String utf8(byte @Nullable [] bytes) {
    return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
  }

  private static void putBytes(ByteBuffer buf, byte @Nullable [] bytes) {
    if (bytes == null) {
      buf.putInt(-1);
    } else {
      buf.putInt(bytes.length).put(bytes);
    }
  }

  private static byte @Nullable [] getBytes(ByteBuffer buf) {
    int n = buf.getInt();
    if (n < 0) {
      return null;
    }
    byte[] bytes = new byte[n];
    buf.get(bytes);
    return bytes;
  }

  private static int utf8Length(String s) {
    int n = s.length();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }

  private static int crc(ByteBuffer buf, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(buf.duplicate().limit(offset + length).position(offset));
    return (int) crc.getValue();
  }
}
