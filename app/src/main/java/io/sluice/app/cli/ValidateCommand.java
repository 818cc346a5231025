package io.sluice.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.topology.TopologyError;
import io.sluice.topology.TopologyException;
import io.sluice.topology.TopologyLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Checks topology files and prints every mistake. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check topology files; print every mistake with file:line:column, path and hint.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice validate edge-configs/*.yaml",
      "  sluice validate my-gateway.yaml --json",
      "",
      "Exit codes: 0 all valid, 1 at least one file has mistakes, 2 bad usage."
    })
public final class ValidateCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Topology files (YAML).")
  List<Path> files;

  @Option(names = "--json", description = "Print one JSON object: files, valid, errors.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TopologyLoader loader = new TopologyLoader();
    List<TopologyError> errors = new ArrayList<>();
    int valid = 0;
    for (Path file : files) {
      try {
        loader.load(file);
        valid++;
        if (!json) {
          System.out.println(file + ": valid");
        }
      } catch (TopologyException e) {
        errors.addAll(e.errors());
        if (!json) {
          e.errors().forEach(System.out::println);
        }
      }
    }
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("files", files.size());
      out.put("valid", valid);
      out.put("errors", errors.stream().map(e -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", e.file());
        m.put("line", e.line());
        m.put("column", e.column());
        m.put("path", e.path());
        m.put("message", e.message());
        m.put("hint", e.hint());
        return m;
      }).toList());
      System.out.println(new ObjectMapper().writeValueAsString(out));
    } else if (!errors.isEmpty()) {
      System.out.println(errors.size() + (errors.size() == 1 ? " mistake" : " mistakes")
          + " in " + (files.size() - valid) + " of " + files.size() + " files");
    }
    return errors.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
