package io.sluice.runtime.cli;

import io.sluice.schemas.AvroTrust;
import picocli.CommandLine;

/**
 * Runs one topology file with nothing but the runtime on the class path: the same command as
 * {@code sluice run}, for processes that a supervisor starts (the lab's soak drill, a slim
 * container). {@code java -cp ... io.sluice.runtime.cli.GatewayMain gateway.yaml --admin-port 0}.
 */
public final class GatewayMain {

  private GatewayMain() {}

  public static void main(String[] args) {
    AvroTrust.install();
    System.exit(ExitCodes.configure(new CommandLine(new RunCommand())).execute(args));
  }
}
