package io.bulwark.examples.shop.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.outbox.OutboxRelay;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifications service on the shop's embedded event log, fed as the orders outbox relay feeds
 * it (records carrying {@link OutboxRelay#MESSAGE_ID}), including redeliveries.
 */
class NotificationsServiceTest {
  /** Every record has this key: one partition, read in order, so a marker comes after the rest. */
  static final String KEY = "one-partition";

  @TempDir Path dir;
  SharedEventLog.Lease log;
  Producer producer;
  SystemRuntime runtime;
  final HttpClient http = HttpClient.newHttpClient();

  void start() {
    Path events = dir.resolve("event-log");
    log = SharedEventLog.acquire(events);
    producer = log.log().producer(ProducerConfig.defaults());
    runtime =
        SystemRuntime.inProcess(
            SystemModel.builder("n")
                .service(
                    ServiceSpec.builder("notifications", NotificationsService::create)
                        .setting(Settings.EVENT_LOG, events.toString())
                        .build())
                .build(),
            RuntimeOptions.builder(dir).seed(3).basePort(0).build());
    runtime.start();
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.stop();
    }
    if (producer != null) {
      producer.close();
    }
    if (log != null) {
      log.close();
    }
  }

  void publish(String messageId, String orderId) throws Exception {
    String json =
        "{\"orderId\":\"" + orderId + "\",\"items\":[{\"sku\":\"SKU-001\",\"quantity\":2}]}";
    producer
        .send(
            OutgoingRecord.builder(SharedEventLog.ORDERS_TOPIC)
                .key(KEY)
                .value(json.getBytes(StandardCharsets.UTF_8))
                .header(OutboxRelay.MESSAGE_ID, messageId)
                .build())
        .get();
  }

  JsonNode get(String path) throws Exception {
    Endpoint e = runtime.readyEndpoints("notifications").getFirst();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : Json.MAPPER.nullNode();
  }

  /**
   * Waits (at most 30 s) until the marker order's notification is there; the records published
   * before it, in the same partition, were processed before it. The consumer works in the
   * background and signals nothing, so its answer is asked again until the marker shows.
   */
  void awaitNotified(String marker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (get("/notifications/" + marker).isNull()) {
      assertThat(System.nanoTime()).as("notification of " + marker).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void aRedeliveredOrRepublishedEventIsNotifiedOnce() throws Exception {
    start();
    publish("orders-1/1", "o-1");
    publish("orders-1/2", "o-2");
    // the relay republishing after a lost acknowledgement: same message id, new offset
    publish("orders-1/1", "o-1");
    publish("orders-1/1", "o-1");
    publish("orders-1/2", "o-2");
    publish("orders-1/3", "o-3");
    publish("orders-1/4", "o-1x");
    awaitNotified("o-1x");
    JsonNode o1 = get("/notifications/o-1");
    assertThat(o1).hasSize(1);
    assertThat(o1.get(0).path("kind").asText()).isEqualTo(NotificationsService.CONFIRMED);
    assertThat(o1.get(0).path("text").asText()).contains("o-1").contains("2 items");
    assertThat(get("/notifications/o-2")).hasSize(1);
    assertThat(get("/notifications").path("count").asLong()).isEqualTo(4);
  }

  @Test
  void afterARestartTheRecordsReadAgainAreDroppedByTheInbox() throws Exception {
    start();
    publish("m-1", "o-1");
    publish("m-2", "o-2");
    awaitNotified("o-2");
    // a kill loses uncommitted offsets: the restarted instance may read the records again
    runtime.instance("notifications-1").kill();
    runtime.instance("notifications-1").restart();
    publish("m-1", "o-1");
    publish("m-3", "o-3");
    awaitNotified("o-3");
    assertThat(get("/notifications/o-1")).hasSize(1);
    assertThat(get("/notifications").path("count").asLong()).isEqualTo(3);
  }

  @Test
  void anEventThatNamesNoOrderIsSkippedAndTheNextOneStillArrives() throws Exception {
    start();
    producer
        .send(
            OutgoingRecord.builder(SharedEventLog.ORDERS_TOPIC)
                .key(KEY)
                .value("not json".getBytes(StandardCharsets.UTF_8))
                .header(OutboxRelay.MESSAGE_ID, "bad-1")
                .build())
        .get();
    publish("m-9", "o-9");
    awaitNotified("o-9");
    assertThat(get("/notifications").path("count").asLong()).isEqualTo(1);
  }
}
