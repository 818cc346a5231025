package io.sluice.inference.generate;

import java.nio.file.Path;
import java.time.Duration;
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
 * @param tooLong what to do with a record whose prompt and {@code maxNewTokens} do not fit the
 *     model's positions
 * @param labels when not empty, the output is one of these labels, picked by label scoring (the
 *     log-likelihood of each label after the prompt) rather than by decoding
 * @param deadline a record's generation fails with {@link FinishReason#DEADLINE} after this
 *     long; empty for none
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
    int lookahead,
    TooLong tooLong,
    List<String> labels,
    Optional<Duration> deadline) {

  /** What happens to a prompt too long for the model. */
  public enum TooLong {
    /** The longest field of the record is cut until the prompt fits; the result says so. */
    TRUNCATE,
    /** The record fails with {@link PromptTooLongException}; the step sends it to the DLQ. */
    REJECT
  }

  public GenerateSpec {
    stopStrings = List.copyOf(stopStrings);
    labels = List.copyOf(labels);
    if (!labels.isEmpty() && output.isPresent()) {
      throw new IllegalArgumentException("generate '" + prompt.id() + "': give labels or an"
          + " output shape, not both");
    }
    if (!labels.isEmpty() && labels.size() < 2) {
      throw new IllegalArgumentException("generate '" + prompt.id() + "': a label set needs at"
          + " least two labels, got " + labels);
    }
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
    if (deadline.isPresent() && (deadline.get().isNegative() || deadline.get().isZero())) {
      throw new IllegalArgumentException("generate '" + prompt.id() + "': the deadline must be"
          + " positive, got " + deadline.get());
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
        Sampling.greedy(), List.of(), Optional.empty(), 4, TooLong.TRUNCATE, List.of(), Optional.empty());
  }

  public GenerateSpec withModelFile(String value) {
    return new GenerateSpec(bundle, value, prompt, output, maxNewTokens, sampling, stopStrings,
        draft, lookahead, tooLong, labels, deadline);
  }

  public GenerateSpec withDraft(Path value) {
    return new GenerateSpec(bundle, modelFile, prompt, output, maxNewTokens, sampling, stopStrings,
        Optional.of(value), lookahead, tooLong, labels, deadline);
  }

  public GenerateSpec withTooLong(TooLong value) {
    return new GenerateSpec(bundle, modelFile, prompt, output, maxNewTokens, sampling, stopStrings,
        draft, lookahead, value, labels, deadline);
  }

  public GenerateSpec withDeadline(Duration value) {
    return new GenerateSpec(bundle, modelFile, prompt, output, maxNewTokens, sampling, stopStrings,
        draft, lookahead, tooLong, labels, Optional.of(value));
  }

  public GenerateSpec withStopStrings(List<String> value) {
    return new GenerateSpec(bundle, modelFile, prompt, output, maxNewTokens, sampling, value,
        draft, lookahead, tooLong, labels, deadline);
  }

  public GenerateSpec withLabels(List<String> value) {
    return new GenerateSpec(bundle, modelFile, prompt, output, maxNewTokens, sampling, stopStrings,
        draft, lookahead, tooLong, value, deadline);
  }

  public GenerateSpec withSampling(Sampling value) {
    return new GenerateSpec(bundle, modelFile, prompt, output, maxNewTokens, value, stopStrings,
        draft, lookahead, tooLong, labels, deadline);
  }
}
