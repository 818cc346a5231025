package io.sluice.runtime.cli;

import io.sluice.inference.SessionSettings;
import io.sluice.inference.generate.DecoderOptions;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every command that opens a decoder shares: which ONNX file, how many threads. */
public final class DecoderOptionsMixin {

  @Option(names = "--int8", description = "Use model_quantized.onnx instead of model.onnx.")
  boolean int8;

  @Option(names = "--threads", paramLabel = "N",
      description = "ONNX Runtime intra-op threads (default: available cores).")
  Integer threads;

  public DecoderOptions options() {
    int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    if (n < 1) {
      throw new ExitCodes.UsageError("--threads must be at least 1, got " + n);
    }
    return new DecoderOptions(int8 ? DecoderOptions.INT8 : DecoderOptions.FP32,
        SessionSettings.threads(n), Optional.empty());
  }
}
