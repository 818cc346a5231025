package io.sluice.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.topology.TopologyLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the generated reference files: the topology JSON Schema and reference page, and the
 * metrics reference.
 */
@Command(
    name = "docs",
    mixinStandardHelpOptions = true,
    description = "Write the files generated from declarations: the editor JSON Schema of topology"
        + " files, docs/topology-reference.md and docs/metrics.md.",
    footerHeading = "%nExample:%n",
    footer = {"  sluice docs --root .", "", "Exit codes: 0 written, 3 could not write."})
public final class DocsCommand implements Callable<Integer> {

  @Option(names = "--root", defaultValue = ".", description = "Repository root.")
  Path root;

  @Option(names = "--json", description = "Print one JSON object naming the files written.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Map<String, String> files = generated();
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path target = root.resolve(f.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, f.getValue(), StandardCharsets.UTF_8);
      if (!json) {
        System.out.println("wrote " + target);
      }
    }
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(Map.of("written", files.keySet())));
    }
    return ExitCodes.OK;
  }

  /** Path relative to the repository root, to content. */
  public static Map<String, String> generated() throws Exception {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("edge-configs/schema/sluice-topology.schema.json", new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(TopologyLoader.jsonSchema()) + "\n");
    files.put("docs/topology-reference.md", TopologyLoader.referenceMarkdown());
    files.put("docs/metrics.md", MetricsReference.markdown());
    return files;
  }
}
