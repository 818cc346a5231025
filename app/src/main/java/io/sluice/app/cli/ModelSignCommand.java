package io.sluice.app.cli;

import io.sluice.inference.BundleException;
import io.sluice.inference.BundleKeys;
import io.sluice.inference.BundleManifest;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.TrustedKey;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Signs a folder bundle's manifest in place. */
@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {"Sign a folder bundle with an Ed25519 key.",
      "Checks every file against the manifest first, then signs the manifest (which holds every",
      "file's SHA-256); bundle.json is rewritten with the signature."},
    footerHeading = "%nExample:%n",
    footer = {"  sluice model sign models/triage --key keys/publisher.key --json", "",
      "Exit codes: 0 signed, 1 the bundle's files do not match its manifest, 2 bad usage,",
      "3 could not write."})
public final class ModelSignCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUNDLE", description = "Bundle folder or its bundle.json.")
  Path bundlePath;

  @Option(names = "--key", required = true, paramLabel = "FILE",
      description = "Private key (PKCS#8 PEM), e.g. made by sluice model keygen.")
  Path key;

  @Option(names = "--public-key", paramLabel = "FILE",
      description = "Its public key (PEM); default: the .pub file beside the .key file.")
  Path publicKey;

  @Option(names = "--json", description = "Print one JSON object: bundle, digest, keyId.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    Path pub = publicKey != null ? publicKey
        : Path.of(key.toString().replaceFirst("\\.key$", "") + ".pub");
    if (!Files.exists(key) || !Files.exists(pub)) {
      throw new ExitCodes.UsageError("No key file " + (Files.exists(key) ? pub : key)
          + (publicKey == null && Files.exists(key) ? " (give --public-key)" : ""));
    }
    ModelBundle bundle;
    try {
      bundle = ModelBundles.load(bundlePath.toString());
    } catch (BundleException e) {
      return ModelBundles.refused(spec, json, bundlePath.toString(), e);
    }
    TrustedKey signer = BundleKeys.readTrustedKey(pub);
    BundleManifest signed = bundle.sign(BundleKeys.readPrivateKey(key), signer);
    Path manifestFile = Files.isDirectory(bundlePath)
        ? bundlePath.resolve(ModelBundle.MANIFEST_FILE) : bundlePath;
    Path temporary = manifestFile.resolveSibling(manifestFile.getFileName() + ".tmp");
    Files.write(temporary, ModelBundle.write(signed));
    Files.move(temporary, manifestFile, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("bundle", bundle.id());
      report.put("manifest", manifestFile.toString());
      report.put("digest", bundle.digest());
      report.put("keyId", signer.keyId());
      CliOutput.printJsonLine(spec.commandLine().getOut(), report);
    } else {
      spec.commandLine().getOut().printf("signed %s with key %s; digest %s%n", bundle.id(),
          signer.keyId(), bundle.digest());
    }
    return ExitCodes.OK;
  }
}
