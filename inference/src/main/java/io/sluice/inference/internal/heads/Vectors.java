package io.sluice.inference.internal.heads;

/**
 * Small dense-vector kernels. Loops are written as {@code y += a * x} over contiguous arrays, the
 * shape the JIT turns into SIMD instructions (a plain dot product is not vectorized, since Java
 * keeps float sums in order).
 */
final class Vectors {

  private Vectors() {}

  /** {@code y[yOff..yOff+n) += a * x[xOff..xOff+n)}. */
  public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }

  public static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  /** Scales to unit length in place (a zero vector stays zero) and returns it. */
  public static float[] normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    if (sum > 0) {
      float inverse = (float) (1.0 / Math.sqrt(sum));
      for (int i = 0; i < v.length; i++) {
        v[i] *= inverse;
      }
    }
    return v;
  }

  /**
   * {@code out[c] = sum_d x[d] * m[d * columns + c]} for a row-major {@code rows x columns}
   * matrix {@code m}, added to what {@code out} holds.
   */
  public static void addTimes(float[] x, float[] m, int columns, float[] out) {
    for (int d = 0; d < x.length; d++) {
      float xd = x[d];
      if (xd != 0f) {
        axpy(xd, m, d * columns, out, 0, columns);
      }
    }
  }

  /** Softmax of {@code z / temperature} into {@code out}; returns the log of the normalizer. */
  public static double softmax(float[] z, double temperature, double[] out) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v / temperature);
    }
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      out[i] = Math.exp(z[i] / temperature - max);
      sum += out[i];
    }
    for (int i = 0; i < z.length; i++) {
      out[i] /= sum;
    }
    return max + Math.log(sum);
  }

  /** {@code log(sum(exp(z)))}, computed stably. */
  public static double logSumExp(float[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : z) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  public static int argmax(float[] z) {
    int best = 0;
    for (int i = 1; i < z.length; i++) {
      if (z[i] > z[best]) {
        best = i;
      }
    }
    return best;
  }
}
