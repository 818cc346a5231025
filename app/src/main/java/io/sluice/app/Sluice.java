package io.sluice.app;

import io.sluice.app.cli.BenchCommand;
import io.sluice.app.cli.DemoCommand;
import io.sluice.app.cli.DescribeCommand;
import io.sluice.app.cli.DocsCommand;
import io.sluice.app.cli.EvalCommand;
import io.sluice.app.cli.ExitCodes;
import io.sluice.app.cli.GenerateCommand;
import io.sluice.app.cli.ModelCommand;
import io.sluice.app.cli.RunCommand;
import io.sluice.app.cli.SoakCommand;
import io.sluice.app.cli.ValidateCommand;
import io.sluice.schemas.AvroTrust;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command line. */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Stream processing with small quantized language models for edge gateways.",
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      SoakCommand.class,
      ValidateCommand.class,
      DescribeCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      GenerateCommand.class,
      ModelCommand.class,
      DocsCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice demo --duration 30s          run brokers, gateway and a simulated fleet",
      "  sluice run edge-configs/demo.yaml   run a topology file",
      "",
      "Exit codes: 0 success, 1 a check or target failed, 2 bad usage or input, 3 runtime error."
    })
public final class Sluice implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    AvroTrust.install();
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code, without exiting. */
  public static int execute(String... args) {
    return ExitCodes.configure(new CommandLine(new Sluice())).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
