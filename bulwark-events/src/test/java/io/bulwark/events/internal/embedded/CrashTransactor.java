package io.bulwark.events.internal.embedded;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.ExactlyOnceProcessor;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicPartition;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Child process of {@link TransactionCrashTest}: opens (and so recovers) the log, then runs an
 * {@link ExactlyOnceProcessor} from {@code in} to the two partitions of {@code out} (each input
 * becomes one output whose value is the input's offset) and prints {@code C <committed offset>}
 * after every acknowledged commit, until the parent kills it with SIGKILL.
 */
public final class CrashTransactor {
  private CrashTransactor() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int batch = Integer.parseInt(args[1]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    EmbeddedEventLog log = EmbeddedEventLog.open(EmbeddedLogConfig.builder(dir).build());
    Consumer consumer = log.consumer(ConsumerConfig.builder("g").maxPollRecords(batch).build());
    consumer.subscribe(List.of("in"));
    Producer producer = log.producer(ProducerConfig.builder().transactionalId("crash-txn").build());
    ExactlyOnceProcessor processor =
        ExactlyOnceProcessor.builder(
                consumer,
                producer,
                r ->
                    List.of(
                        OutgoingRecord.builder("out")
                            .key(r.key())
                            .value(ByteBuffer.allocate(8).putLong(0, r.offset()).array())
                            .build()))
            .build();
    out.println("READY");
    TopicPartition in = new TopicPartition("in", 0);
    while (true) {
      if (processor.processOnce(Duration.ofMillis(50)) > 0) {
        out.println("C " + consumer.committed(in).orElse(0));
      }
    }
  }
}
