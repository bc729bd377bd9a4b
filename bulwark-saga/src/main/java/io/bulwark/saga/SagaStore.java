package io.bulwark.saga;

import javax.sql.DataSource;

/**
 * Where runs, steps, timers, signals and leases live: a SQL database. Make one with {@link
 * SagaStores}. Transactional steps get connections from {@link #dataSource()}, so their writes,
 * their checkpoint and their outbox events commit in one transaction. Closing the store closes its
 * connections; close the engines that use it first.
 */
public interface SagaStore extends AutoCloseable {
  /** The store's URL without credentials, e.g. {@code jdbc:sqlite:/var/lib/shop/sagas.db}. */
  String url();

  /** {@code sqlite} or {@code postgresql}. */
  String dialect();

  /** The database, for transactional steps' own tables (and tests). */
  DataSource dataSource();

  @Override
  void close();
}
