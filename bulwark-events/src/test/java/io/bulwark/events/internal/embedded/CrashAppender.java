package io.bulwark.events.internal.embedded;

import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

/**
 * Child process of {@link CrashRecoveryTest}: opens (and so recovers) the log, then appends records
 * forever and prints {@code A <partition> <offset> <value>} for each acknowledged one, until the
 * parent kills it with SIGKILL.
 */
public final class CrashAppender {
  private CrashAppender() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long firstValue = Long.parseLong(args[1]);
    Random random = new Random(firstValue);
    EmbeddedEventLog log =
        EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).segmentBytes(64 * 1024).build());
    log.createTopic(TopicSpec.of("crash", 2));
    AckPrinter printer = new AckPrinter();
    Producer producer = log.producer(ProducerConfig.builder().maxBufferedRecords(256).build());
    for (long value = firstValue; ; value++) {
      byte[] payload = new byte[8 + random.nextInt(600)];
      ByteBuffer.wrap(payload).putLong(value);
      long v = value;
      var unused =
          producer
              .send(
                  OutgoingRecord.builder("crash")
                      .key(Long.toString(value % 7))
                      .value(payload)
                      .build())
              .thenAccept(
                  m -> printer.add("A " + m.partition() + " " + m.offset() + " " + v + "\n"));
      if (!printer.isAlive()) {
        return;
      }
    }
  }
}
