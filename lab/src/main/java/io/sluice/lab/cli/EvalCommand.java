package io.sluice.lab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** Groups the evaluation harnesses that score Sluice on public data sets. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Score Sluice on a public data set (see ../shared/data/README.md).",
    subcommands = {EvalClinc150Command.class, EvalNabCommand.class,
      EvalLabelScoringCommand.class, EvalLearningLoopCommand.class, EvalMaintieCommand.class,
      EvalOracleServerCommand.class},
    footerHeading = "%nExample:%n",
    footer = "  sluice eval nab --data ../shared/data/nab --windows ../shared/data/nab/combined_windows.json --json")
public final class EvalCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: pick one of "
        + spec.subcommands().keySet());
  }
}
