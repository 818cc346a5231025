package io.sluice.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.runtime.cli.TopologyFiles;
import io.sluice.topology.TopologyDescriber;
import io.sluice.topology.TopologyException;
import io.sluice.topology.spec.TopologySpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Shows a topology as a graph. */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description = "Show a topology as a readable graph, in text and as a Mermaid flowchart.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice describe edge-configs/factory-line.yaml",
      "  sluice describe edge-configs/demo.yaml --mermaid > demo.mmd",
      "",
      "Exit codes: 0 described, 2 invalid file."
    })
public final class DescribeCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (YAML).")
  Path file;

  @Option(names = "--mermaid", description = "Print only the Mermaid flowchart.")
  boolean mermaidOnly;

  @Option(names = "--json", description = "Print one JSON object with text and mermaid.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TopologySpec spec;
    try {
      spec = TopologyFiles.load(file, null);
    } catch (TopologyException e) {
      System.err.println(e.getMessage());
      return ExitCodes.USAGE;
    }
    String text = TopologyDescriber.text(spec);
    String mermaid = TopologyDescriber.mermaid(spec);
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", spec.metadata().name());
      out.put("kind", spec.kind().name());
      out.put("text", text);
      out.put("mermaid", mermaid);
      System.out.println(new ObjectMapper().writeValueAsString(out));
    } else if (mermaidOnly) {
      System.out.print(mermaid);
    } else {
      System.out.print(text);
      System.out.println();
      System.out.println("```mermaid");
      System.out.print(mermaid);
      System.out.println("```");
    }
    return ExitCodes.OK;
  }
}
