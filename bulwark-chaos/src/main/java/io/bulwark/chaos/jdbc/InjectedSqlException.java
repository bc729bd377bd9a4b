package io.bulwark.chaos.jdbc;

import io.bulwark.core.fault.FaultInjectedException;
import io.bulwark.core.fault.FaultTag;
import java.sql.SQLException;

/**
 * The per-call form of a {@link io.bulwark.chaos.Fault.SqlError}: carried through the fault hook
 * (whose actions hold unchecked errors) to the chaos DataSource, which throws {@link
 * #toSqlException()} instead of the JDBC call.
 */
public final class InjectedSqlException extends FaultInjectedException {
  private static final long serialVersionUID = 1L;
  private final String sqlState;

  public InjectedSqlException(String sqlState, String message, FaultTag tag) {
    super(message, tag);
    this.sqlState = sqlState;
  }

  public String sqlState() {
    return sqlState;
  }

  /** The checked exception the JDBC caller sees: same message and SQLState, this as its cause. */
  public SQLException toSqlException() {
    return new SQLException(
        getMessage() + " (chaos fault " + tag().faultId() + ")", sqlState, this);
  }
}
