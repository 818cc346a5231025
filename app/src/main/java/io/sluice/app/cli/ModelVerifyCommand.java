package io.sluice.app.cli;

import io.sluice.inference.BundleException;
import io.sluice.inference.BundleKeys;
import io.sluice.inference.BundleVerification;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.TrustPolicy;
import io.sluice.inference.TrustedKey;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Checks a bundle the way a gateway does before running it. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {"Check a bundle as a gateway does before it runs it.",
      "Every file against the manifest, the digest against a pinned one, the signature against",
      "trusted keys."},
    footerHeading = "%nExample:%n",
    footer = {"  sluice model verify models/triage --trusted-key keys/publisher.pub --json", "",
      "Exit codes: 0 trusted, 1 refused (tampered, unsigned, unknown key, other digest),",
      "2 bad usage."})
public final class ModelVerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUNDLE",
      description = "Bundle folder, its bundle.json, or classpath:NAME.")
  String reference;

  @Option(names = "--trusted-key", paramLabel = "FILE",
      description = "A trusted public key (PEM); repeat for several.")
  List<Path> trustedKeys = List.of();

  @Option(names = "--digest", paramLabel = "sha256:HEX",
      description = "The digest the bundle must have.")
  String digest;

  @Option(names = "--allow-unsigned", description = "Accept an unsigned bundle (development).")
  boolean allowUnsigned;

  @Option(names = "--json", description = "Print one JSON object: bundle, ok, digest, trust,"
      + " signer, or error.")
  boolean json;

  @Override
  public Integer call() {
    TrustPolicy policy;
    try {
      List<TrustedKey> keys = trustedKeys.stream().map(BundleKeys::readTrustedKey).toList();
      policy = new TrustPolicy(keys, Optional.ofNullable(digest), allowUnsigned);
    } catch (BundleException | IllegalArgumentException e) {
      throw new ExitCodes.UsageError(e.getMessage());
    }
    BundleVerification verification;
    ModelBundle bundle;
    try {
      bundle = ModelBundles.load(reference);
      verification = bundle.verify(policy);
    } catch (BundleException e) {
      return ModelBundles.refused(spec, json, reference, e);
    }
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("bundle", verification.bundleId());
      report.put("reference", verification.reference());
      report.put("ok", true);
      report.put("digest", verification.digest());
      report.put("trust", verification.trust().name());
      report.put("signer", verification.signerId());
      CliOutput.printJsonLine(spec.commandLine().getOut(), report);
    } else {
      spec.commandLine().getOut().printf("%s: trusted (%s, signer %s); digest %s%n", bundle,
          verification.trust(), verification.signerId(), verification.digest());
    }
    return ExitCodes.OK;
  }
}
