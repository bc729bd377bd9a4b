package io.bulwark.http.internal;

import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.ServerListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls several listeners in order; one that throws is logged and skipped. */
public final class CompositeListener implements ServerListener {
  private static final Logger LOG = LoggerFactory.getLogger(CompositeListener.class);
  private final List<ServerListener> listeners;

  public CompositeListener(List<ServerListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  @Override
  public void onRequest(AccessLogEntry entry) {
    for (ServerListener l : listeners) {
      try {
        l.onRequest(entry);
      } catch (RuntimeException e) {
        LOG.debug("server listener threw", e);
      }
    }
  }

  @Override
  public void onDrainStarted(int inFlight) {
    for (ServerListener l : listeners) {
      try {
        l.onDrainStarted(inFlight);
      } catch (RuntimeException e) {
        LOG.debug("server listener threw", e);
      }
    }
  }

  @Override
  public void onDrainFinished(int abandoned) {
    for (ServerListener l : listeners) {
      try {
        l.onDrainFinished(abandoned);
      } catch (RuntimeException e) {
        LOG.debug("server listener threw", e);
      }
    }
  }
}
