package io.bulwark.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.File;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The public API rule: a public or protected member of a public type in an exported package of a
 * Bulwark module uses in its signature (field type, parameter, return and thrown types with their
 * type arguments, supertypes) only JDK types of {@code java.base}, Bulwark types and types of
 * modules the owning module {@code requires transitive} (directly or through a module it requires
 * transitively). A third-party type anywhere else forces users to add a dependency the module did
 * not declare for them. Which packages each module exports and requires transitively is read from
 * the {@code module-info} of the modules on the test's paths.
 */
final class PublicApiRule {
  /**
   * Transitive requirements decided in issue 12 that other branches add to their module-info:
   * Vert.x is a deliberate part of the HTTP API, Jackson's ObjectMapper of the events API. Issue
   * 17: JUnit's extension API is the point of io.bulwark.chaos.junit (the chaos JUnit 5 extension);
   * chaos requires it {@code static} (optional), so only tests that use the extension need it.
   */
  static final Map<String, Set<String>> DECIDED_TRANSITIVE =
      Map.of(
          "io.bulwark.http", Set.of("io.vertx.core", "com.fasterxml.jackson.databind"),
          "io.bulwark.events", Set.of("com.fasterxml.jackson.databind"),
          "io.bulwark.chaos", Set.of("org.junit.jupiter.api"));

  /**
   * Known leaks the rule does not report; the test fails once an entry no longer occurs, so the
   * list only shrinks. Empty since issue 12 (the two found then, Jackson's ObjectMapper in the
   * public constructors of the HTTP request and client response, became a deliberate, transitive
   * part of the HTTP API).
   */
  static final Set<String> TOLERATED = Set.of();

  /** One module's API: its exported packages and the packages its signatures may use. */
  record ApiModule(String name, Set<String> exportedPackages, Set<String> allowedPackages) {}

  private PublicApiRule() {}

  /** The rule over {@code modules}, with nothing tolerated. */
  static ArchRule rule(List<ApiModule> modules) {
    return rule(modules, Set.of(), new HashSet<>());
  }

  /**
   * The rule over {@code modules}; a leak whose {@code "<type> exposes <third-party type>"} is in
   * {@code tolerated} is not reported but added to {@code toleratedSeen}.
   */
  static ArchRule rule(List<ApiModule> modules, Set<String> tolerated, Set<String> toleratedSeen) {
    Map<String, ApiModule> byPackage = new LinkedHashMap<>();
    modules.forEach(m -> m.exportedPackages().forEach(p -> byPackage.put(p, m)));
    return classes()
        .that(publicTypesIn(byPackage.keySet()))
        .should(useOnlyAllowedTypes(byPackage, tolerated, toleratedSeen))
        .allowEmptyShould(false);
  }

  /** The Bulwark modules found on the class path and module path of this JVM. */
  static List<ApiModule> bulwarkModules() {
    ModuleFinder finder = pathFinder();
    Set<String> javaBase =
        ModuleFinder.ofSystem().find("java.base").orElseThrow().descriptor().packages();
    List<ApiModule> out = new ArrayList<>();
    for (ModuleReference ref : finder.findAll()) {
      ModuleDescriptor d = ref.descriptor();
      if (!d.name().startsWith("io.bulwark.")) {
        continue;
      }
      Set<String> exported = new TreeSet<>();
      d.exports().stream().filter(e -> !e.isQualified()).forEach(e -> exported.add(e.source()));
      Set<String> allowed = new HashSet<>(javaBase);
      allowed.addAll(transitivePackages(d, finder));
      out.add(new ApiModule(d.name(), exported, allowed));
    }
    return out;
  }

  private static Set<String> transitivePackages(ModuleDescriptor module, ModuleFinder finder) {
    Set<String> packages = new HashSet<>();
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(transitiveRequires(module));
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!seen.add(name)) {
        continue;
      }
      Optional<ModuleReference> ref = finder.find(name);
      if (ref.isEmpty()) {
        throw new IllegalStateException(
            module.name() + " requires transitive " + name + ", which is on no path of this test");
      }
      packages.addAll(ref.get().descriptor().packages());
      todo.addAll(transitiveRequires(ref.get().descriptor()));
    }
    return packages;
  }

  private static Set<String> transitiveRequires(ModuleDescriptor module) {
    Set<String> names = new TreeSet<>(DECIDED_TRANSITIVE.getOrDefault(module.name(), Set.of()));
    module.requires().stream()
        .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
        .forEach(r -> names.add(r.name()));
    return names;
  }

  /** The system modules, then every module JAR or exploded module on the class and module path. */
  private static ModuleFinder pathFinder() {
    List<ModuleFinder> finders = new ArrayList<>();
    finders.add(ModuleFinder.ofSystem());
    for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
      String value = System.getProperty(property, "");
      for (String entry : value.split(File.pathSeparator, -1)) {
        Path path = Path.of(entry);
        boolean module =
            entry.endsWith(".jar") || Files.isRegularFile(path.resolve("module-info.class"));
        if (entry.isEmpty() || !module || !Files.exists(path)) {
          continue;
        }
        try {
          ModuleFinder single = ModuleFinder.of(path);
          single.findAll(); // fails here for a JAR that has no valid automatic module name
          finders.add(single);
        } catch (FindException e) {
          // not a module (e.g. a JAR whose file name gives no valid module name): nothing to read
        }
      }
    }
    return ModuleFinder.compose(finders.toArray(ModuleFinder[]::new));
  }

  private static DescribedPredicate<JavaClass> publicTypesIn(Set<String> packages) {
    return DescribedPredicate.describe(
        "are public types in exported packages",
        c -> packages.contains(c.getPackageName()) && isVisible(c));
  }

  private static boolean isVisible(JavaClass c) {
    Optional<JavaClass> enclosing = c.getEnclosingClass();
    return c.getModifiers().contains(JavaModifier.PUBLIC)
        && !c.isAnonymousClass()
        && !c.isLocalClass()
        && (enclosing.isEmpty() || isVisible(enclosing.get()));
  }

  private static ArchCondition<JavaClass> useOnlyAllowedTypes(
      Map<String, ApiModule> byPackage, Set<String> tolerated, Set<String> toleratedSeen) {
    return new ArchCondition<>(
        "use only JDK, Bulwark and requires-transitive types in signatures") {
      @Override
      public void check(JavaClass type, ConditionEvents events) {
        ApiModule module = byPackage.get(type.getPackageName());
        Map<String, JavaType> used = new LinkedHashMap<>();
        type.getSuperclass().ifPresent(s -> used.put("extends", s));
        type.getInterfaces().forEach(i -> used.put("implements " + i.getName(), i));
        for (JavaMember member : apiMembers(type)) {
          signatureTypes(member, used);
        }
        used.forEach(
            (where, t) -> {
              for (JavaClass raw : t.getAllInvolvedRawTypes()) {
                JavaClass base = raw.getBaseComponentType();
                String leak = type.getName() + " exposes " + base.getName();
                if (base.isPrimitive() || isAllowed(base, module)) {
                  continue;
                }
                if (tolerated.contains(leak)) {
                  toleratedSeen.add(leak);
                } else {
                  events.add(
                      SimpleConditionEvent.violated(
                          type,
                          String.format(
                              "%s (module %s) exposes %s in %s; %s is not a JDK, Bulwark or"
                                  + " requires-transitive type",
                              type.getName(),
                              module.name(),
                              base.getName(),
                              where,
                              base.getName())));
                }
              }
            });
      }
    };
  }

  private static List<JavaMember> apiMembers(JavaClass type) {
    List<JavaMember> members = new ArrayList<>();
    members.addAll(type.getFields());
    members.addAll(type.getMethods());
    members.addAll(type.getConstructors());
    members.removeIf(
        m ->
            m.getModifiers().contains(JavaModifier.SYNTHETIC)
                || m.getModifiers().contains(JavaModifier.BRIDGE)
                || !(m.getModifiers().contains(JavaModifier.PUBLIC)
                    || m.getModifiers().contains(JavaModifier.PROTECTED)));
    return members;
  }

  private static void signatureTypes(JavaMember member, Map<String, JavaType> used) {
    String where = member.getFullName();
    if (member instanceof JavaField field) {
      used.put(where, field.getType());
    } else if (member instanceof JavaCodeUnit unit) {
      used.put(where + " return", unit.getReturnType());
      List<JavaType> parameters = unit.getParameterTypes();
      for (int i = 0; i < parameters.size(); i++) {
        used.put(where + " parameter " + i, parameters.get(i));
      }
      unit.getThrowsClause().getTypes().forEach(t -> used.put(where + " throws " + t.getName(), t));
    }
  }

  private static boolean isAllowed(JavaClass type, ApiModule module) {
    String pkg = type.getPackageName();
    return pkg.startsWith("io.bulwark.") || module.allowedPackages().contains(pkg);
  }
}
