/**
 * Bulwark's test kit: virtual time, a JUnit 5 extension and compatibility kits for backend SPIs.
 */
module io.bulwark.test {
  requires transitive io.bulwark.core;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires transitive java.sql;
  requires org.apache.commons.compress;
  requires org.tukaani.xz;

  exports io.bulwark.test;
  exports io.bulwark.test.kit;
  exports io.bulwark.test.postgres;
}
