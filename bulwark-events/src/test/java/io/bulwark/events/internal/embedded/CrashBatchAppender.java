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
 * Child process of {@link AccumulatorCrashTest}: opens (and so recovers) the log, then {@value
 * #PRODUCERS} producers on their own threads send to {@value #PARTITIONS} partitions in runs (so
 * their open batches fill while the writer works) and print {@code A <partition> <offset>
 * <producer> <index>} for each acknowledged record, until the parent kills it with SIGKILL.
 */
public final class CrashBatchAppender {
  static final int PRODUCERS = 3;
  static final int PARTITIONS = 3;

  private CrashBatchAppender() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long firstIndex = Long.parseLong(args[1]);
    EmbeddedEventLog log =
        EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).segmentBytes(64 * 1024).build());
    log.createTopic(TopicSpec.of("crash", PARTITIONS));
    AckPrinter printer = new AckPrinter();
    for (int p = 0; p < PRODUCERS; p++) {
      int producerId = p;
      Thread.ofPlatform()
          .start(
              () -> {
                Random random = new Random(firstIndex + producerId);
                Producer producer =
                    log.producer(ProducerConfig.builder().maxBufferedRecords(300).build());
                int partition = 0;
                for (long index = firstIndex; printer.isAlive(); index++) {
                  if (random.nextInt(20) == 0) {
                    partition = random.nextInt(PARTITIONS);
                  }
                  byte[] payload = new byte[12 + random.nextInt(900)];
                  ByteBuffer.wrap(payload).putInt(producerId).putLong(index);
                  long i = index;
                  var unused =
                      producer
                          .send(
                              OutgoingRecord.builder("crash")
                                  .partition(partition)
                                  .value(payload)
                                  .build())
                          .thenAccept(
                              m ->
                                  printer.add(
                                      "A "
                                          + m.partition()
                                          + " "
                                          + m.offset()
                                          + " "
                                          + producerId
                                          + " "
                                          + i
                                          + "\n"));
                }
              });
    }
    printer.join();
  }
}
