package io.sluice.inference.generate;

/**
 * Limits of one {@link GenerationEngine}.
 *
 * @param maxBatchSize most sequences decoding together; more wait their turn
 * @param maxBatchTokens most token slots (rows x padded length) in one prefill call; longer
 *     prompts are prefilled in several calls
 * @param prefixCacheBytes memory for cached prefix states (0: no prefix cache); ignored when the
 *     engine is given a shared {@link PrefixCache}
 */
public record EngineSettings(int maxBatchSize, int maxBatchTokens, long prefixCacheBytes) {

  public EngineSettings {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
    }
    if (maxBatchTokens < 1) {
      throw new IllegalArgumentException("maxBatchTokens must be at least 1, got "
          + maxBatchTokens);
    }
    if (prefixCacheBytes < 0) {
      throw new IllegalArgumentException("prefixCacheBytes must be 0 or positive, got "
          + prefixCacheBytes);
    }
  }

  /** 16 sequences, 4,096 prefill token slots, 64 MiB of prefix cache. */
  public static EngineSettings defaults() {
    return new EngineSettings(16, 4096, 64L << 20);
  }

  public EngineSettings withMaxBatchSize(int value) {
    return new EngineSettings(value, maxBatchTokens, prefixCacheBytes);
  }

  public EngineSettings withPrefixCacheBytes(long value) {
    return new EngineSettings(maxBatchSize, maxBatchTokens, value);
  }
}
