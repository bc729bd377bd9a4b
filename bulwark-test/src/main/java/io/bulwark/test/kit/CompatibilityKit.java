package io.bulwark.test.kit;

/**
 * The pattern every backend SPI follows: an abstract JUnit 5 test class (a "compatibility kit")
 * that states the SPI's contract once, and one concrete subclass per implementation that only says
 * how to create the subject. The embedded and the scale-out backend of an SPI (event log, saga
 * store, discovery, ...) both extend the same kit, so "switching is configuration, not code" is a
 * tested claim.
 *
 * <p>A kit's tests use only the SPI, never implementation types, and drive time through {@link
 * #time()} so that each implementation decides whether time is virtual or real.
 *
 * @param <S> the SPI under test
 */
public interface CompatibilityKit<S> {

  /** A new, empty instance of the implementation under test; called once per test. */
  S newSubject() throws Exception;

  /** How the kit's tests let time pass for this implementation. */
  TimeDriver time();
}
