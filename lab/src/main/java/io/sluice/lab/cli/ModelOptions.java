package io.sluice.lab.cli;

import io.sluice.inference.ModelBundle;
import picocli.CommandLine.Option;

/** Options every command that runs an encoder shares: which bundle, and JSON output. */
public final class ModelOptions {

  @Option(names = "--model", paramLabel = "BUNDLE", defaultValue = ModelBundle.DEFAULT,
      description = "Encoder bundle: classpath:NAME or a folder (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--json", description = "End with one line of JSON holding every figure.")
  boolean json;

  /** The encoder bundle: classpath:NAME or a folder. */
  public String model() {
    return model;
  }

  /** Whether to end with one line of JSON. */
  public boolean json() {
    return json;
  }
}
