package io.sluice.inference.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.inference.InferenceMeter;

/**
 * The result cache: a text's vector and token count, keyed by the model id and the normalized
 * text ({@link TextKeys}). Caching the encoder's output rather than predictions means a head
 * retrained from feedback still answers repeated texts without running the model. Bounded by
 * count (Caffeine's W-TinyLFU eviction); hits and misses are counted in
 * {@link InferenceMeter#CACHE_HITS} and {@link InferenceMeter#CACHE_MISSES}.
 */
public final class EmbeddingCache {

  /** A cached encoder result. */
  public record Entry(float[] vector, int tokens) {}

  private record Key(String model, String text) {}

  private final String model;
  private final TextKeys keys;
  private final Cache<Key, Entry> cache;
  private final Counter hits;
  private final Counter misses;

  public EmbeddingCache(String model, TextKeys keys, int maximumSize, MeterRegistry registry) {
    this.model = model;
    this.keys = keys;
    this.cache = maximumSize == 0 ? null
        : Caffeine.newBuilder().maximumSize(maximumSize).build();
    this.hits = InferenceMeter.CACHE_HITS.counter(registry, model);
    this.misses = InferenceMeter.CACHE_MISSES.counter(registry, model);
  }

  /** The cached entry of {@code text}, or null (a miss); counts both. */
  public Entry get(String text) {
    Entry entry = cache == null ? null : cache.getIfPresent(new Key(model, keys.key(text)));
    (entry == null ? misses : hits).increment();
    return entry;
  }

  public void put(String text, Entry entry) {
    if (cache != null) {
      cache.put(new Key(model, keys.key(text)), entry);
    }
  }

  public long size() {
    return cache == null ? 0 : cache.estimatedSize();
  }
}
