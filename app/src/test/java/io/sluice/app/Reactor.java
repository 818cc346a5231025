package io.sluice.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Maven reactor as the poms declare it: each module (its folder, which is also its package
 * under {@code io.sluice}) and the Sluice modules it depends on directly. The boundary tests take
 * the allowed dependencies from here, so the poms stay the one place they are written.
 */
final class Reactor {

  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern DEPENDENCY = Pattern.compile(
      "<dependency>\\s*<groupId>io\\.sluice</groupId>\\s*<artifactId>sluice-([a-z]+)</artifactId>");

  private Reactor() {}

  /** The repository's root: the parent of this module's folder. */
  static Path root() {
    return Path.of("").toAbsolutePath().getParent();
  }

  /** Module to the modules it declares, in the root pom's order. */
  static Map<String, Set<String>> modules() {
    Map<String, Set<String>> modules = new LinkedHashMap<>();
    Matcher m = MODULE.matcher(read(root().resolve("pom.xml")));
    while (m.find()) {
      String module = m.group(1).trim();
      Set<String> deps = new LinkedHashSet<>();
      String pom = read(root().resolve(module).resolve("pom.xml"));
      int start = pom.indexOf("<dependencies>");
      Matcher d = DEPENDENCY.matcher(start < 0 ? "" : pom.substring(start));
      while (d.find()) {
        deps.add(d.group(1));
      }
      modules.put(module, deps);
    }
    return modules;
  }

  /** Everything {@code module} may use: what it declares, and what those declare, and so on. */
  static Set<String> reachable(Map<String, Set<String>> modules, String module) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(modules.get(module));
    while (!todo.isEmpty()) {
      String next = todo.pop();
      if (seen.add(next)) {
        todo.addAll(modules.getOrDefault(next, Set.of()));
      }
    }
    return seen;
  }

  static String packageOf(String module) {
    return "io.sluice." + module;
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    return String.join("\n", lines(file));
  }
}
