package io.bulwark.runtime.internal;

import io.bulwark.chaos.NetworkPartitioner.Mode;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One service's view of the system's discovery, through the {@link Partitions}: a partitioned
 * service has no endpoint ({@link Mode#FAIL}) or only the tarpit ({@link Mode#HANG}); a
 * subscription gets the view again whenever a partition starts or heals.
 */
final class PartitionedDiscovery implements ServiceDiscovery {
  private final ServiceDiscovery delegate;
  private final String caller;
  private final Partitions partitions;

  PartitionedDiscovery(ServiceDiscovery delegate, String caller, Partitions partitions) {
    this.delegate = delegate;
    this.caller = caller;
    this.partitions = partitions;
  }

  @Override
  public List<Endpoint> endpoints(String service) {
    return view(service, delegate.endpoints(service));
  }

  private List<Endpoint> view(String service, List<Endpoint> real) {
    Mode mode = partitions.between(caller, service);
    if (mode == null) {
      return real;
    }
    return mode == Mode.FAIL ? List.of() : List.of(partitions.tarpit());
  }

  @Override
  public Subscription subscribe(String service, Consumer<List<Endpoint>> listener) {
    AtomicReference<List<Endpoint>> last = new AtomicReference<>(List.of());
    Runnable push = () -> listener.accept(view(service, last.get()));
    Runnable unwatch = partitions.watch(push);
    Subscription inner =
        delegate.subscribe(
            service,
            endpoints -> {
              last.set(List.copyOf(endpoints));
              push.run();
            });
    return () -> {
      unwatch.run();
      inner.close();
    };
  }
}
