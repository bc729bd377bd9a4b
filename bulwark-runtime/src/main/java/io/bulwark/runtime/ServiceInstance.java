package io.bulwark.runtime;

import java.util.List;

/**
 * What a {@link ServiceFactory} opened for one instance: stores, clients, consumers. The runtime
 * closes it after the instance's server stopped.
 *
 * <p>{@code close()} throws {@code Exception} because an instance closes resources of any kind
 * ({@link #of(AutoCloseable...)}); the runtime calls it itself, never as a try-with-resources.
 */
@SuppressWarnings("try") // close() may throw InterruptedException: the runtime handles it
public interface ServiceInstance extends AutoCloseable {

  /**
   * Graceful stop: called after the server drained and after the instance's background loops ended.
   * Must not throw for an already closed resource.
   */
  @Override
  void close() throws Exception;

  /**
   * Crash: called after the server was killed (sockets closed without drain, handler threads
   * interrupted) and the background loops interrupted. Release what the process would lose at a
   * crash (connections, file handles) without flushing or finishing work. Defaults to {@link
   * #close()}.
   */
  default void kill() throws Exception {
    close();
  }

  /** An instance that owns nothing beyond its server. */
  static ServiceInstance none() {
    return () -> {};
  }

  /** Closes {@code resources} in reverse order (the last opened first). */
  static ServiceInstance of(AutoCloseable... resources) {
    List<AutoCloseable> list = List.of(resources);
    return () -> {
      Exception first = null;
      for (int i = list.size() - 1; i >= 0; i--) {
        try {
          list.get(i).close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    };
  }
}
