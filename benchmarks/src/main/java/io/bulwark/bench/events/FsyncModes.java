package io.bulwark.bench.events;

import io.bulwark.bench.BenchResult;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bulwark bench events --fsync-modes}: the {@code fdatasync} latency of a small write (1,100
 * bytes, about one 1 KiB record's batch) at 2,000 writes/s, by where the write lands: appended to a
 * growing file (the log before preallocation), inside {@code fallocate}d space (the log's
 * preallocated segment), inside space already written with zeros, and inside a sparse file. The
 * modes run in turn, three rounds, so a busy neighbour hits them all alike. Linux with native
 * access only (fallocate through the FFM API).
 */
final class FsyncModes {
  private static final String[] MODES = {"append", "fallocate", "zeros", "sparse"};
  private static final int WRITE = 1100;
  private static final int SAMPLES = 2000;
  private static final long SPACE = 64L << 20;

  private FsyncModes() {}

  static BenchResult run(Path base, boolean quick, PrintStream out) throws Exception {
    Map<String, Double> metrics = new LinkedHashMap<>();
    int rounds = quick ? 1 : 3;
    Map<String, long[]> all = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (String mode : MODES) {
        long[] s = measure(base.resolve(mode + ".bin"), mode);
        out.printf(
            Locale.ROOT,
            "round %d %-9s fdatasync of %d B at 2000/s: p50 %.0f us, p99 %.0f us, p99.9 %.0f us%n",
            round,
            mode,
            WRITE,
            s[s.length / 2] / 1e3,
            s[(int) (s.length * 0.99)] / 1e3,
            s[(int) (s.length * 0.999)] / 1e3);
        long[] prev = all.getOrDefault(mode, new long[0]);
        long[] merged = Arrays.copyOf(prev, prev.length + s.length);
        System.arraycopy(s, 0, merged, prev.length, s.length);
        all.put(mode, merged);
      }
    }
    Map<String, Double> p99 = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : all.entrySet()) {
      long[] s = e.getValue();
      Arrays.sort(s);
      metrics.put("fsync_" + e.getKey() + "_p50_us", s[s.length / 2] / 1e3);
      metrics.put("fsync_" + e.getKey() + "_p99_us", s[(int) (s.length * 0.99)] / 1e3);
      p99.put(e.getKey(), s[(int) (s.length * 0.99)] / 1e3);
    }
    // the preallocated write's p99 over the appended one's
    double ratio = p99.getOrDefault("fallocate", 0.0) / p99.getOrDefault("append", 1.0);
    return new BenchResult("events", metrics, ratio);
  }

  private static long[] measure(Path file, String mode) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file);
    try {
      switch (mode) {
        case "fallocate" -> fallocate(file, SPACE);
        case "zeros" -> writeZeros(file);
        case "sparse" -> {
          try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(ByteBuffer.allocate(1), SPACE - 1);
            ch.force(true);
          }
        }
        default -> {}
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.force(true);
        ByteBuffer b = ByteBuffer.allocateDirect(WRITE);
        for (int i = 0; i < WRITE; i++) {
          b.put(i, (byte) (i | 1));
        }
        long[] samples = new long[SAMPLES];
        long position = 0;
        long interval = 500_000;
        long start = System.nanoTime();
        for (int i = 0; i < SAMPLES; i++) {
          long due = start + i * interval;
          long now;
          while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(due - now);
          }
          b.clear();
          long t0 = System.nanoTime();
          while (b.hasRemaining()) {
            position += ch.write(b, position);
          }
          ch.force(false);
          samples[i] = System.nanoTime() - t0;
        }
        Arrays.sort(samples);
        return samples;
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static void writeZeros(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      for (long p = 0; p < SPACE; p += 1 << 20) {
        zeros.clear();
        while (zeros.hasRemaining()) {
          ch.write(zeros, p + zeros.position());
        }
      }
      ch.force(true);
    }
  }

  @SuppressWarnings("restricted") // the benchmarks jar runs with native access enabled
  private static void fallocate(Path file, long length) throws IOException {
    Linker linker = Linker.nativeLinker();
    var libc = linker.defaultLookup();
    MethodHandle open =
        linker.downcallHandle(
            libc.find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    MethodHandle fallocate =
        linker.downcallHandle(
            libc.find("fallocate").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG));
    MethodHandle close =
        linker.downcallHandle(
            libc.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    int rc;
    try (Arena arena = Arena.ofConfined()) {
      int fd = (int) open.invokeExact(arena.allocateFrom(file.toString()), 1 /* O_WRONLY */);
      if (fd < 0) {
        throw new IOException("cannot open " + file + " for fallocate");
      }
      rc = (int) fallocate.invokeExact(fd, 0, 0L, length);
      int unused = (int) close.invokeExact(fd);
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("fallocate of " + file + " failed: " + e, e);
    }
    if (rc != 0) {
      throw new IOException("fallocate of " + file + " failed (file system without it?)");
    }
  }
}
