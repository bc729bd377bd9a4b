/**
 * Chaos basics: two small Bulwark services (a price service and a front service calling it) and an
 * experiment that puts a 30 % error fault on the price service while the front's availability SLO
 * is judged. See the module's README.
 */
module io.bulwark.examples.chaosbasics {
  requires static transitive org.jspecify;
  requires transitive io.bulwark.chaos;
  requires transitive io.bulwark.telemetry;
  requires io.bulwark.http;
  requires io.bulwark.resilience;

  exports io.bulwark.examples.chaosbasics;
}
