package io.sluice.app.cli;

import io.sluice.inference.BundleException;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.ModelBundle;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows what a bundle is: its manifest, files, digest and who says they signed it. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {"Show a bundle: id, files, digest and signer.",
      "Files with sizes and SHA-256 (each checked), the digest to pin in a topology, and the key",
      "id of its signature (checked by verify, not here)."},
    footerHeading = "%nExample:%n",
    footer = {"  sluice model inspect classpath:all-minilm-l6-v2-q --json", "",
      "Exit codes: 0 shown, 1 the files do not match the manifest, 2 bad usage."})
public final class ModelInspectCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUNDLE",
      description = "Bundle folder, its bundle.json, or classpath:NAME.")
  String reference;

  @Option(names = "--json", description = "Print one JSON object with every field shown.")
  boolean json;

  @Override
  public Integer call() {
    ModelBundle bundle;
    try {
      bundle = ModelBundles.load(reference);
    } catch (BundleException e) {
      return ModelBundles.refused(spec, json, reference, e);
    }
    BundleManifest m = bundle.manifest();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("bundle", bundle.id());
    report.put("reference", bundle.reference());
    report.put("name", m.name());
    report.put("version", m.version());
    report.put("task", m.task().id());
    report.put("description", m.description());
    report.put("license", m.license());
    List<Map<String, Object>> files = new ArrayList<>();
    m.files().forEach((role, entry) -> {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("role", role);
      f.put("path", entry.path());
      f.put("bytes", bundle.file(role).length);
      f.put("sha256", entry.sha256());
      files.add(f);
    });
    report.put("files", files);
    report.put("digest", bundle.digest());
    report.put("signedBy", m.signature() == null ? null : m.signature().keyId());
    report.put("shipped", bundle.shipped());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      CliOutput.printJsonLine(out, report);
      return ExitCodes.OK;
    }
    out.printf("%s (%s)%n  task      %s%n  digest    %s%n  signature %s%n  files%n", bundle.id(),
        bundle.reference(), m.task().id(), bundle.digest(), m.signature() == null
            ? (bundle.shipped() ? "none (shipped in the jar: trusted as shipped)" : "none")
            : "by key " + m.signature().keyId() + " (run verify to check it)");
    for (Map<String, Object> f : files) {
      out.printf("    %-10s %-40s %,12d bytes  sha256 %s (checked)%n", f.get("role"),
          f.get("path"), (Integer) f.get("bytes"), f.get("sha256"));
    }
    return ExitCodes.OK;
  }
}
