package io.sluice.inference.generate;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything a {@code generate} step needs, as the topology file gives it.
 *
 * @param bundle the decoder folder (Optimum / transformers.js layout)
 * @param modelFile {@link DecoderOptions#FP32} or {@link DecoderOptions#INT8}
 * @param prompt the versioned prompt template filled from each record
 * @param output the shape the output must have (JSON Schema or regex); empty for free text
 * @param maxNewTokens at most this many generated tokens per record
 * @param sampling greedy or seeded sampling
 * @param stopStrings free-text outputs end at the first of these
 * @param draft a draft model folder for speculative decoding (greedy only, one record at a time)
 * @param lookahead tokens the draft proposes per round
 */
public record GenerateSpec(
    Path bundle,
    String modelFile,
    PromptTemplate prompt,
    Optional<OutputConstraint> output,
    int maxNewTokens,
    Sampling sampling,
    List<String> stopStrings,
    Optional<Path> draft,
    int lookahead) {

  public GenerateSpec {
    stopStrings = List.copyOf(stopStrings);
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("generate '" + prompt.id() + "': maxNewTokens must be at"
          + " least 1, got " + maxNewTokens);
    }
    if (output.isPresent() && output.get().minimumBytes() > maxNewTokens) {
      throw new IllegalArgumentException("generate '" + prompt.id() + "': the output shape needs"
          + " at least " + output.get().minimumBytes() + " tokens but maxNewTokens is "
          + maxNewTokens);
    }
    if (draft.isPresent() && !sampling.isGreedy()) {
      throw new IllegalArgumentException("generate '" + prompt.id() + "': a draft model needs"
          + " greedy decoding (temperature 0)");
    }
    if (lookahead < 1) {
      throw new IllegalArgumentException("generate '" + prompt.id() + "': lookahead must be at"
          + " least 1, got " + lookahead);
    }
  }

  /** A greedy spec with no draft and no stop strings. */
  public static GenerateSpec of(Path bundle, PromptTemplate prompt,
      Optional<OutputConstraint> output, int maxNewTokens) {
    return new GenerateSpec(bundle, DecoderOptions.FP32, prompt, output, maxNewTokens,
        Sampling.greedy(), List.of(), Optional.empty(), 4);
  }

  public GenerateSpec withModelFile(String value) {
    return new GenerateSpec(bundle, value, prompt, output, maxNewTokens, sampling, stopStrings,
        draft, lookahead);
  }

  public GenerateSpec withDraft(Path value) {
    return new GenerateSpec(bundle, modelFile, prompt, output, maxNewTokens, sampling, stopStrings,
        Optional.of(value), lookahead);
  }

  public GenerateSpec withSampling(Sampling value) {
    return new GenerateSpec(bundle, modelFile, prompt, output, maxNewTokens, value, stopStrings,
        draft, lookahead);
  }
}
