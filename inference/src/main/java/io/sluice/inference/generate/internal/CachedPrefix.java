package io.sluice.inference.generate.internal;

/**
 * The model state after a shared prompt prefix: its frozen key/value cache and the logits at its
 * last token (what the first generated token, or a label's first token, is scored from).
 */
public record CachedPrefix(KvCache cache, float[] lastLogits) {

  public CachedPrefix {
    if (!cache.isFrozen()) {
      throw new IllegalArgumentException("A cached prefix must be frozen");
    }
  }

  public long bytes() {
    return cache.bytes() + (long) lastLogits.length * Float.BYTES;
  }

  /** Runs {@code ids} through {@code model} from an empty cache. */
  public static CachedPrefix compute(DecoderModel model, int[] ids) {
    KvCache cache = model.newCache(ids.length);
    float[] logits = model.forward(java.util.List.of(new DecoderModel.Row(cache, ids, true)),
        DecoderModel.Logits.LAST)[0];
    return new CachedPrefix(cache.freeze(), logits);
  }
}
