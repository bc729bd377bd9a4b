package io.bulwark.events.internal.embedded;

import io.bulwark.events.CorruptLogException;
import io.bulwark.events.EventLogException;
import io.bulwark.events.TopicPartition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Committed consumer-group offsets, durable: each commit rewrites the group's file {@code
 * groups/<group>.offsets} as a temporary file, fsyncs it, renames it into place atomically and
 * fsyncs the directory, so a crash leaves either the old or the new offsets, never a mix. The last
 * line holds a CRC32C of the others; a file failing it is reported, not trusted.
 *
 * <p>Offsets committed by transactions are durable in the {@link TxnJournal} first: they are
 * applied here in memory ({@link #applyTransactional}) and written to the group's file at the
 * journal's next checkpoint ({@link #persistDirty}). Every file records the journal LSN it covers
 * (a line {@code lsn<TAB>n}): replaying the journal at open sets a group's offsets only from
 * entries newer than that, so a replay never moves offsets back behind a later commit.
 */
final class OffsetStore {
  private final Path dir;
  private final Map<String, Map<TopicPartition, Long>> groups = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<String, Long> covered = new ConcurrentHashMap<>();
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final LongSupplier appliedThrough;

  /**
   * @param appliedThrough the journal LSN up to which every transaction's offsets are applied here
   */
  OffsetStore(Path dir, LongSupplier appliedThrough) throws IOException {
    this.dir = dir;
    this.appliedThrough = appliedThrough;
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".offsets")).toList()) {
        String name = f.getFileName().toString();
        String group = name.substring(0, name.length() - 8);
        long[] lsn = {0};
        groups.put(group, load(f, lsn));
        covered.put(group, lsn[0]);
      }
    }
  }

  /** The highest journal LSN any offsets file covers. */
  long maxCoveredLsn() {
    long max = 0;
    for (long lsn : covered.values()) {
      max = Math.max(max, lsn);
    }
    return max;
  }

  private static Map<TopicPartition, Long> load(Path file, long[] lsn) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<TopicPartition, Long> offsets = new ConcurrentHashMap<>();
    if (lines.isEmpty()) {
      throw new CorruptLogException("offsets file " + file + " is empty");
    }
    String body = String.join("\n", lines.subList(0, lines.size() - 1));
    String crcLine = lines.get(lines.size() - 1);
    if (!crcLine.equals("crc " + crc(body))) {
      throw new CorruptLogException("offsets file " + file + " fails its CRC; not trusted");
    }
    for (String line : lines.subList(0, lines.size() - 1)) {
      String[] parts = line.split("\t", -1);
      if (parts.length == 2 && parts[0].equals("lsn")) {
        lsn[0] = Long.parseLong(parts[1]);
        continue;
      }
      if (parts.length != 3) {
        throw new CorruptLogException("offsets file " + file + " has a malformed line: " + line);
      }
      offsets.put(
          new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
    }
    return offsets;
  }

  OptionalLong committed(String group, TopicPartition tp) {
    Map<TopicPartition, Long> offsets = groups.get(group);
    Long offset = offsets == null ? null : offsets.get(tp);
    return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
  }

  /** Every group with its committed offsets (a snapshot). */
  Map<String, Map<TopicPartition, Long>> all() {
    Map<String, Map<TopicPartition, Long>> copy = new TreeMap<>();
    groups.forEach((group, offsets) -> copy.put(group, new TreeMap<>(offsets)));
    return copy;
  }

  void commit(String group, Map<TopicPartition, Long> offsets) {
    if (offsets.isEmpty()) {
      return;
    }
    ReentrantLock lock = locks.computeIfAbsent(group, g -> new ReentrantLock());
    lock.lock();
    try {
      long lsn = Math.max(appliedThrough.getAsLong(), covered.getOrDefault(group, 0L));
      Map<TopicPartition, Long> current = new TreeMap<>(groups.getOrDefault(group, Map.of()));
      current.putAll(offsets);
      persist(group, current, lsn);
      groups.put(group, new ConcurrentHashMap<>(current));
      covered.put(group, lsn);
    } catch (IOException e) {
      throw new EventLogException("cannot commit offsets of group " + group + ": " + e, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Applies offsets of a transaction whose journal entry {@code lsn} is durable, in memory only
   * (the next checkpoint writes them); an entry replayed at open that the group's file already
   * covers is skipped ({@code lsn} -1: an entry of the earlier journal format, always applied).
   */
  void applyTransactional(String group, Map<TopicPartition, Long> offsets, long lsn) {
    if (offsets.isEmpty()) {
      return;
    }
    ReentrantLock lock = locks.computeIfAbsent(group, g -> new ReentrantLock());
    lock.lock();
    try {
      if (lsn >= 0 && lsn <= covered.getOrDefault(group, 0L)) {
        return;
      }
      Map<TopicPartition, Long> current =
          groups.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
      current.putAll(offsets);
      dirty.add(group);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes (durably) every group with offsets applied by transactions since the last call, as
   * covering journal LSN {@code lsn}; the journal's checkpoint, with no transaction in flight.
   */
  void persistDirty(long lsn) throws IOException {
    for (String group : List.copyOf(dirty)) {
      ReentrantLock lock = locks.computeIfAbsent(group, g -> new ReentrantLock());
      lock.lock();
      try {
        dirty.remove(group);
        long covers = Math.max(lsn, covered.getOrDefault(group, 0L));
        persist(group, new TreeMap<>(groups.getOrDefault(group, Map.of())), covers);
        covered.put(group, covers);
      } catch (IOException | RuntimeException e) {
        dirty.add(group);
        throw e;
      } finally {
        lock.unlock();
      }
    }
  }

  private void persist(String group, Map<TopicPartition, Long> offsets, long lsn)
      throws IOException {
    StringBuilder body = new StringBuilder();
    if (lsn > 0) {
      body.append("lsn\t").append(lsn);
    }
    offsets.forEach(
        (tp, offset) -> {
          if (!body.isEmpty()) {
            body.append('\n');
          }
          body.append(tp.topic()).append('\t').append(tp.partition()).append('\t').append(offset);
        });
    String text = body + "\ncrc " + crc(body.toString()) + "\n";
    Path target = dir.resolve(group + ".offsets");
    Path tmp = dir.resolve(group + ".offsets.tmp");
    AtomicFiles.write(tmp, target, text.getBytes(StandardCharsets.UTF_8));
  }

  private static long crc(String body) {
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }
}
