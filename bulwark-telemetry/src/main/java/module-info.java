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
  // optional: only applications that choose Logback have it (see the logging export below)
  requires static ch.qos.logback.classic;
  requires static ch.qos.logback.core;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports io.bulwark.telemetry;
  exports io.bulwark.telemetry.store;
  exports io.bulwark.telemetry.slo;
  // the JSON stamping appender is a Logback appender (its signature is Logback's) that Logback
  // instantiates from logback.xml: exported to Logback only, so that Bulwark's public API does not
  // show a type of an optional dependency (which a reader of this module could not resolve)
  exports io.bulwark.telemetry.logging to
      ch.qos.logback.core,
      ch.qos.logback.classic;
}
