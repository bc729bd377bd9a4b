package io.bulwark.examples.shop.gameday;

import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.InstanceState;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/** Instance handles that record what a game day does to them, as "operation id [version]". */
final class RecordingInstances implements Function<String, InstanceHandle> {
  final Queue<String> operations = new ConcurrentLinkedQueue<>();

  @Override
  public InstanceHandle apply(String id) {
    if (!id.matches("[a-z]+-[0-9]+")) {
      throw new IllegalArgumentException("no instance " + id);
    }
    return new InstanceHandle() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String service() {
        return id.substring(0, id.lastIndexOf('-'));
      }

      @Override
      public int index() {
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
      }

      @Override
      public String version() {
        return "1.0.0";
      }

      @Override
      public String zone() {
        return "";
      }

      @Override
      public InstanceState state() {
        return InstanceState.READY;
      }

      @Override
      public int port() {
        return -1;
      }

      @Override
      public Path storage() {
        return Path.of(id);
      }

      @Override
      public void stop() {
        operations.add("stop " + id);
      }

      @Override
      public void kill() {
        operations.add("kill " + id);
      }

      @Override
      public void restart() {
        operations.add("restart " + id);
      }

      @Override
      public void deploy(String version) {
        operations.add("deploy " + id + " " + version);
      }
    };
  }

  List<String> list() {
    return List.copyOf(operations);
  }
}
