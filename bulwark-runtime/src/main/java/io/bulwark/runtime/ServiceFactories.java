package io.bulwark.runtime;

import java.lang.reflect.InvocationTargetException;

/** Loads a {@link ServiceFactory} named by class (system files, process mode). */
final class ServiceFactories {
  private ServiceFactories() {}

  static ServiceFactory load(String service, String className) {
    Class<?> type;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      type =
          Class.forName(
              className, true, loader != null ? loader : ServiceFactories.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(
          "service " + service + ": factory class " + className + " not found on the class path",
          e);
    }
    if (!ServiceFactory.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          "service "
              + service
              + ": factory class "
              + className
              + " does not implement "
              + ServiceFactory.class.getName());
    }
    try {
      return (ServiceFactory) type.getConstructor().newInstance();
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalArgumentException(
          "service "
              + service
              + ": factory class "
              + className
              + " needs a public no-argument constructor",
          e);
    } catch (InstantiationException | InvocationTargetException e) {
      Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
      throw new IllegalArgumentException(
          "service " + service + ": factory class " + className + " failed to construct: " + cause,
          e);
    }
  }
}
