package io.sluice.runtime.cli;

import picocli.CommandLine;

/**
 * The exit codes every {@code sluice} command uses. Commands return these from {@code call()};
 * bad usage is mapped to {@link #USAGE} by picocli and any uncaught exception to {@link #ERROR},
 * printed as one line without a stack trace unless {@code SLUICE_DEBUG} is set.
 */
public final class ExitCodes {

  /** Everything worked and every check passed. */
  public static final int OK = 0;
  /** The command ran but a check failed: an invalid topology, a missed target, lost records. */
  public static final int FAILED = 1;
  /** Bad arguments or unreadable input. */
  public static final int USAGE = 2;
  /** Something broke while running: a broker unreachable, a model that failed. */
  public static final int ERROR = 3;

  private ExitCodes() {}

  public static CommandLine configure(CommandLine commandLine) {
    return commandLine
        .setExitCodeExceptionMapper(e -> ERROR)
        .setExecutionExceptionHandler((e, cmd, parseResult) -> {
          cmd.getErr().println(cmd.getColorScheme().errorText(
              "sluice " + cmd.getCommandName() + ": " + describe(e)));
          if (System.getenv("SLUICE_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
          }
          return e instanceof UsageError ? USAGE : ERROR;
        })
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** Thrown by a command for input it cannot use; exits with {@link #USAGE}. */
  public static final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageError(String message) {
      super(message);
    }
  }
}
