package io.bulwark.events.internal.embedded;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Drop-behind for segment files: tells the OS that durable bytes the log wrote will not be needed
 * from memory soon ({@code posix_fadvise(POSIX_FADV_DONTNEED)} on Linux), so the page cache pages
 * they held are freed and reused by the next writes instead of the log filling memory with pages it
 * never rereads while it is written. On a virtual machine a page the guest has not touched for a
 * while costs a host fault when the kernel first copies into it, which made the page-cache copy of
 * {@code write(2)} the writer thread's largest cost (about 2 µs per KiB for fresh pages, 0.3 µs for
 * recycled ones).
 *
 * <p>Best effort and only where it is safe: Linux, and only if this code's module has native access
 * enabled ({@code --enable-native-access=ALL-UNNAMED}, as the {@code bulwark} launcher and the
 * benchmarks jar do); otherwise {@link #drop} does nothing and nothing is printed. Only ranges that
 * are already fsynced are dropped (dropping never loses data: a clean page is reread from the file
 * if a reader needs it), and failures are ignored.
 */
final class PageCache {
  private static final int POSIX_FADV_DONTNEED = 4;

  private static final Libc FADVISE =
      Libc.bind(
          "posix_fadvise",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT),
          true);

  private PageCache() {}

  /** Whether {@link #drop} can act on this platform and JVM. */
  static boolean available() {
    return FADVISE.available();
  }

  /**
   * Drops {@code [offset, offset + length)} of {@code file} from the page cache (best effort; the
   * range must be durable). Returns whether the OS accepted the advice.
   */
  static boolean drop(Path file, long offset, long length) {
    // a file deleted by retention meanwhile does not open: nothing to drop
    return length > 0
        && FADVISE.onFile(
            file,
            Libc.O_RDONLY,
            (fadvise, fd) -> (int) fadvise.invokeExact(fd, offset, length, POSIX_FADV_DONTNEED));
  }
}
