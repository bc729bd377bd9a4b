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
  private static final int O_WRONLY = 1;

  private static final @Nullable MethodHandle OPEN;
  private static final @Nullable MethodHandle FALLOCATE;
  private static final @Nullable MethodHandle CLOSE;

  static {
    @Nullable MethodHandle[] handles = bind();
    OPEN = handles[0];
    FALLOCATE = handles[1];
    CLOSE = handles[2];
  }

  private Preallocation() {}

  /** open, fallocate and close of libc, or nulls where preallocation must stay off. */
  @SuppressWarnings("restricted") // downcalls run only with native access enabled (checked here)
  private static @Nullable MethodHandle[] bind() {
    @Nullable MethodHandle[] none = new MethodHandle[3];
    boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    if (!linux
        || !Preallocation.class.getModule().isNativeAccessEnabled()
        || Boolean.getBoolean("bulwark.events.noPreallocation")) {
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
            libc.find("fallocate").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG)),
        linker.downcallHandle(
            libc.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))
      };
    } catch (RuntimeException | LinkageError e) {
      return none; // no libc symbols: preallocation stays off
    }
  }

  /** Whether {@link #reserve} can act on this platform and JVM. */
  static boolean available() {
    return OPEN != null && FALLOCATE != null && CLOSE != null;
  }

  /**
   * Reserves {@code [offset, offset + length)} of {@code file} (extending its size to the end if
   * shorter). Returns whether the OS did; on false the file may be unchanged or partly reserved.
   */
  static boolean reserve(Path file, long offset, long length) {
    MethodHandle open = OPEN;
    MethodHandle fallocate = FALLOCATE;
    MethodHandle close = CLOSE;
    if (open == null || fallocate == null || close == null || length <= 0) {
      return false;
    }
    try (Arena arena = Arena.ofConfined()) {
      int fd = (int) open.invokeExact(arena.allocateFrom(file.toString()), O_WRONLY);
      if (fd < 0) {
        return false;
      }
      try {
        return (int) fallocate.invokeExact(fd, 0, offset, length) == 0;
      } finally {
        int unused = (int) close.invokeExact(fd);
      }
    } catch (Throwable e) {
      return false; // an optimisation only: the segment grows by appending instead
    }
  }
}
