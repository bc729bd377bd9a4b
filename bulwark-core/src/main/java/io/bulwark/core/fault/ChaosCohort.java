package io.bulwark.core.fault;

import io.bulwark.core.context.Context;
import org.jspecify.annotations.Nullable;

/**
 * The chaos cohort label of a request, put on its RED metrics ({@value #LABEL}), its spans ({@value
 * #SPAN_ATTRIBUTE}) and its log lines ({@value #LABEL}) so that SLIs can be compared between the
 * cohort and the control.
 *
 * <p>While no fault is active every method returns null after one field read ({@link
 * FaultPoints#injector()}), and callers record exactly as without chaos. While one is, the label
 * is:
 *
 * <ul>
 *   <li>the experiment named by the request's W3C baggage {@code chaos.experiment}, when it is the
 *       experiment or cohort of an active fault;
 *   <li>{@value #OTHER} for any other baggage value (cardinality stays bounded: names come only
 *       from active faults);
 *   <li>{@value #CONTROL} for a request without one;
 *   <li>for a call a fault acted on, the fault's experiment, or {@value #FAULTED} for a fault
 *       started outside an experiment ({@link #of(FaultTag)}).
 * </ul>
 */
public final class ChaosCohort {
  /** The metric label and log field. */
  public static final String LABEL = "chaos_cohort";

  /** The span attribute. */
  public static final String SPAN_ATTRIBUTE = "chaos.cohort";

  /** Requests outside every cohort. */
  public static final String CONTROL = "control";

  /** Requests naming a cohort no active fault belongs to. */
  public static final String OTHER = "other";

  /** Calls faulted by a fault that belongs to no experiment. */
  public static final String FAULTED = "faulted";

  private ChaosCohort() {}

  /** The cohort of {@code context}, or null while no fault is active (the common case). */
  public static @Nullable String of(Context context) {
    FaultInjector injector = FaultPoints.injector();
    return injector == null ? null : injector.cohort(context.baggage().get(FaultTag.EXPERIMENT));
  }

  /** The cohort of the current context, or null while no fault is active. */
  public static @Nullable String current() {
    FaultInjector injector = FaultPoints.injector();
    return injector == null
        ? null
        : injector.cohort(Context.current().baggage().get(FaultTag.EXPERIMENT));
  }

  /** The cohort of a call that fault {@code tag} acted on. */
  public static String of(FaultTag tag) {
    return tag.experiment().isEmpty() ? FAULTED : tag.experiment();
  }
}
