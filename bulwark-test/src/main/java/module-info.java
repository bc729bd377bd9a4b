/**
 * Bulwark's test kit: virtual time, a JUnit 5 extension, compatibility kits for backend SPIs, and
 * real PostgreSQL and Kafka servers for tests (their jars are optional dependencies).
 */
// kafka.clients is an automatic module (named after its jar); KafkaTestBroker needs its Admin
// client
@SuppressWarnings("requires-automatic")
module io.bulwark.test {
  requires transitive io.bulwark.core;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires transitive java.sql;
  // optional: present only in modules whose tests run PostgreSQL or Kafka (docs/testing.md)
  requires static org.apache.commons.compress;
  requires static org.tukaani.xz;
  requires static kafka.clients;

  exports io.bulwark.test;
  exports io.bulwark.test.kit;
  exports io.bulwark.test.postgres;
  exports io.bulwark.test.kafka;
}
