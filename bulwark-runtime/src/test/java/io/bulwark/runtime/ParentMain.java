package io.bulwark.runtime;

import java.nio.file.Path;

/**
 * A parent JVM for {@link ChildSupervisionTest}: starts a one-service system in process mode,
 * prints {@code CHILD <pid>} for each child, then waits to be killed.
 */
public final class ParentMain {
  private ParentMain() {}

  public static void main(String[] args) throws Exception {
    SystemModel model =
        SystemModel.builder("p")
            .service(ServiceSpec.builder("solo", NodeFactory.class.getName()).build())
            .build();
    SystemRuntime rt =
        SystemRuntime.processes(model, RuntimeOptions.builder(Path.of(args[0])).build());
    rt.start();
    ProcessHandle.current().children().forEach(c -> System.out.println("CHILD " + c.pid()));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // until killed
  }
}
