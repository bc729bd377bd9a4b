package io.bulwark.events.internal.embedded;

import io.bulwark.events.CorruptLogException;
import io.bulwark.events.Headers;
import io.bulwark.events.TopicPartition;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The commit point of embedded transactions. A commit first writes one journal entry per
 * transactional id (output records with their producer id and sequences, plus the consumed offsets)
 * atomically and durably; only then are the records appended and the offsets committed, and the
 * entry deleted. If the process dies in between, opening the log replays the entry: the idempotent
 * producer state drops records that already landed and the offsets are set again, so output and
 * offsets end up committed together exactly once.
 */
final class TxnJournal {
  private static final int MAGIC = 0x42545831;

  /** One output record of a transaction. */
  record Output(TopicPartition tp, int sequence, BatchCodec.Entry entry) {}

  /** One committed transaction. */
  record Entry(
      String transactionalId,
      long producerId,
      List<Output> outputs,
      Map<String, Map<TopicPartition, Long>> offsets) {}

  private final Path dir;

  TxnJournal(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  private Path fileFor(String transactionalId) {
    return dir.resolve(
        HexFormat.of().formatHex(transactionalId.getBytes(StandardCharsets.UTF_8)) + ".journal");
  }

  void write(Entry entry) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
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
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    Path target = fileFor(entry.transactionalId());
    AtomicFiles.write(
        target.resolveSibling(target.getFileName() + ".tmp"), target, bytes.toByteArray());
  }

  void delete(String transactionalId) throws IOException {
    AtomicFiles.delete(fileFor(transactionalId));
  }

  /** Entries committed but possibly not applied (left by a crash). */
  List<Entry> pending() throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.delete(f); // an unfinished commit: the transaction never committed
        } else if (name.endsWith(".journal")) {
          entries.add(read(f));
        }
      }
    }
    return entries;
  }

  private static Entry read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 12) {
      throw new CorruptLogException("transaction journal " + file + " is truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 8);
    if (crc.getValue() != ByteBuffer.wrap(all, all.length - 8, 8).getLong()) {
      throw new CorruptLogException("transaction journal " + file + " fails its CRC");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all));
    if (in.readInt() != MAGIC) {
      throw new CorruptLogException("transaction journal " + file + " has a bad magic number");
    }
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
    return new Entry(txnId, pid, outputs, offsets);
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
