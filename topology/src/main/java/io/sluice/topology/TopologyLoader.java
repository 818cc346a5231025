package io.sluice.topology;

import io.sluice.topology.internal.TopologyFormat;
import io.sluice.topology.step.StepKinds;
import io.sluice.topology.internal.schema.Reader;
import io.sluice.topology.internal.schema.SchemaDocs;
import io.sluice.topology.spec.TopologySpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads topology files. Every mistake in a file is reported at once, each with file, line,
 * column, path, the bad value and what was expected ({@link TopologyException#errors()}).
 */
public final class TopologyLoader {

  private final Function<String, String> environment;
  private final StepKinds kinds;

  /** A loader that fills {@code ${VAR}} from the process environment. */
  public TopologyLoader() {
    this(System::getenv);
  }

  public TopologyLoader(Function<String, String> environment) {
    this(environment, StepKinds.builtIn());
  }

  /** A loader whose pipelines may use {@code kinds}. */
  public TopologyLoader(Function<String, String> environment, StepKinds kinds) {
    this.environment = environment;
    this.kinds = kinds;
  }

  public TopologySpec load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new TopologyException(List.of(new TopologyError(file.toString(), 0, 0, "",
          "file not found", "check the path")));
    } catch (IOException e) {
      throw new TopologyException(List.of(new TopologyError(file.toString(), 0, 0, "",
          "cannot read the file: " + e.getMessage(), "")));
    }
    return parse(text, file.toString());
  }

  public TopologySpec parse(String yaml, String fileName) {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(true); // reported by our reader, with the line
      options.setMaxAliasesForCollections(20);
      root = new Yaml(options).compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      int column = e.getProblemMark() == null ? 0 : e.getProblemMark().getColumn() + 1;
      throw new TopologyException(List.of(new TopologyError(fileName, line, column, "",
          "not valid YAML: " + e.getProblem(), "check indentation and quoting near this line")));
    } catch (RuntimeException e) {
      throw new TopologyException(List.of(new TopologyError(fileName, 0, 0, "",
          "not valid YAML: " + e.getMessage(), "")));
    }
    if (root == null) {
      throw new TopologyException(List.of(new TopologyError(fileName, 1, 1, "",
          "the file is empty", "start with apiVersion: sluice/v1")));
    }
    Reader reader = new Reader(fileName, environment);
    TopologySpec spec = TopologyFormat.topology(fileName, kinds).read(root, reader);
    if (reader.hasErrors() || spec == null) {
      throw new TopologyException(reader.errors());
    }
    return spec;
  }

  /** The editor JSON Schema of topology files, as nested maps and lists. */
  public static Map<String, Object> jsonSchema() {
    return jsonSchema(StepKinds.builtIn());
  }

  /** The editor JSON Schema of topology files whose pipelines may use {@code kinds}. */
  public static Map<String, Object> jsonSchema(StepKinds kinds) {
    return SchemaDocs.jsonSchema(TopologyFormat.topology("", kinds),
        "https://sluice.io/schema/sluice-topology.schema.json", "Sluice topology");
  }

  /** The reference page of topology files, in Markdown. */
  public static String referenceMarkdown() {
    return SchemaDocs.markdown(TopologyFormat.topology("", StepKinds.builtIn()), "Topology file reference",
        "Generated from the declarations in `topology/src/main/java/io/sluice/topology/internal/"
            + "TopologyFormat.java` and the step kinds in `topology/src/main/java/io/sluice/"
            + "topology/step/` by `sluice docs`; do not edit by hand.\n\n"
            + "Values may name environment variables: `${MQTT_PASSWORD}` or"
            + " `${MQTT_PASSWORD:-default}`. Unknown fields are errors.");
  }
}
