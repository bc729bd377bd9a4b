/** The {@code bulwark} command. */
module io.bulwark.cli {
  requires io.bulwark.core;
  requires info.picocli;
  requires io.bulwark.examples.shop;
  requires io.bulwark.chaos;
  requires static org.jspecify;
  requires io.bulwark.gateway;
  requires java.management;

  opens io.bulwark.cli to
      info.picocli;
}
