package io.bulwark.chaos.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that runs chaos experiments: it is a JUnit {@link Test}, gets a {@link ChaosLab}
 * parameter seeded with {@link #seed()}, and after it ends the JSON and HTML report of every run it
 * made is written to {@link #reportDir()} (and published as a report entry).
 *
 * <pre>{@code
 * @ChaosExperiment(seed = 42)
 * void checkoutSurvivesPaymentErrors(ChaosLab lab) {
 *   VirtualScheduler scheduler = new VirtualScheduler();
 *   ... // start the system on the scheduler's clock, record its RED metrics in telemetry
 *   ExperimentResult r = lab.run(experiment, runner, scheduler::advance);
 *   lab.assertHeld(r);
 *   assertThat(r.check("p99").measured()).isLessThan(0.2);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Test
@ExtendWith(ChaosExtension.class)
public @interface ChaosExperiment {
  /** The seed of every run of the test (overrides the experiment's own seed). */
  long seed() default 1;

  /** Where reports are written, relative to the working directory (the module, under Maven). */
  String reportDir() default "target/chaos-reports";
}
