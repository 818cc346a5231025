package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The module graph drawn in docs/ARCHITECTURE.md is the reactor's, edge for edge. */
class ArchitectureDiagramTest {

  private static final Pattern EDGE = Pattern.compile("^\\s*([a-z]+)\\s*-->\\s*([a-z]+)\\s*$");

  @Test
  void theDiagramShowsEveryModuleDependencyAndNoOther() {
    List<String> lines = Reactor.lines(Reactor.root().resolve("docs/ARCHITECTURE.md"));
    int start = lines.indexOf("```mermaid");
    assertThat(start).as("a ```mermaid block in docs/ARCHITECTURE.md").isNotNegative();
    Set<String> drawn = new TreeSet<>();
    List<String> unreadable = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.equals("```")) {
        break;
      }
      Matcher m = EDGE.matcher(line);
      if (m.matches()) {
        drawn.add(m.group(1) + " --> " + m.group(2));
      } else if (line.contains("-->")) {
        unreadable.add(line);
      }
    }
    Set<String> declared = new TreeSet<>();
    for (Map.Entry<String, Set<String>> module : Reactor.modules().entrySet()) {
      module.getValue().forEach(dep -> declared.add(module.getKey() + " --> " + dep));
    }
    assertThat(unreadable).as("edges written as `a --> b`").isEmpty();
    assertThat(drawn).as("edges in docs/ARCHITECTURE.md against the poms")
        .containsExactlyElementsOf(declared);
  }
}
