package io.sluice.inference.generate;

/**
 * How the next token is picked from the model's distribution.
 *
 * @param temperature 0 for greedy decoding (the most likely token, ties to the lowest id);
 *     otherwise logits are divided by it before sampling
 * @param topK keep only the {@code topK} most likely tokens (0: no limit)
 * @param topP keep the smallest set of most likely tokens whose probability reaches {@code topP}
 *     (1: no limit)
 * @param seed seeds the request's own random generator, so a request samples the same tokens
 *     whatever else shares its batch
 */
public record Sampling(double temperature, int topK, double topP, long seed) {

  public Sampling {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be 0 (greedy) or positive, got "
          + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("topK must be 0 (no limit) or positive, got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    }
  }

  public static Sampling greedy() {
    return new Sampling(0, 0, 1, 0);
  }

  public static Sampling sample(double temperature, int topK, double topP, long seed) {
    return new Sampling(temperature, topK, topP, seed);
  }

  public boolean isGreedy() {
    return temperature == 0;
  }
}
