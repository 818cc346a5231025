package io.sluice.app.cli;

import io.sluice.inference.BundleKeys;
import io.sluice.runtime.cli.CliOutput;
import io.sluice.runtime.cli.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Makes an Ed25519 key pair for signing bundles. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {"Make an Ed25519 key pair for signing bundles.",
      "NAME.key (PKCS#8 PEM, private, mode 600) signs bundles; NAME.pub (X.509 PEM) goes into",
      "topologies' trustedKeys."},
    footerHeading = "%nExample:%n",
    footer = {"  sluice model keygen --out keys/publisher --json", "",
      "Exit codes: 0 written, 2 a file exists already (no --force), 3 could not write."})
public final class ModelKeygenCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "NAME",
      description = "Path and base name of the key files (NAME.key and NAME.pub).")
  Path out;

  @Option(names = "--force", description = "Overwrite existing key files.")
  boolean force;

  @Option(names = "--json", description = "Print one JSON object: privateKey, publicKey, keyId.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    Path privateFile = Path.of(out + ".key");
    Path publicFile = Path.of(out + ".pub");
    for (Path p : new Path[] {privateFile, publicFile}) {
      if (Files.exists(p) && !force) {
        throw new ExitCodes.UsageError(p + " exists already; pick another --out or add --force");
      }
    }
    KeyPair pair = BundleKeys.generate(new SecureRandom());
    if (privateFile.toAbsolutePath().getParent() != null) {
      Files.createDirectories(privateFile.toAbsolutePath().getParent());
    }
    writePrivate(privateFile, BundleKeys.privateKeyPem(pair.getPrivate()));
    Files.writeString(publicFile, BundleKeys.publicKeyPem(pair.getPublic()),
        StandardCharsets.US_ASCII);
    String keyId = BundleKeys.keyId(pair.getPublic());
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("privateKey", privateFile.toString());
      report.put("publicKey", publicFile.toString());
      report.put("keyId", keyId);
      CliOutput.printJsonLine(spec.commandLine().getOut(), report);
    } else {
      spec.commandLine().getOut().printf("wrote %s (keep it secret) and %s; key id %s%n",
          privateFile, publicFile, keyId);
    }
    return ExitCodes.OK;
  }

  private static void writePrivate(Path file, String pem) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      throw new IOException(file + " appeared while writing it", e);
    }
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }
}
