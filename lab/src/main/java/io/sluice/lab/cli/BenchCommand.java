package io.sluice.lab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** Groups the benchmarks that print the figures recorded in docs/BENCHMARKS.md. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure throughput, latency and memory; results go in docs/BENCHMARKS.md.",
    subcommands = {BenchPipelineCommand.class, BenchInferenceCommand.class,
      GenerateBenchCommand.class, BenchAdminCommand.class, BenchCloudCommand.class,
      BenchSourcesCommand.class},
    footerHeading = "%nExample:%n",
    footer = "  sluice bench pipeline --json")
public final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: pick one of "
        + spec.subcommands().keySet());
  }
}
