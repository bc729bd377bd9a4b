package io.bulwark.http.internal;

/**
 * One filter of the server's inbound chain, run on the event loop in the order {@link ServerEngine}
 * documents. A stage does one job on the {@link Exchange}: it fills something in and passes, or it
 * answers (or drops) the request and stops the chain. Stages are stateless per request and
 * thread-safe; running one allocates nothing beyond its answer.
 */
interface Stage {

  /** Returns true to pass the request on, false when this stage has ended it. */
  boolean pass(Exchange ex);
}
