package io.sluice.lab.cli;

import io.sluice.runtime.cli.ExitCodes;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

/** The lab's commands under a root named like the real one, for tests without the app module. */
final class LabCommandLine {

  private LabCommandLine() {}

  static CommandLine root() {
    CommandLine root = new CommandLine(CommandSpec.create().name("sluice"));
    root.addSubcommand(new EvalCommand());
    root.addSubcommand(new BenchCommand());
    root.addSubcommand(new SoakCommand());
    return ExitCodes.configure(root);
  }
}
