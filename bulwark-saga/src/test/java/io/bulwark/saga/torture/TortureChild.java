package io.bulwark.saga.torture;

import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.WorkflowDefinition;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The child JVM of the torture tests: opens the saga store, starts (or restarts, idempotently)
 * every order run, and waits until all of them ended; the test kills it with SIGKILL at random
 * instants and starts it again.
 *
 * <p>Arguments: {@code sqlite <file>} or {@code postgresql <jdbc url>}, then executor id, number of
 * runs, lease millis, heartbeat millis, {@code log-calls|no-log-calls} (the call log needs a
 * PostgreSQL URL).
 *
 * <p>Standard output, one line each (the test parses it): {@code READY <ms>} once the engine is
 * built (ms since JVM start), {@code RECOVERY <ms>} at the first effect applied in this JVM (ms
 * since JVM start: the time to get runs moving again), {@code P <order> <step>} after every effect,
 * {@code STARTED <created> <existing>} after starting the runs, and {@code DONE <completed>
 * <compensated> <parked>} when every run has ended. Logs go to standard error.
 */
public final class TortureChild {
  private TortureChild() {}

  public static void main(String[] args) throws Exception {
    long jvmStart =
        ProcessHandle.current()
            .info()
            .startInstant()
            .map(java.time.Instant::toEpochMilli)
            .orElseThrow(() -> new IllegalStateException("no process start time"));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String dialect = args[0];
    String where = args[1];
    String executor = args[2];
    int runs = Integer.parseInt(args[3]);
    Duration lease = Duration.ofMillis(Long.parseLong(args[4]));
    Duration heartbeat = Duration.ofMillis(Long.parseLong(args[5]));
    boolean logCalls = args[6].equals("log-calls");

    try (SagaStore store = open(dialect, where)) {
      OrderSaga.createLedger(store.dataSource());
      AtomicBoolean moving = new AtomicBoolean();
      OrderSaga saga =
          new OrderSaga(
              store.dataSource(),
              executor,
              logCalls ? () -> DriverManager.getConnection(where, "postgres", "") : null,
              line -> {
                if (moving.compareAndSet(false, true)) {
                  out.println("RECOVERY " + (System.currentTimeMillis() - jvmStart));
                }
                out.println("P " + line);
              });
      WorkflowDefinition<OrderSaga.Order, String> definition = saga.definition();
      try (SagaEngine engine =
          SagaEngine.builder(store)
              .register(definition)
              .executorId(executor)
              .lease(lease, heartbeat)
              .poll(Duration.ofMillis(100))
              .workers(64)
              .build()) {
        out.println("READY " + (System.currentTimeMillis() - jvmStart));
        List<RunHandle<String>> handles = new ArrayList<>(runs);
        int created = 0;
        for (int i = 0; i < runs; i++) {
          RunHandle<String> h = engine.start(definition, OrderSaga.runId(i), OrderSaga.Order.of(i));
          created += h.created() ? 1 : 0;
          handles.add(h);
        }
        out.println("STARTED " + created + " " + (runs - created));
        int completed = 0;
        int compensated = 0;
        int parked = 0;
        for (RunHandle<String> h : handles) {
          try {
            h.await(Duration.ofMinutes(30));
            completed++;
          } catch (RunFailedException e) {
            switch (e.status()) {
              case COMPENSATED -> compensated++;
              case PARKED -> parked++;
              default -> throw e;
            }
          }
        }
        out.println("DONE " + completed + " " + compensated + " " + parked);
      }
    }
  }

  private static SagaStore open(String dialect, String where) {
    return switch (dialect) {
      case "sqlite" -> SagaStores.sqlite(Path.of(where));
      case "postgresql" -> SagaStores.postgres(where, "postgres", "", 16);
      default ->
          throw new IllegalArgumentException("dialect must be sqlite or postgresql: " + dialect);
    };
  }
}
