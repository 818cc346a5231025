package io.sluice.app.cli;

import io.sluice.inference.BundleException;
import io.sluice.inference.ModelBundle;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** Loading bundles for the model commands: a missing path is a usage error, a bad bundle fails. */
final class ModelBundles {

  private ModelBundles() {}

  /** Loads {@code classpath:NAME} or a folder path; throws a usage error when nothing is there. */
  static ModelBundle load(String reference) {
    if (!reference.startsWith(ModelBundle.CLASSPATH) && !Files.exists(Path.of(reference))) {
      throw new ExitCodes.UsageError("No bundle at " + reference
          + ": give a folder with bundle.json, the bundle.json itself, or classpath:NAME");
    }
    return ModelBundle.load(reference);
  }

  /** Reports a refused bundle on stderr (and as the JSON line) and returns {@code FAILED}. */
  static int refused(CommandSpec spec, boolean json, String reference, BundleException e) {
    spec.commandLine().getErr().println(e.getMessage());
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("bundle", reference);
      report.put("ok", false);
      report.put("error", e.getMessage());
      CliOutput.printJsonLine(spec.commandLine().getOut(), report);
    }
    return ExitCodes.FAILED;
  }
}
