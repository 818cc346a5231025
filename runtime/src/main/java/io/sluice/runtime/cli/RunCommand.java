package io.sluice.runtime.cli;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.Sluice;
import io.sluice.topology.TopologyException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs a topology until the process is told to stop. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run a topology file until stopped (Ctrl-C or SIGTERM shut it down gracefully).",
    footerHeading = "%nExample:%n",
    footer = {
      "  SLUICE_ADMIN_TOKEN=$(openssl rand -hex 32) sluice run edge-configs/demo.yaml",
      "  (admin API and dashboard on port 8080; without a token on 127.0.0.1 only)",
      "",
      "Exit codes: 0 stopped cleanly, 2 invalid topology file or options, 3 could not start"
          + " (a model bundle refused, a broker unreachable)."
    })
public final class RunCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (YAML).")
  Path file;

  @Mixin AdminOptions adminOptions;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Folder for state and embedded brokers' data. Default: .sluice/<name>.")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    Sluice sluice;
    try {
      sluice = Sluice.load(file);
    } catch (TopologyException e) {
      System.err.println(e.getMessage());
      return ExitCodes.USAGE;
    }
    sluice = sluice.withAdmin(adminOptions.settings(System.getenv()));
    if (dataDir != null) {
      sluice = sluice.withDataDir(dataDir);
    }
    Gateway gateway = sluice.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "sluice-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }
}
