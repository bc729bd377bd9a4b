package io.bulwark.saga.kit;

import io.bulwark.saga.SagaStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The saga store kit on SQLite: a database file of each test's own. */
class SqliteSagaStoreCompatibilityTest extends SagaStoreCompatibilityKit {
  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Override
  protected Database newDatabase() {
    Path file = dir.resolve("sagas.db");
    return () -> SagaStores.sqlite(file);
  }
}
