package io.sluice.inference.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs a native call on a thread with a 64 MB stack.
 *
 * <p>Why: creating ONNX Runtime's environment matches regular expressions against the process
 * command line for telemetry, and GCC's {@code std::regex} recurses once per character. With a
 * long class path (over about 10,000 characters, as a launcher that lists every jar produces) that
 * overflows a default 1 MB Java thread stack and the JVM dies with SIGSEGV and no crash report
 * (we reproduced it with ONNX Runtime 1.29; setting {@code ORT_DISABLE_TELEMETRY=1} in the
 * environment also avoids it). A thread with a large stack makes the library safe whatever
 * launched it.
 */
public final class LargeStack {

  private static final long STACK_BYTES = 64L << 20;

  private LargeStack() {}

  public static <T> T call(String name, Callable<T> work) throws Exception {
    FutureTask<T> task = new FutureTask<>(work);
    Thread thread = new Thread(null, task, name, STACK_BYTES);
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
