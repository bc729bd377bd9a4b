package io.bulwark.chaos.jdbc;

import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.util.Locale;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The JDBC injection point: a {@link DataSource} that wraps another and lets the active chaos
 * faults act on its calls. A call is a {@code jdbc} point whose site has {@code service} = this
 * data source's name (e.g. {@code orders-db}) and {@code route}:
 *
 * <ul>
 *   <li>{@code connect} for {@link #getConnection()};
 *   <li>for a statement execution, its <b>name</b>: the text of a leading comment ({@code /*
 *       reserve-stock *}{@code / UPDATE stock ...} is named {@code reserve-stock}), else its
 *       operation, the first word in lower case ({@code select}, {@code insert}, {@code update},
 *       ...). A blast radius route picks named statements ({@code reserve-stock}), an operation
 *       ({@code insert}) or all ({@code *}, or no route).
 * </ul>
 *
 * <p>Faults: latency (the call waits, then runs), {@link io.bulwark.chaos.Fault.SqlError} (a {@link
 * SQLException} with its SQLState instead of the call; nothing reaches the database), an exception
 * (the runtime exception instead of the call), blackhole (hangs until the caller's deadline or the
 * fault's end, then {@link SQLTimeoutException} with SQLState {@code HYT00}). A statement's time to
 * prepare is not faulted, its executions are. With no fault active a call costs one field read more
 * than the driver's own.
 *
 * <p>Thread-safe as the wrapped data source is.
 */
public final class ChaosDataSource implements DataSource {
  /** The route of {@link #getConnection()}. */
  public static final String CONNECT = "connect";

  private final DataSource delegate;
  private final String name;

  private ChaosDataSource(DataSource delegate, String name) {
    this.delegate = delegate;
    this.name = name;
  }

  /**
   * Wraps {@code delegate} under {@code name} (the site's service).
   *
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public static ChaosDataSource wrap(DataSource delegate, String name) {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("chaos data source name must not be blank");
    }
    return new ChaosDataSource(delegate, name);
  }

  public String name() {
    return name;
  }

  @Override
  public Connection getConnection() throws SQLException {
    inject(CONNECT);
    return JdbcProxies.connection(delegate.getConnection(), sql -> inject(statementName(sql)));
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    inject(CONNECT);
    return JdbcProxies.connection(
        delegate.getConnection(username, password), sql -> inject(statementName(sql)));
  }

  /**
   * The name of a statement of {@code sql}: its leading comment's text, else its first word in
   * lower case; {@code ""} for an empty statement.
   */
  public static String statementName(String sql) {
    String s = sql.strip();
    if (s.startsWith("/*")) {
      int end = s.indexOf("*/", 2);
      if (end > 2) {
        String tag = s.substring(2, end).strip();
        if (!tag.isEmpty()) {
          return tag;
        }
      }
      s = end < 0 ? "" : s.substring(end + 2).strip();
    }
    int i = 0;
    while (i < s.length() && Character.isLetter(s.charAt(i))) {
      i++;
    }
    return s.substring(0, i).toLowerCase(Locale.ROOT);
  }

  private void inject(String route) throws SQLException {
    FaultInjector injector = FaultPoints.injector();
    if (injector == null) {
      return;
    }
    FaultAction action = injector.decide(new FaultSite(FaultPointKind.JDBC, name, "", route));
    if (action == null) {
      return;
    }
    try {
      switch (action) {
        case FaultAction.Delay d -> injector.pause(d.nanos());
        case FaultAction.Raise r when r.error() instanceof InjectedSqlException q ->
            throw q.toSqlException();
        case FaultAction.Raise r -> throw r.error();
        case FaultAction.Blackhole b -> {
          RuntimeException end = FaultPoints.blackhole(injector, b);
          throw new SQLTimeoutException(name + " " + route + ": " + end.getMessage(), "HYT00", end);
        }
        default -> {} // the other actions do not act at JDBC points
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException(
          name + " " + route + ": interrupted in chaos fault " + action.tag().faultId(),
          "HY008",
          e);
    }
  }

  @Override
  public @Nullable PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(@Nullable PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return "ChaosDataSource[" + name + " -> " + delegate + "]";
  }
}
