package io.sluice.inference.generate;

import io.sluice.inference.SessionSettings;
import java.util.Optional;

/**
 * How to open a decoder folder.
 *
 * @param modelFile the ONNX file inside the folder (or its {@code onnx/} subfolder):
 *     {@code model.onnx} (fp32) or {@code model_quantized.onnx} (int8), as Optimum and
 *     transformers.js name them
 * @param session ONNX Runtime thread settings
 * @param version the model version that keys the prefix cache; empty: the SHA-256 of the model file
 */
public record DecoderOptions(String modelFile, SessionSettings session, Optional<String> version) {

  public static final String FP32 = "model.onnx";
  public static final String INT8 = "model_quantized.onnx";

  public DecoderOptions {
    if (modelFile == null || modelFile.isBlank()) {
      throw new IllegalArgumentException("modelFile must name an ONNX file, e.g. " + FP32);
    }
  }

  /** {@code model.onnx} with one intra-op thread per available core. */
  public static DecoderOptions fp32() {
    return new DecoderOptions(FP32, defaultSession(), Optional.empty());
  }

  /** {@code model_quantized.onnx} with one intra-op thread per available core. */
  public static DecoderOptions int8() {
    return new DecoderOptions(INT8, defaultSession(), Optional.empty());
  }

  public DecoderOptions withSession(SessionSettings settings) {
    return new DecoderOptions(modelFile, settings, version);
  }

  public DecoderOptions withVersion(String newVersion) {
    return new DecoderOptions(modelFile, session, Optional.of(newVersion));
  }

  private static SessionSettings defaultSession() {
    return SessionSettings.threads(Math.max(1, Runtime.getRuntime().availableProcessors()));
  }
}
