package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.discovery.Endpoint;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scaling a service: new instances join discovery only once ready; removed ones leave first. */
class ScaleTest {
  @TempDir Path root;

  @Test
  void scaleUpAndDownWithZonesReadinessFirstAndDrainedRemovals() throws Exception {
    SystemModel model =
        SystemModel.builder("s")
            .service(
                ServiceSpec.builder("inv", NodeFactory.class.getName())
                    .instances(2)
                    .zones(List.of("a", "b"))
                    .build())
            .build();
    try (SystemRuntime rt =
        SystemRuntime.inProcess(model, RuntimeOptions.builder(root).systemPort(-1).build())) {
      rt.start();
      // what discovery showed at each READY event: the new instance must not be in it yet
      List<String> seenAtReady = new CopyOnWriteArrayList<>();
      rt.addListener(
          new RuntimeListener() {
            @Override
            public void onEvent(RuntimeEvent e) {
              if (e.kind() == RuntimeEvent.Kind.STARTING) {
                seenAtReady.add(
                    e.instance()
                        + " starting, discovery has "
                        + rt.discovery().endpoints("inv").size());
              }
            }
          });
      rt.scale("inv", 4);
      assertThat(rt.instances("inv"))
          .extracting(InstanceHandle::id, InstanceHandle::zone, InstanceHandle::state)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("inv-1", "a", InstanceState.READY),
              org.assertj.core.groups.Tuple.tuple("inv-2", "b", InstanceState.READY),
              org.assertj.core.groups.Tuple.tuple("inv-3", "a", InstanceState.READY),
              org.assertj.core.groups.Tuple.tuple("inv-4", "b", InstanceState.READY));
      assertThat(seenAtReady)
          .containsExactly("inv-3 starting, discovery has 2", "inv-4 starting, discovery has 3");
      assertThat(rt.discovery().endpoints("inv"))
          .extracting(e -> e.metadata().get("instance") + "@" + e.zone())
          .containsExactlyInAnyOrder("inv-1@a", "inv-2@b", "inv-3@a", "inv-4@b");

      List<Integer> removedPorts = new ArrayList<>();
      for (InstanceHandle h : rt.instances("inv").subList(1, 4)) {
        removedPorts.add(h.port());
      }
      rt.scale("inv", 1);
      assertThat(rt.instances("inv")).extracting(InstanceHandle::id).containsExactly("inv-1");
      assertThat(rt.discovery().endpoints("inv"))
          .extracting(Endpoint::port)
          .containsExactly(rt.instance("inv-1").port());
      for (int port : removedPorts) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          throw new AssertionError("removed instance still listens on " + port + ": " + s);
        } catch (ConnectException refused) {
          // drained and closed
        }
      }
      assertThat(rt.events())
          .filteredOn(e -> e.kind() == RuntimeEvent.Kind.SCALED)
          .extracting(RuntimeEvent::detail)
          .containsExactly("scaled 2 -> 4", "scaled 4 -> 1");
      assertThatThrownBy(() -> rt.instance("inv-3")).hasMessageContaining("no instance inv-3");
      assertThatThrownBy(() -> rt.scale("inv", 0))
          .hasMessageContaining("service inv: cannot scale to 0 instances");
      assertThatThrownBy(() -> rt.scale("ghost", 2)).hasMessageContaining("no service ghost");
    }
  }
}
