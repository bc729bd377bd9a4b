package io.bulwark.test.postgres;

/**
 * A test JVM that starts a server, says where it is ({@code READY <port>}), and then just waits:
 * {@link PostgresTestServerTest} kills it with SIGKILL, as a crashed test run would die.
 */
public final class PostgresChild {
  private PostgresChild() {}

  public static void main(String[] args) throws Exception {
    PostgresTestServer server = PostgresTestServer.start();
    System.out.println("READY " + server.port());
    System.out.flush();
    System.in.read(); // until killed
  }
}
