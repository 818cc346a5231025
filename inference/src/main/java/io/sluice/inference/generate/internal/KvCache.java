package io.sluice.inference.generate.internal;

/**
 * One sequence's attention keys and values, kept in Java between model calls: per layer a
 * {@code [heads][capacity][headDim]} float array that grows by doubling, so appending a token costs
 * amortised constant time and rolling back (speculative decoding) is just lowering the length.
 *
 * <p>A cache can be frozen ({@link #freeze}); the prefix cache hands out frozen caches, which the
 * runner reads as a shared past but never appends to.
 */
public final class KvCache {

  private final int layers;
  private final int heads;
  private final int headDim;
  private float[][] keys;
  private float[][] values;
  private int capacity;
  private int length;
  private boolean frozen;

  public KvCache(int layers, int heads, int headDim, int initialCapacity) {
    this.layers = layers;
    this.heads = heads;
    this.headDim = headDim;
    this.capacity = Math.max(1, initialCapacity);
    this.keys = new float[layers][heads * capacity * headDim];
    this.values = new float[layers][heads * capacity * headDim];
  }

  public int length() {
    return length;
  }

  public int layers() {
    return layers;
  }

  public int heads() {
    return heads;
  }

  public int headDim() {
    return headDim;
  }

  /** Bytes held by the arrays, for cache weighing. */
  public long bytes() {
    return 2L * layers * heads * capacity * headDim * Float.BYTES;
  }

  public KvCache freeze() {
    frozen = true;
    return this;
  }

  public boolean isFrozen() {
    return frozen;
  }

  /** A writable copy holding the same positions, with room for {@code extra} more. */
  public KvCache copy(int extra) {
    KvCache out = new KvCache(layers, heads, headDim, length + Math.max(extra, 1));
    for (int l = 0; l < layers; l++) {
      for (int h = 0; h < heads; h++) {
        System.arraycopy(keys[l], h * capacity * headDim, out.keys[l], h * out.capacity * headDim,
            length * headDim);
        System.arraycopy(values[l], h * capacity * headDim, out.values[l],
            h * out.capacity * headDim, length * headDim);
      }
    }
    out.length = length;
    return out;
  }

  /** Forgets every position from {@code newLength} on. */
  public void truncate(int newLength) {
    checkWritable();
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException("Cannot truncate a cache of " + length + " positions to "
          + newLength);
    }
    length = newLength;
  }

  /**
   * Copies this cache's positions of one layer into {@code dest}, laid out as
   * {@code [heads][span][headDim]} starting {@code span - length} positions in (left padding).
   */
  void copyPastInto(int layer, boolean key, java.nio.FloatBuffer dest,
      int destOffset, int span) {
    float[] src = key ? keys[layer] : values[layer];
    int pad = span - length;
    for (int h = 0; h < heads; h++) {
      dest.put(destOffset + (h * span + pad) * headDim, src, h * capacity * headDim,
          length * headDim);
    }
  }

  /**
   * Appends {@code count} positions of one layer read from an ONNX {@code present} output laid out
   * {@code [heads][total][headDim]} at {@code srcOffset}, starting at position {@code from}.
   * Call {@link #commit} once every layer has been appended.
   */
  void appendFrom(int layer, boolean key, java.nio.FloatBuffer present, int srcOffset, int total,
      int from, int count) {
    checkWritable();
    ensureCapacity(length + count);
    float[] dst = key ? keys[layer] : values[layer];
    for (int h = 0; h < heads; h++) {
      present.get(srcOffset + (h * total + from) * headDim, dst,
          (h * capacity + length) * headDim, count * headDim);
    }
  }

  void commit(int count) {
    length += count;
  }

  private void ensureCapacity(int needed) {
    if (needed <= capacity) {
      return;
    }
    int grown = Math.max(needed, capacity * 2);
    for (int l = 0; l < layers; l++) {
      keys[l] = regrow(keys[l], grown);
      values[l] = regrow(values[l], grown);
    }
    capacity = grown;
  }

  private float[] regrow(float[] old, int grown) {
    float[] out = new float[heads * grown * headDim];
    for (int h = 0; h < heads; h++) {
      System.arraycopy(old, h * capacity * headDim, out, h * grown * headDim, length * headDim);
    }
    return out;
  }

  private void checkWritable() {
    if (frozen) {
      throw new IllegalStateException("A frozen (shared prefix) cache cannot be changed");
    }
  }

  @Override
  public String toString() {
    return "KvCache[" + length + " of " + capacity + " positions, " + layers + "x" + heads + "x"
        + headDim + "]";
  }
}
