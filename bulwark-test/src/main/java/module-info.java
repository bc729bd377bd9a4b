/**
 * Bulwark's test kit: virtual time, a JUnit 5 extension and compatibility kits for backend SPIs.
 */
module io.bulwark.test {
  requires transitive io.bulwark.core;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;

  exports io.bulwark.test;
  exports io.bulwark.test.kit;
}
