package io.bulwark.events.internal.embedded;

import io.bulwark.events.TopicSpec;
import java.nio.file.Path;

/**
 * Child process of {@link KillDuringCloseTest}: appends records {@code from..to} (each
 * acknowledged), prints {@code CLOSING}, closes the log cleanly, prints {@code CLOSED}.
 */
public final class CloseChild {
  private CloseChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int from = Integer.parseInt(args[1]);
    int to = Integer.parseInt(args[2]);
    EmbeddedEventLog log = EmbeddedEventLog.open(LogFixture.config(dir).build());
    log.createTopic(TopicSpec.of("t", 1));
    LogFixture.sendAll(log, "t", from, to);
    System.out.println("CLOSING");
    System.out.flush();
    log.close();
    System.out.println("CLOSED");
    System.out.flush();
  }
}
