package io.bulwark.test;

import io.bulwark.core.time.Scheduler;
import io.bulwark.core.time.SystemScheduler;
import io.bulwark.test.kit.SchedulerCompatibilityKit;
import io.bulwark.test.kit.TimeDriver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The system scheduler passes the same compatibility kit as the virtual one, in real time. */
class SystemSchedulerTest extends SchedulerCompatibilityKit {
  private final List<SystemScheduler> created = new ArrayList<>();
  private SystemScheduler current = SystemScheduler.create();

  @Override
  public Scheduler newSubject() {
    current = SystemScheduler.create();
    created.add(current);
    return current;
  }

  @Override
  public TimeDriver time() {
    return TimeDriver.real(current);
  }

  @AfterEach
  void close() {
    created.forEach(SystemScheduler::close);
    current.close();
  }
}
