package io.bulwark.saga.kit;

import io.bulwark.saga.RunHandle;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;

/** How the kit's contract interfaces reach the running test's fixture. */
interface KitAccess {
  KitFixture kit();

  Effects effects();

  /** This test's store. */
  SagaStore store();

  /** A new store instance on this test's database (a restarted process). */
  SagaStore reopen();

  /** Runs a trivial run on {@code engine} to completion (see the kit). */
  void runMarker(SagaEngine engine, String id) throws Exception;

  /** Waits (bounded) for a run's output. */
  static <O> O await(RunHandle<O> handle) throws Exception {
    return handle.await(Waits.LIMIT);
  }
}
