package io.sluice.inference.generate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sluice.inference.generate.internal.CachedPrefix;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Keeps the key/value state of shared prompt prefixes (system prompt, instructions, few-shot
 * examples), keyed by model version and the prefix's token ids, so a prefix is run through the
 * model once per model version and every later record starts from a copy. Bounded by bytes (least
 * recently used entries go first); a new model version never sees an older version's state.
 *
 * <p>One cache may be shared by several engines and scorers; it is thread-safe.
 */
public final class PrefixCache {

  /** Counters since the cache was made. */
  public record Stats(long hits, long misses, long entries, long bytes) {}

  private final long maxBytes;
  private final Cache<Key, CachedPrefix> cache;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  /** A cache holding at most {@code maxBytes} of state; 0 disables caching. */
  public PrefixCache(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be 0 (off) or positive, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.cache = Caffeine.newBuilder()
        // Evict on the caller's thread: the bound holds when put returns, and no pool is needed.
        .executor(Runnable::run)
        .maximumWeight(maxBytes)
        .weigher((Key k, CachedPrefix v) -> (int) Math.min(Integer.MAX_VALUE, v.bytes()))
        .build();
  }

  public static PrefixCache disabled() {
    return new PrefixCache(0);
  }

  public boolean enabled() {
    return maxBytes > 0;
  }

  public Stats stats() {
    long bytes = cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    return new Stats(hits.get(), misses.get(), cache.estimatedSize(), bytes);
  }

  /** Drops every state computed with {@code modelVersion} (a model was replaced). */
  public void invalidate(String modelVersion) {
    cache.asMap().keySet().removeIf(k -> k.version.equals(modelVersion));
  }

  public void invalidateAll() {
    cache.invalidateAll();
  }

  CachedPrefix get(String modelVersion, int[] ids, Supplier<CachedPrefix> compute) {
    if (!enabled()) {
      misses.incrementAndGet();
      return compute.get();
    }
    Key key = new Key(modelVersion, ids.clone());
    CachedPrefix found = cache.getIfPresent(key);
    if (found != null) {
      hits.incrementAndGet();
      return found;
    }
    return cache.get(key, k -> {
      misses.incrementAndGet();
      return compute.get();
    });
  }

  private static final class Key {
    private final String version;
    private final int[] ids;
    private final int hash;

    Key(String version, int[] ids) {
      this.version = version;
      this.ids = ids;
      this.hash = 31 * version.hashCode() + Arrays.hashCode(ids);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && k.version.equals(version)
          && Arrays.equals(k.ids, ids);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
