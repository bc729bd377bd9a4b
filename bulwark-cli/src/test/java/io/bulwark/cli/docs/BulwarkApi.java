package io.bulwark.cli.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The public types of every exported package of every Bulwark module on the test class path, found
 * through each module's {@code module-info.class}: what a user of the modules can import.
 */
final class BulwarkApi {

  private BulwarkApi() {}

  /**
   * The public top-level types of the exported Bulwark packages by simple name; a simple name that
   * two packages share maps to every type of that name.
   */
  static Map<String, List<String>> publicTypes() {
    Map<String, List<String>> bySimpleName = new TreeMap<>();
    for (URL url : moduleInfos()) {
      ModuleDescriptor descriptor = descriptor(url);
      if (!descriptor.name().startsWith("io.bulwark.")) {
        continue;
      }
      for (ModuleDescriptor.Exports export : descriptor.exports()) {
        if (!export.isQualified()) {
          for (String type : publicTypesOf(url, export.source())) {
            String simple = type.substring(type.lastIndexOf('.') + 1);
            bySimpleName.computeIfAbsent(simple, k -> new ArrayList<>()).add(type);
          }
        }
      }
    }
    return bySimpleName;
  }

  private static List<URL> moduleInfos() {
    try {
      return Collections.list(BulwarkApi.class.getClassLoader().getResources("module-info.class"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ModuleDescriptor descriptor(URL url) {
    try (InputStream in = url.openStream()) {
      return ModuleDescriptor.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + url, e);
    }
  }

  private static List<String> publicTypesOf(URL moduleInfo, String pkg) {
    String folder = pkg.replace('.', '/');
    try {
      URI uri = moduleInfo.toURI();
      if (uri.getScheme().equals("jar")) {
        try (FileSystem jar = FileSystems.newFileSystem(uri, new HashMap<String, Object>())) {
          return publicTypesIn(jar.getPath("/" + folder), pkg);
        }
      }
      return publicTypesIn(Path.of(uri).getParent().resolve(folder), pkg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + pkg + " in " + moduleInfo, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("bad class path entry " + moduleInfo, e);
    }
  }

  private static List<String> publicTypesIn(Path folder, String pkg) throws IOException {
    List<String> types = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.endsWith(".class") && !name.contains("$") && !name.contains("-")) {
          String type = pkg + "." + name.substring(0, name.length() - ".class".length());
          if (isPublic(type)) {
            types.add(type);
          }
        }
      }
    }
    return types;
  }

  private static boolean isPublic(String type) {
    try {
      return Modifier.isPublic(
          Class.forName(type, false, BulwarkApi.class.getClassLoader()).getModifiers());
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
