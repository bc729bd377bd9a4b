package io.bulwark.bench.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** The physical limits of the disk under the logs: raw sequential write and fsync latency. */
final class DiskProbe {
  record Figures(double seqWriteMBps, double fsyncMedianMicros, double fsyncP99Micros) {}

  private DiskProbe() {}

  static Figures measure(Path dir) throws IOException {
    double mbps = seqWriteMBps(dir);
    Figures fsync = fsyncOnly(dir);
    return new Figures(mbps, fsync.fsyncMedianMicros(), fsync.fsyncP99Micros());
  }

  /** Sequential write of 256 MiB in 1 MiB writes and one fsync at the end, in MiB/s. */
  static double seqWriteMBps(Path dir) throws IOException {
    Path file = dir.resolve("disk-probe.bin");
    ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
    long total = 256L << 20;
    long start = System.nanoTime();
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long written = 0; written < total; written += 1 << 20) {
        chunk.clear();
        while (chunk.hasRemaining()) {
          ch.write(chunk);
        }
      }
      ch.force(false);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Files.deleteIfExists(file);
    return (total >> 20) / seconds;
  }

  /**
   * 1,000 closed-loop 4 KiB appends, each followed by {@code fdatasync}: their p50 and p99 in
   * microseconds ({@code seqWriteMBps} NaN).
   */
  static Figures fsyncOnly(Path dir) throws IOException {
    Path file = dir.resolve("disk-probe.bin");
    long[] samples = new long[1000];
    ByteBuffer small = ByteBuffer.allocateDirect(4096);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int i = 0; i < samples.length; i++) {
        small.clear();
        long t0 = System.nanoTime();
        ch.write(small);
        ch.force(false);
        samples[i] = System.nanoTime() - t0;
      }
    }
    Files.deleteIfExists(file);
    Arrays.sort(samples);
    return new Figures(
        Double.NaN,
        samples[samples.length / 2] / 1e3,
        samples[(int) (samples.length * 0.99)] / 1e3);
  }
}
