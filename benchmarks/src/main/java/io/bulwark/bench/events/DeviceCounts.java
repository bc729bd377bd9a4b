package io.bulwark.bench.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Completed write and flush requests of the block device holding a directory, from {@code
 * /proc/diskstats} (Linux; zeros elsewhere). Counts of the whole device, so other processes' writes
 * are in them too: compare runs side by side, per group commit.
 */
record DeviceCounts(long writes, long flushes) {
  static DeviceCounts of(Path dir) {
    try {
      Object dev = Files.getAttribute(dir, "unix:dev");
      long d = ((Number) dev).longValue();
      long major = (d >>> 8) & 0xfff;
      long minor = (d & 0xff) | ((d >>> 12) & 0xfff00);
      for (String line : Files.readAllLines(Path.of("/proc/diskstats"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 7 && Long.parseLong(f[0]) == major && Long.parseLong(f[1]) == minor) {
          return new DeviceCounts(Long.parseLong(f[7]), f.length > 18 ? Long.parseLong(f[18]) : 0);
        }
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // not Linux, or no such counters: report zeros
    }
    return new DeviceCounts(0, 0);
  }

  DeviceCounts minus(DeviceCounts before) {
    return new DeviceCounts(writes - before.writes, flushes - before.flushes);
  }
}
