package io.sluice.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sluice.inference.internal.NoMeters;
import io.sluice.inference.internal.onnx.QuantizationRewriter;
import io.sluice.inference.internal.onnx.QuantizationRewriter.DynamicQuantizer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the activation ranges that make a dynamically quantized encoder batch-invariant (see
 * {@link BundleManifest.Quantization}).
 *
 * <p>Each calibration text runs alone, so no padding and no batch-mate widens a range; the range
 * kept for each quantized tensor is the union over all texts. The model is run with the scale and
 * zero point of every dynamic quantizer exposed as extra outputs, from which the range it saw is
 * recovered exactly.
 */
public final class QuantizationCalibrator {

  private QuantizationCalibrator() {}

  /** The range of every quantized tensor over {@code texts}, keyed by quantizer input. */
  public static Map<String, ActivationRange> calibrate(ModelBundle bundle, List<String> texts) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("Calibration needs at least one text");
    }
    byte[] model = bundle.model();
    List<DynamicQuantizer> quantizers = QuantizationRewriter.dynamicQuantizers(model);
    if (quantizers.isEmpty()) {
      throw new InferenceException("Model '" + bundle.id() + "' has no dynamic quantizers to "
          + "calibrate");
    }
    BundleManifest.Tensors tensors = bundle.manifest().tensorsOrDefault();
    Map<String, ActivationRange> ranges = new HashMap<>();
    try (TextTokenizer tokenizer = TextTokenizer.open(bundle, NoMeters.registry());
        OnnxSession session = OnnxSession.open(bundle.id() + "/calibration",
            QuantizationRewriter.exposeDynamicQuantization(model), SessionSettings.threads(2))) {
      boolean tokenTypes = tensors.tokenTypeIds() != null
          && session.inputNames().contains(tensors.tokenTypeIds());
      for (TokenizedText text : tokenizer.tokenize(texts)) {
        long[] shape = {1, text.length()};
        long[] mask = new long[text.length()];
        java.util.Arrays.fill(mask, 1L);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
          inputs.put(tensors.inputIds(), tensor(text.ids(), shape));
          inputs.put(tensors.attentionMask(), tensor(mask, shape));
          if (tokenTypes) {
            inputs.put(tensors.tokenTypeIds(), tensor(text.typeIds(), shape));
          }
          try (OrtSession.Result result = session.run(inputs)) {
            for (DynamicQuantizer quantizer : quantizers) {
              float scale = (Float) ((OnnxTensor) result.get(quantizer.scale()).orElseThrow())
                  .getValue();
              int zeroPoint = Byte.toUnsignedInt((Byte) ((OnnxTensor) result
                  .get(quantizer.zeroPoint()).orElseThrow()).getValue());
              ranges.merge(quantizer.input(), QuantizationRewriter.rangeOf(scale, zeroPoint),
                  ActivationRange::union);
            }
          }
        } catch (OrtException e) {
          throw new InferenceException("Calibration of model '" + bundle.id() + "' failed: "
              + e.getMessage(), e);
        } finally {
          inputs.values().forEach(OnnxTensor::close);
        }
      }
    }
    return QuantizationRewriter.ordered(model, ranges);
  }

  /** The bundle's manifest with static quantization over ranges measured on {@code texts}. */
  public static BundleManifest calibratedManifest(ModelBundle bundle, List<String> texts,
      String provenance) {
    return bundle.manifest().withQuantization(new BundleManifest.Quantization(
        BundleManifest.Quantization.STATIC, provenance, calibrate(bundle, texts)));
  }

  private static OnnxTensor tensor(long[] values, long[] shape) throws OrtException {
    return OnnxTensor.createTensor(OnnxSession.environment(), LongBuffer.wrap(values), shape);
  }
}
