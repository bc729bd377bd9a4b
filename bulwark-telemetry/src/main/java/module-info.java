/**
 * Bulwark telemetry: the OpenTelemetry-backed implementation of bulwark-core's recording API
 * ({@code io.bulwark.core.telemetry}): RED metrics, decision span events, the Context/OTel bridge,
 * JSON logs, Prometheus and OTLP export, an in-memory time-series store and SLOs as code. Depends
 * on no Bulwark module but bulwark-core.
 */
module io.bulwark.telemetry {
  requires transitive io.bulwark.core;
  requires transitive io.opentelemetry.api;
  requires transitive io.opentelemetry.context;
  requires io.opentelemetry.sdk;
  requires io.opentelemetry.sdk.common;
  requires io.opentelemetry.sdk.metrics;
  requires transitive io.opentelemetry.sdk.trace;
  requires io.opentelemetry.exporter.prometheus;
  requires io.opentelemetry.exporter.otlp;
  requires io.prometheus.metrics.model;
  requires io.prometheus.writer.text;
  requires io.prometheus.metrics.config;
  requires jdk.httpserver;
  requires java.net.http;
  requires org.slf4j;
  // the JSON stamping appender is a Logback appender: its public signature is Logback's, on purpose,
  // and only for applications that put Logback on their path (static: nobody else gets it)
  requires static transitive ch.qos.logback.classic;
  requires static transitive ch.qos.logback.core;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports io.bulwark.telemetry;
  exports io.bulwark.telemetry.store;
  exports io.bulwark.telemetry.slo;
  exports io.bulwark.telemetry.logging;
}
