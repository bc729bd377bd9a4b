package io.bulwark.chaos.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;

/**
 * Dynamic proxies around a connection and its statements: each statement execution first passes
 * {@link Gate#beforeStatement} with the statement's SQL (given to {@code prepare*} or to {@code
 * execute*}). Everything else is delegated unchanged; {@code getConnection()} of a statement
 * returns the proxy, {@code unwrap}/{@code isWrapperFor} reach the driver's objects.
 */
final class JdbcProxies {
  private JdbcProxies() {}

  /** What the proxies ask before a statement runs. */
  interface Gate {
    /** Applies the faults for a statement of {@code sql}; throws the injected error. */
    void beforeStatement(String sql) throws SQLException;
  }

  static Connection connection(Connection delegate, Gate gate) {
    return (Connection)
        Proxy.newProxyInstance(
            JdbcProxies.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new ConnectionHandler(delegate, gate));
  }

  private static @Nullable Object invoke(Method m, Object target, @Nullable Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw cause == null ? e : cause;
    }
  }

  private static final class ConnectionHandler implements InvocationHandler {
    private final Connection delegate;
    private final Gate gate;

    ConnectionHandler(Connection delegate, Gate gate) {
      this.delegate = delegate;
      this.gate = gate;
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method m, @Nullable Object[] args)
        throws Throwable {
      switch (m.getName()) {
        case "equals" -> {
          return args != null && proxy == args[0];
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "toString" -> {
          return "chaos(" + delegate + ")";
        }
        default -> {}
      }
      Object result = JdbcProxies.invoke(m, delegate, args);
      if (result instanceof Statement s && !m.getName().equals("unwrap")) {
        String sql = args != null && args.length > 0 && args[0] instanceof String q ? q : null;
        return statement(s, (Connection) proxy, sql, gate);
      }
      return result;
    }
  }

  private static Statement statement(
      Statement delegate, Connection owner, @Nullable String sql, Gate gate) {
    Class<?> type =
        delegate instanceof CallableStatement
            ? CallableStatement.class
            : delegate instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
    return (Statement)
        Proxy.newProxyInstance(
            JdbcProxies.class.getClassLoader(),
            new Class<?>[] {type},
            new StatementHandler(delegate, owner, sql, gate));
  }

  private static final class StatementHandler implements InvocationHandler {
    private final Statement delegate;
    private final Connection owner;
    private final @Nullable String preparedSql;
    private final Gate gate;

    StatementHandler(
        Statement delegate, Connection owner, @Nullable String preparedSql, Gate gate) {
      this.delegate = delegate;
      this.owner = owner;
      this.preparedSql = preparedSql;
      this.gate = gate;
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method m, @Nullable Object[] args)
        throws Throwable {
      String name = m.getName();
      switch (name) {
        case "equals" -> {
          return args != null && proxy == args[0];
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "toString" -> {
          return "chaos(" + delegate + ")";
        }
        case "getConnection" -> {
          return owner;
        }
        default -> {}
      }
      if (name.startsWith("execute")) {
        String sql =
            args != null && args.length > 0 && args[0] instanceof String q ? q : preparedSql;
        gate.beforeStatement(sql == null ? "" : sql);
      }
      return JdbcProxies.invoke(m, delegate, args);
    }
  }
}
