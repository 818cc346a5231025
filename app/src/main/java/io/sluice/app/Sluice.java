package io.sluice.app;

import io.sluice.app.cli.DemoCommand;
import io.sluice.app.cli.DescribeCommand;
import io.sluice.app.cli.DocsCommand;
import io.sluice.app.cli.GenerateCommand;
import io.sluice.app.cli.ModelCommand;
import io.sluice.app.cli.ServeCommand;
import io.sluice.app.cli.ValidateCommand;
import io.sluice.lab.cli.BenchCommand;
import io.sluice.lab.cli.EvalCommand;
import io.sluice.lab.cli.SoakCommand;
import io.sluice.runtime.cli.ExitCodes;
import io.sluice.runtime.cli.RunCommand;
import io.sluice.schemas.AvroTrust;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code sluice} command line. The measuring commands ({@code soak}, {@code eval},
 * {@code bench}) live in the lab module and are added only when the command line may need them:
 * {@code sluice run} and the other runtime commands start without loading a lab class.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Stream processing with small quantized language models for edge gateways.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  sluice demo --duration 30s          run brokers, gateway and a simulated fleet",
      "  sluice run edge-configs/demo.yaml   run a topology file",
      "  sluice serve --bundle DIR           serve a model over the OpenAI API",
      "",
      "Exit codes: 0 success, 1 a check or target failed, 2 bad usage or input, 3 runtime error."
    })
public final class Sluice implements Runnable {

  /** Commands that never need the lab; for these its commands are not even registered. */
  private static final Set<String> WITHOUT_LAB =
      Set.of("run", "serve", "validate", "describe", "generate", "model", "docs");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    AvroTrust.install();
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code, without exiting. */
  public static int execute(String... args) {
    return ExitCodes.configure(commandLine(args.length == 0 || !WITHOUT_LAB.contains(args[0])))
        .execute(args);
  }

  /** The whole command tree, lab commands included. */
  public static CommandLine commandLine() {
    return commandLine(true);
  }

  /** The command tree, in the order {@code --help} lists it; lab commands only when asked. */
  private static CommandLine commandLine(boolean withLab) {
    CommandLine root = new CommandLine(new Sluice());
    root.addSubcommand(new DemoCommand());
    root.addSubcommand(new RunCommand());
    root.addSubcommand(new ServeCommand());
    if (withLab) {
      root.addSubcommand(new SoakCommand());
    }
    root.addSubcommand(new ValidateCommand());
    root.addSubcommand(new DescribeCommand());
    if (withLab) {
      root.addSubcommand(new EvalCommand());
      root.addSubcommand(new BenchCommand());
    }
    root.addSubcommand(new GenerateCommand());
    root.addSubcommand(new ModelCommand());
    root.addSubcommand(new DocsCommand());
    root.addSubcommand("help", new CommandLine.HelpCommand());
    return root;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
