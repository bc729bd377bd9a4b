package io.bulwark.events.internal.embedded;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

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
  private static final int O_RDONLY = 0;
  private static final int POSIX_FADV_DONTNEED = 4;

  private static final @Nullable MethodHandle OPEN;
  private static final @Nullable MethodHandle FADVISE;
  private static final @Nullable MethodHandle CLOSE;

  static {
    @Nullable MethodHandle[] handles = bind();
    OPEN = handles[0];
    FADVISE = handles[1];
    CLOSE = handles[2];
  }

  /** open, posix_fadvise and close of libc, or nulls where drop-behind must stay off. */
  @SuppressWarnings("restricted") // downcalls run only with native access enabled (checked here)
  private static @Nullable MethodHandle[] bind() {
    @Nullable MethodHandle[] none = new MethodHandle[3];
    boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    if (!linux || !PageCache.class.getModule().isNativeAccessEnabled()) {
      return none;
    }
    try {
      Linker linker = Linker.nativeLinker();
      SymbolLookup libc = linker.defaultLookup();
      return new MethodHandle[] {
        linker.downcallHandle(
            libc.find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)),
        linker.downcallHandle(
            libc.find("posix_fadvise").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT)),
        linker.downcallHandle(
            libc.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))
      };
    } catch (RuntimeException | LinkageError e) {
      return none; // no libc symbols: drop-behind stays off
    }
  }

  private PageCache() {}

  /** Whether {@link #drop} can act on this platform and JVM. */
  static boolean available() {
    return OPEN != null && FADVISE != null && CLOSE != null;
  }

  /**
   * Drops {@code [offset, offset + length)} of {@code file} from the page cache (best effort; the
   * range must be durable). Returns whether the OS accepted the advice.
   */
  static boolean drop(Path file, long offset, long length) {
    MethodHandle open = OPEN;
    MethodHandle fadvise = FADVISE;
    MethodHandle close = CLOSE;
    if (open == null || fadvise == null || close == null || length <= 0) {
      return false;
    }
    try (Arena arena = Arena.ofConfined()) {
      int fd = (int) open.invokeExact(arena.allocateFrom(file.toString()), O_RDONLY);
      if (fd < 0) {
        return false; // deleted by retention meanwhile: nothing to drop
      }
      try {
        return (int) fadvise.invokeExact(fd, offset, length, POSIX_FADV_DONTNEED) == 0;
      } finally {
        int unused = (int) close.invokeExact(fd);
      }
    } catch (Throwable e) {
      return false; // advice only: the log is correct without it
    }
  }
}
