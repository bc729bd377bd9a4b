package io.bulwark.examples.shop;

import static io.bulwark.examples.shop.ShopCalls.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.events.PartitionLag;
import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.shipping.ShippingService;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.test.kafka.KafkaTestBroker;
import io.bulwark.test.postgres.PostgresTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same shop on a real Kafka broker and a real PostgreSQL server ({@code --backend
 * kafka,postgres}): only {@link ShopBackends} differs from the other shop tests. A checkout through
 * the gateway completes; its saga run, order row and outbox row are in PostgreSQL (queried with
 * plain JDBC); its {@code OrderConfirmed} event is on the broker (read with a plain Kafka
 * consumer); the consumer groups are Kafka's; nothing is left in the SQLite or embedded-log places
 * the default backend would use; the invariants hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShopOnKafkaPostgresTest {
  static final Duration SETTLE = Duration.ofSeconds(30);

  KafkaTestBroker kafka;
  String jdbcUrl;
  Shop shop;
  EdgeCalls edge;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    kafka = KafkaTestBroker.shared();
    jdbcUrl = PostgresTestServer.shared().createDatabase();
    ShopBackends backends =
        ShopBackends.EMBEDDED.withKafka(kafka.bootstrapServers()).withPostgres(jdbcUrl, "postgres");
    shop = Shop.start(new ShopOptions(true, 42, dir, 0, backends), new RuntimeListener() {});
    edge = new EdgeCalls(shop.edgeUri());
  }

  @AfterAll
  void stop() {
    if (shop != null) {
      shop.close();
    }
  }

  @Test
  void aCheckoutThroughTheGatewayRunsItsSagaOnPostgresAndItsEventOnKafka() throws Exception {
    String token = edge.login("kim");
    assertThat(edge.addItem(token, "cart-k1", "SKU-040", 2).status()).isEqualTo(200);
    Answer done = edge.checkout(token, "key-k1", "cart-k1");
    assertThat(done.status()).isEqualTo(201);
    assertThat(done.text("status")).isEqualTo("CONFIRMED");
    String orderId = done.text("orderId");
    Answer again = edge.checkout(token, "key-k1", "cart-k1");
    assertThat(again.status()).as("a retried checkout answers the first order").isEqualTo(200);
    assertThat(again.text("orderId")).isEqualTo(orderId);

    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      assertThat(rows(c, "SELECT status FROM orders WHERE id = ?", orderId))
          .containsExactly("CONFIRMED");
      assertThat(rows(c, "SELECT status FROM saga_runs WHERE workflow = 'checkout'", null))
          .containsExactly("COMPLETED");
      assertThat(eventually(SETTLE, () -> count(c, "sent_at IS NOT NULL") == 1))
          .as("the outbox row is relayed and marked sent")
          .isTrue();
      assertThat(count(c, "sent_at IS NULL")).isZero();
    }

    List<ConsumerRecord<String, byte[]>> events = orderEvents(1);
    assertThat(events).hasSize(1);
    assertThat(events.getFirst().key()).isEqualTo(orderId);
    JsonNode event = Json.MAPPER.readTree(events.getFirst().value());
    assertThat(event.path("orderId").asText()).isEqualTo(orderId);
    assertThat(event.path("items").get(0).path("sku").asText()).isEqualTo("SKU-040");
    assertThat(event.path("items").get(0).path("quantity").asInt()).isEqualTo(2);

    // shipping consumed it through Kafka: the group's committed lag reaches 0, as Kafka says
    assertThat(eventually(SETTLE, () -> shippingLag() == 0)).isTrue();
    try (Admin admin = Admin.create(adminProperties())) {
      Set<String> groups =
          admin.listGroups().all().get().stream()
              .map(GroupListing::groupId)
              .collect(Collectors.toSet());
      assertThat(groups).contains(ShippingService.GROUP, "notifications");
    }
    assertThat(shop.eventLog().backend()).isEqualTo("kafka");
    assertThat(shop.eventLog().consumerGroups()).contains(ShippingService.GROUP);

    // nothing went to the default backends' places
    assertThat(Files.exists(Shop.eventLogDirectory(shop.options()))).isFalse();
    assertThat(Files.exists(shop.runtime().instance("orders-1").storage().resolve("orders.db")))
        .isFalse();

    InvariantReport report = shop.checkInvariants(SETTLE);
    assertThat(report.holds()).as(report.toString()).isTrue();
    assertThat(report.figures()).containsEntry("orders confirmed", 1L);
  }

  private long shippingLag() {
    long lag = 0;
    for (PartitionLag p :
        shop.eventLog().consumerLag(ShippingService.GROUP, SharedEventLog.ORDERS_TOPIC)) {
      lag += p.lag();
    }
    return lag;
  }

  private static List<String> rows(Connection c, String sql, @Nullable String param)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  private static long count(Connection c, String where) {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT COUNT(*) FROM bulwark_outbox WHERE " + where);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private Properties adminProperties() {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    return p;
  }

  /** The orders topic from its start, read by a plain consumer until {@code expected} arrived. */
  private List<ConsumerRecord<String, byte[]>> orderEvents(int expected) {
    Properties p = adminProperties();
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("isolation.level", "read_committed");
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int i = 0; i < SharedEventLog.ORDERS_PARTITIONS; i++) {
        partitions.add(new TopicPartition(SharedEventLog.ORDERS_TOPIC, i));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + SETTLE.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r);
        }
        boolean atEnd = partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
        if (out.size() >= expected && atEnd) {
          break;
        }
      }
    }
    return out;
  }
}
