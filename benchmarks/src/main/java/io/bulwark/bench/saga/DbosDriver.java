package io.bulwark.bench.saga;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbos.transact.DBOS;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.context.WorkflowOptions;
import dev.dbos.transact.workflow.Workflow;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * DBOS Transact Java running the same 3-step workflow on its own database of the same PostgreSQL
 * server: a {@code @Workflow} method registered through {@code registerProxy}, its three steps run
 * with {@code dbos.runStep} (each step's output checkpointed before the next), started by calling
 * the proxy under {@code WorkflowOptions(id).setContext()} so each run has its own workflow id, as
 * the DBOS Java docs show. DBOS's pool is a Hikari pool as DBOS builds its own, sized like the
 * Bulwark store's (its default of 10 would starve 64 starters). Admin server off (not needed).
 */
final class DbosDriver implements SagaDriver {

  /** The workflow's interface (DBOS proxies it). */
  public interface Orders {
    String order(long n);
  }

  /** The workflow's code. */
  public static final class OrdersImpl implements Orders {
    private final DBOS dbos;
    private final AtomicLong actions;
    volatile StepTimes times = new StepTimes();

    OrdersImpl(DBOS dbos, AtomicLong actions) {
      this.dbos = dbos;
      this.actions = actions;
    }

    @Override
    @Workflow(name = "benchOrder")
    public String order(long n) {
      StepTimes t = times;
      long t0 = System.nanoTime();
      String a = dbos.runStep(() -> act("reserved-", n), "reserve");
      t.record(1, t0);
      t0 = System.nanoTime();
      String b = dbos.runStep(() -> act("charged-", n), "charge");
      t.record(2, t0);
      t0 = System.nanoTime();
      String c = dbos.runStep(() -> act("shipped-", n), "ship");
      t.record(3, t0);
      return a + "|" + b + "|" + c;
    }

    private String act(String prefix, long n) {
      actions.incrementAndGet();
      return prefix + n;
    }
  }

  private final HikariDataSource pool;
  private final DBOS dbos;
  private final OrdersImpl impl;
  private final Orders proxy;
  private final AtomicLong actions = new AtomicLong();

  DbosDriver(String jdbcUrl, String user, String password, int connections) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(jdbcUrl);
    hc.setUsername(user);
    hc.setPassword(password);
    hc.setMaximumPoolSize(connections);
    hc.setPoolName("dbos-bench");
    this.pool = new HikariDataSource(hc);
    DBOSConfig config =
        DBOSConfig.defaults("bulwark-bench-saga").withDataSource(pool).withAdminServer(false);
    this.dbos = new DBOS(config);
    this.impl = new OrdersImpl(dbos, actions);
    this.proxy = dbos.registerProxy(Orders.class, impl);
    dbos.launch();
  }

  @Override
  public String name() {
    return "dbos";
  }

  @Override
  public String runOne(String runId, long n, StepTimes steps) {
    impl.times = steps;
    try (var ignored = new WorkflowOptions(runId).setContext()) {
      return proxy.order(n);
    }
  }

  long actions() {
    return actions.get();
  }

  @Override
  public Stored countStored() throws Exception {
    try (Connection c = pool.getConnection()) {
      return new Stored(
          LimitDriver.count(
              c,
              "SELECT count(*) FROM dbos.workflow_status WHERE status = 'SUCCESS'"
                  + " AND name = 'benchOrder'"),
          LimitDriver.count(c, "SELECT count(*) FROM dbos.operation_outputs"),
          "SQL count of dbos.workflow_status SUCCESS rows and dbos.operation_outputs rows");
    }
  }

  @Override
  public void close() {
    dbos.close();
    pool.close();
  }
}
