package io.bulwark.test;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a fresh {@link VirtualScheduler} (and its {@link VirtualClock}) into each test method or
 * constructor: parameters of type {@code VirtualScheduler}, {@code Scheduler}, {@code VirtualClock}
 * or {@code Clock} all receive the same per-test instance.
 *
 * <pre>{@code
 * @ExtendWith(VirtualTimeExtension.class)
 * class RetryTest {
 *   @Test void backsOff(VirtualScheduler scheduler) { ... scheduler.advance(ofSeconds(1)); ... }
 * }
 * }</pre>
 */
public final class VirtualTimeExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(VirtualTimeExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == VirtualScheduler.class
        || type == Scheduler.class
        || type == VirtualClock.class
        || type == Clock.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    VirtualScheduler scheduler =
        context
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                VirtualScheduler.class, k -> new VirtualScheduler(), VirtualScheduler.class);
    Class<?> type = parameter.getParameter().getType();
    return type == VirtualClock.class || type == Clock.class ? scheduler.virtualClock() : scheduler;
  }
}
