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
    double mbps = (total >> 20) / seconds;
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
        mbps, samples[samples.length / 2] / 1e3, samples[(int) (samples.length * 0.99)] / 1e3);
  }
}
