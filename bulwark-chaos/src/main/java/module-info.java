/**
 * Bulwark's chaos engineering: faults injected at Bulwark's own boundaries (HTTP client and server,
 * event log, saga steps, JDBC, the clock, user points), limited by a blast radius and a cohort,
 * always expiring; experiments judged by SLOs with automatic abort; a JUnit 5 extension; JSON and
 * HTML reports. See docs/chaos.md.
 */
@SuppressWarnings("requires-automatic")
module io.bulwark.chaos {
  requires transitive io.bulwark.core;
  requires transitive io.bulwark.http;
  requires transitive io.bulwark.events;
  requires transitive io.bulwark.telemetry;
  requires transitive com.fasterxml.jackson.databind;
  requires static transitive org.jspecify;
  requires static transitive org.junit.jupiter.api;
  requires org.slf4j;
  requires transitive java.sql;
  requires java.net.http;

  exports io.bulwark.chaos;
  exports io.bulwark.chaos.experiment;
  exports io.bulwark.chaos.junit;
  exports io.bulwark.chaos.http;
  exports io.bulwark.chaos.jdbc;
  exports io.bulwark.chaos.resource;
  exports io.bulwark.chaos.report;
}
