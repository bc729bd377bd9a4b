package io.bulwark.events.testing;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.KafkaLogConfig;
import java.time.Duration;
import java.util.List;

/**
 * Child process for the consumer-death test: joins the group, reads {@code count} records without
 * committing, prints {@code GOT <count>} and keeps polling (alive, heartbeating) until killed.
 */
public final class ConsumerChild {
  private ConsumerChild() {}

  public static void main(String[] args) {
    String bootstrap = args[0];
    String topic = args[1];
    String group = args[2];
    int count = Integer.parseInt(args[3]);
    EventLog log = EventLogs.kafka(KafkaLogConfig.builder(bootstrap).build());
    Consumer c =
        log.consumer(ConsumerConfig.builder(group).sessionTimeout(Duration.ofSeconds(2)).build());
    c.subscribe(List.of(topic));
    int got = 0;
    while (true) {
      got += c.poll(Duration.ofMillis(100)).size();
      if (got >= count) {
        System.out.println("GOT " + got);
        System.out.flush();
        count = Integer.MAX_VALUE;
      }
    }
  }
}
