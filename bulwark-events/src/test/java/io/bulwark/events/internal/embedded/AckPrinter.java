package io.bulwark.events.internal.embedded;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The acknowledgement printer of the crash children: a platform thread (never interrupted) that
 * prints {@code READY}, then every queued acknowledgement line, flushing after each batch, until
 * the process is killed or standard output fails.
 */
final class AckPrinter {
  private final LinkedBlockingQueue<String> acks = new LinkedBlockingQueue<>();
  private final Thread thread = Thread.ofPlatform().start(this::print);

  /** Queues one acknowledgement line (ending with a newline). */
  void add(String line) {
    acks.add(line);
  }

  /** Whether the printer still runs (it stops when standard output fails). */
  boolean isAlive() {
    return thread.isAlive();
  }

  void join() throws InterruptedException {
    thread.join();
  }

  private void print() {
    BufferedWriter out =
        new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    try {
      out.write("READY\n");
      out.flush();
      while (true) {
        out.write(acks.take());
        String more;
        while ((more = acks.poll()) != null) {
          out.write(more);
        }
        out.flush();
      }
    } catch (Exception e) {
      // killed
    }
  }
}
