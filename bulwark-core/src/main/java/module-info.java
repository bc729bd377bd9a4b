/**
 * The Bulwark kernel: context, deadlines, criticality, time, configuration, the error taxonomy and
 * the telemetry recording API.
 */
module io.bulwark.core {
  requires static transitive org.jspecify;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports io.bulwark.core.time;
  exports io.bulwark.core.context;
  exports io.bulwark.core.config;
  exports io.bulwark.core.error;
  exports io.bulwark.core.telemetry;
  exports io.bulwark.core.fault;
  exports io.bulwark.core.identity;
}
