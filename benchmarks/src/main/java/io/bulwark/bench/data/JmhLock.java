package io.bulwark.bench.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The machine-wide JMH lock ({@code $TMPDIR/jmh.lock}, the file JMH itself locks), held by the
 * suite for its whole run so that no other JMH run interleaves with its paired rounds.
 */
final class JmhLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private JmhLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Waits (up to 30 minutes) for other JMH runs on this machine to finish, then holds the lock. */
  static JmhLock acquire(PrintStream out) throws IOException, InterruptedException {
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
    boolean told = false;
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        // this JVM holds the lock; the JMH runners it starts must not wait for it
        System.setProperty("jmh.ignoreLock", "true");
        return new JmhLock(channel, lock);
      }
      if (System.nanoTime() > deadline) {
        channel.close();
        throw new IllegalStateException("another JMH run held " + file + " for 30 minutes");
      }
      if (!told) {
        out.println("waiting for another JMH run on this machine to finish...");
        told = true;
      }
      Thread.sleep(2_000);
    }
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
