package io.bulwark.resilience;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A predicate that accepts a throwable of one of {@code types} (or of a subclass). A value, so two
 * configs loaded from the same YAML compare equal and a reload keeps the policy's state.
 */
record ExceptionTypes(List<Class<? extends Throwable>> types) implements Predicate<Throwable> {
  static final ExceptionTypes NONE = new ExceptionTypes(List.of());

  ExceptionTypes {
    types = List.copyOf(types);
  }

  /** The types a builder's {@code setting} was given, each checked for null by that name. */
  @SafeVarargs
  static ExceptionTypes of(String setting, Class<? extends Throwable>... types) {
    List<Class<? extends Throwable>> list = new ArrayList<>(types.length);
    for (Class<? extends Throwable> type : types) {
      list.add(Objects.requireNonNull(type, setting + " entry"));
    }
    return new ExceptionTypes(list);
  }

  /** Exception classes by name, e.g. {@code java.lang.IllegalArgumentException}. */
  static ExceptionTypes named(List<String> names) {
    List<Class<? extends Throwable>> types = new ArrayList<>(names.size());
    for (String name : names) {
      Class<?> type;
      try {
        type = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalArgumentException("no exception class " + name + " on the class path");
      }
      if (!Throwable.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException(name + " is not a Throwable");
      }
      types.add(type.asSubclass(Throwable.class));
    }
    return new ExceptionTypes(types);
  }

  @Override
  public boolean test(Throwable t) {
    for (Class<? extends Throwable> type : types) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return types.isEmpty() ? "none" : types.stream().map(Class::getName).toList().toString();
  }
}
