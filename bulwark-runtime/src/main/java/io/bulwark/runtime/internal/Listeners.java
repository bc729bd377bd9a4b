package io.bulwark.runtime.internal;

import io.bulwark.runtime.RuntimeListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's listeners; an event reaches each in registration order, and one that throws is
 * skipped.
 */
final class Listeners {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
  private final List<RuntimeListener> listeners = new CopyOnWriteArrayList<>();

  void add(RuntimeListener listener) {
    listeners.add(listener);
  }

  void fire(Consumer<RuntimeListener> event) {
    for (RuntimeListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("runtime listener {} threw; ignored for this event", l, e);
      }
    }
  }
}
