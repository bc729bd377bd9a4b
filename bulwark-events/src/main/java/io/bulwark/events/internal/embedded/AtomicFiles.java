package io.bulwark.events.internal.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Crash-safe whole-file replacement: write a temp file, fsync, rename, fsync the directory. */
final class AtomicFiles {
  private AtomicFiles() {}

  static void write(Path tmp, Path target, byte[] content) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      Fsync.note();
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Fsync.directory(target.toAbsolutePath().getParent());
  }

  static void delete(Path file) throws IOException {
    if (Files.deleteIfExists(file)) {
      Fsync.directory(file.toAbsolutePath().getParent());
    }
  }
}
