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
 * One libc function called on a file by path: {@code open}, the function, {@code close}, bound once
 * through the FFM API. Best effort for the log's hints and reservations ({@link PageCache}, {@link
 * Preallocation}): off (every call answers false) unless on Linux with native access enabled for
 * this code's module and the symbols found.
 */
final class Libc {
  static final int O_RDONLY = 0;
  static final int O_WRONLY = 1;

  /** A call of the bound function on an open descriptor; returns the function's result. */
  interface FdCall {
    int call(MethodHandle function, int fd) throws Throwable;
  }

  private final @Nullable MethodHandle open;
  private final @Nullable MethodHandle function;
  private final @Nullable MethodHandle close;

  private Libc(
      @Nullable MethodHandle open, @Nullable MethodHandle function, @Nullable MethodHandle close) {
    this.open = open;
    this.function = function;
    this.close = close;
  }

  /** Binds {@code name} with {@code descriptor}, or an unbound instance where it must stay off. */
  @SuppressWarnings("restricted") // downcalls run only with native access enabled (checked here)
  static Libc bind(String name, FunctionDescriptor descriptor, boolean enabled) {
    Libc off = new Libc(null, null, null);
    boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    if (!enabled || !linux || !Libc.class.getModule().isNativeAccessEnabled()) {
      return off;
    }
    try {
      Linker linker = Linker.nativeLinker();
      SymbolLookup libc = linker.defaultLookup();
      return new Libc(
          linker.downcallHandle(
              libc.find("open").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)),
          linker.downcallHandle(libc.find(name).orElseThrow(), descriptor),
          linker.downcallHandle(
              libc.find("close").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)));
    } catch (RuntimeException | LinkageError e) {
      return off; // no libc symbols: the caller's feature stays off
    }
  }

  /** Whether {@link #onFile} can act on this platform and JVM. */
  boolean available() {
    return open != null && function != null && close != null;
  }

  /**
   * Opens {@code file} with {@code flags}, runs {@code call} on it and closes it. True when the
   * file opened and the call returned 0; false otherwise, and when unbound (never throws).
   */
  boolean onFile(Path file, int flags, FdCall call) {
    MethodHandle o = open;
    MethodHandle f = function;
    MethodHandle c = close;
    if (o == null || f == null || c == null) {
      return false;
    }
    try (Arena arena = Arena.ofConfined()) {
      int fd = (int) o.invokeExact(arena.allocateFrom(file.toString()), flags);
      if (fd < 0) {
        return false;
      }
      try {
        return call.call(f, fd) == 0;
      } finally {
        int unused = (int) c.invokeExact(fd);
      }
    } catch (Throwable e) {
      return false; // best effort: the log is correct without it
    }
  }
}
