package io.bulwark.events.internal.embedded;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Preallocation of segment files ({@code fallocate(2)} on Linux, mode 0): reserves the blocks of a
 * range ahead of the write position and sets the file size to its end, so that the appends which
 * follow overwrite space the file already has. A {@code fdatasync} of such an overwrite writes the
 * data and flushes the disk cache; a {@code fdatasync} of an append that grows the file must also
 * write the inode (its new size, its new blocks), one more synchronous I/O on each group commit (on
 * a journaled ext4, a journal commit). The preallocated range reads as zeros until written; {@link
 * PartitionLog} tells such a zero tail from damage at open and trims it at a roll and a clean
 * close.
 *
 * <p>Best effort, like {@link PageCache}: Linux, and only with native access enabled for this
 * code's module; otherwise, or where the file system refuses ({@code EOPNOTSUPP}, a full disk),
 * {@link #reserve} returns false and the segment grows by appending as before.
 */
final class Preallocation {
  private static final Libc FALLOCATE =
      Libc.bind(
          "fallocate",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_LONG),
          !Boolean.getBoolean("bulwark.events.noPreallocation"));

  private Preallocation() {}

  /** Whether {@link #reserve} can act on this platform and JVM. */
  static boolean available() {
    return FALLOCATE.available();
  }

  /**
   * Reserves {@code [offset, offset + length)} of {@code file} (extending its size to the end if
   * shorter). Returns whether the OS did; on false the file may be unchanged or partly reserved.
   */
  static boolean reserve(Path file, long offset, long length) {
    return length > 0
        && FALLOCATE.onFile(
            file,
            Libc.O_WRONLY,
            (fallocate, fd) -> (int) fallocate.invokeExact(fd, 0, offset, length));
  }
}
