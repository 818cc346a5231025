package io.sluice.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.inference.generate.internal.CachedPrefix;
import io.sluice.inference.generate.internal.KvCache;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The prefix cache keys states by model version and prefix ids and honours its byte bound. */
class PrefixCacheTest {

  private static CachedPrefix state(int positions) {
    return new CachedPrefix(new KvCache(2, 2, 8, positions).freeze(), new float[16]);
  }

  @Test
  void versionsNeverShareState() {
    PrefixCache cache = new PrefixCache(1 << 20);
    AtomicInteger computed = new AtomicInteger();
    int[] ids = {5, 6, 7};
    CachedPrefix a = cache.get("m@1", ids, () -> {
      computed.incrementAndGet();
      return state(3);
    });
    assertThat(cache.get("m@1", new int[] {5, 6, 7}, () -> state(3))).isSameAs(a);
    CachedPrefix b = cache.get("m@2", ids, () -> {
      computed.incrementAndGet();
      return state(3);
    });
    assertThat(b).isNotSameAs(a);
    assertThat(computed).hasValue(2);
    assertThat(cache.stats().hits()).isEqualTo(1);
    assertThat(cache.stats().misses()).isEqualTo(2);

    cache.invalidate("m@1");
    cache.get("m@1", ids, () -> {
      computed.incrementAndGet();
      return state(3);
    });
    assertThat(computed).hasValue(3);
    assertThat(cache.get("m@2", ids, () -> state(3))).isSameAs(b);
  }

  @Test
  void disabledCacheAlwaysComputes() {
    PrefixCache cache = PrefixCache.disabled();
    AtomicInteger computed = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      cache.get("m", new int[] {1}, () -> {
        computed.incrementAndGet();
        return state(1);
      });
    }
    assertThat(computed).hasValue(3);
    assertThat(cache.stats().entries()).isZero();
  }

  @Test
  void staysWithinItsByteBound() {
    long entryBytes = state(64).bytes();
    PrefixCache cache = new PrefixCache(entryBytes * 3);
    for (int i = 0; i < 20; i++) {
      cache.get("m", new int[] {i}, () -> state(64));
    }
    assertThat(cache.stats().bytes()).isLessThanOrEqualTo(entryBytes * 3);
    assertThat(cache.stats().entries()).isBetween(1L, 3L);
  }
}
