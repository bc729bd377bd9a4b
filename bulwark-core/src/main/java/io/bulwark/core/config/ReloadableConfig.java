package io.bulwark.core.config;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A config file whose whole immutable snapshot is swapped on reload. A reload that fails keeps the
 * previous snapshot in force and reports the {@link ConfigException}; readers never see a half
 * applied change. Thread-safe.
 */
public final class ReloadableConfig<T> implements AutoCloseable {
  private final Path file;
  private final ConfigLoader loader;
  private final Function<ConfigReader, T> binder;
  private final AtomicReference<T> current;
  private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<ConfigException>> errorListeners = new CopyOnWriteArrayList<>();
  private volatile @Nullable FileTime lastModified;
  private volatile @Nullable ScheduledTask watch;

  /**
   * Loads {@code file} now.
   *
   * @throws ConfigException if the first load fails
   */
  public ReloadableConfig(Path file, ConfigLoader loader, Function<ConfigReader, T> binder) {
    this.file = file;
    this.loader = loader;
    this.binder = binder;
    this.lastModified = modifiedTime();
    this.current = new AtomicReference<>(loader.load(file, binder));
  }

  /** The snapshot in force. */
  public T current() {
    return current.get();
  }

  /** Called with each new snapshot after a successful reload. Listeners must be fast. */
  public void onChange(Consumer<T> listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /** Called when a reload fails (the old snapshot stays in force). */
  public void onError(Consumer<ConfigException> listener) {
    errorListeners.add(Objects.requireNonNull(listener));
  }

  /**
   * Reads the file again and swaps the snapshot if it is valid.
   *
   * @return true if a new snapshot is in force
   */
  public boolean reload() {
    lastModified = modifiedTime();
    T next;
    try {
      next = loader.load(file, binder);
    } catch (ConfigException e) {
      errorListeners.forEach(l -> l.accept(e));
      return false;
    }
    current.set(next);
    listeners.forEach(l -> l.accept(next));
    return true;
  }

  /** Checks the file's modification time every {@code interval} and reloads when it changes. */
  public void watch(Scheduler scheduler, Duration interval) {
    long nanos = Scheduler.saturatedNanos(interval);
    this.watch =
        scheduler.scheduleAtFixedRate(
            nanos,
            nanos,
            () -> {
              if (!Objects.equals(modifiedTime(), lastModified)) {
                reload();
              }
            });
  }

  @Override
  public void close() {
    ScheduledTask task = watch;
    if (task != null) {
      task.cancel();
    }
  }

  private @Nullable FileTime modifiedTime() {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return null;
    }
  }
}
