package io.sluice.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups the commands that make keys and sign, verify and inspect model bundles. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Sign, verify and inspect model bundles (Ed25519; see docs/operations.md).",
    subcommands = {ModelKeygenCommand.class, ModelSignCommand.class, ModelVerifyCommand.class,
      ModelInspectCommand.class},
    footerHeading = "%nExample:%n",
    footer = {
      "  sluice model keygen --out keys/publisher",
      "  sluice model sign my-bundle --key keys/publisher.key",
      "  sluice model verify my-bundle --trusted-key keys/publisher.pub"
    })
public final class ModelCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: pick one of "
        + spec.subcommands().keySet());
  }
}
