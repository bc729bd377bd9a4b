package io.bulwark.chaos.junit;

import io.bulwark.chaos.experiment.ExperimentResult;
import io.bulwark.chaos.report.ExperimentReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link ChaosExperiment}: resolves a {@link ChaosLab} parameter
 * seeded from the annotation and, after the test, writes the JSON and HTML report of each run the
 * lab made to the annotation's report directory ({@code NAME.json}/{@code NAME.html}; a second run
 * of the same experiment in one test gets {@code NAME-2}) and publishes their paths as report
 * entries. Reports are written whether the test passed or failed.
 */
public final class ChaosExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(ChaosExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ChaosLab.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ChaosExperiment annotation =
        context
            .getTestMethod()
            .map(m -> m.getAnnotation(ChaosExperiment.class))
            .orElseThrow(
                () ->
                    new ParameterResolutionException(
                        "a ChaosLab parameter needs a method annotated @ChaosExperiment"));
    return context
        .getStore(NS)
        .getOrComputeIfAbsent(
            "lab",
            k -> new ChaosLab(annotation.seed(), context.getRequiredTestClass()),
            ChaosLab.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ChaosLab lab = context.getStore(NS).get("lab", ChaosLab.class);
    ChaosExperiment annotation =
        context.getTestMethod().map(m -> m.getAnnotation(ChaosExperiment.class)).orElse(null);
    if (lab == null || annotation == null) {
      return;
    }
    Path dir = Path.of(annotation.reportDir());
    List<ExperimentResult> results = lab.results();
    for (int i = 0; i < results.size(); i++) {
      ExperimentResult r = results.get(i);
      long earlier =
          results.subList(0, i).stream().filter(x -> x.experiment().equals(r.experiment())).count();
      String name = earlier == 0 ? r.experiment() : r.experiment() + "-" + (earlier + 1);
      try {
        Path html = ExperimentReport.write(r, dir, name).get(1);
        context.publishReportEntry("chaos-report-" + name, html.toAbsolutePath().toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the chaos report " + name + " to " + dir, e);
      }
    }
  }
}
