package io.sluice.lab.eval.nab;

import java.util.Arrays;
import java.util.List;

/**
 * The NAB scoring method, implemented from Lavin and Ahmad (2015), "Evaluating Real-time Anomaly
 * Detection Algorithms - the Numenta Anomaly Benchmark" (arXiv:1510.03336), section "Scoring",
 * and NAB's documented rules:
 *
 * <ul>
 *   <li>A reading is a detection when its score reaches the threshold. Readings in the
 *       probationary period, the first 15% of a file but at most 750 rows, are not scored.
 *   <li>A detection inside a labelled window at relative position {@code y = -(last - row + 1) /
 *       length} (-1 at the window's first row, near 0 at its last) earns {@code A_TP *
 *       sigma(y) / sigma(-1)}, where {@code sigma(y) = 2 / (1 + e^(5y)) - 1} is the scaled sigmoid.
 *       A window counts once, with its best (earliest) detection; later ones in it earn nothing.
 *   <li>A detection outside every window costs {@code A_FP * sigma(y)} (negative), where {@code y =
 *       (row - previousWindowLast) / (previousWindowLength - 1)} measures how far past the
 *       preceding window it is; with no preceding window, or when {@code y >= 3}, it costs the full
 *       {@code A_FP}.
 *   <li>A window with no detection costs {@code A_FN}.
 *   <li>The threshold is chosen per profile as the one that maximises the raw score summed over
 *       the whole corpus, and the raw score is normalised to {@code 100 * (raw - null) / (perfect -
 *       null)}, where the null detector flags nothing ({@code -A_FN} per window) and the perfect
 *       one flags each window's first row ({@code +A_TP} per window).
 * </ul>
 */
public final class NabScorer {

  /** Share of each file that is probationary (NAB's default). */
  public static final double PROBATION_FRACTION = 0.15;
  /** Cap on the probationary rows: 15% of 5,000 rows (NAB's default). */
  public static final int PROBATION_CAP = 750;

  private NabScorer() {}

  /** The scores of one profile at one threshold. */
  public record Result(NabProfile profile, double threshold, double raw, double nullScore,
      double perfectScore, double normalized, int windows, int detectedWindows,
      int falsePositives) {}

  public static int probationLength(int rows) {
    return (int) Math.min(Math.floor(PROBATION_FRACTION * rows), PROBATION_CAP);
  }

  /** The scaled sigmoid of the paper: 0.9866 at y = -1, 0 at y = 0, -1 from y = 3 on. */
  public static double scaledSigmoid(double y) {
    return y >= 3.0 ? -1.0 : 2.0 / (1.0 + Math.exp(5.0 * y)) - 1.0;
  }

  /** Scores {@code scores} (one array per series, one score per row) at the best threshold. */
  public static Result scoreBest(List<NabSeries> corpus, List<double[]> scores, NabProfile profile) {
    Points points = Points.of(corpus, scores, profile);
    Integer[] order = new Integer[points.size];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(points.score[b], points.score[a]));
    double[] best = new double[points.windows];
    Arrays.fill(best, -profile.fnWeight());
    double total = -profile.fnWeight() * points.windows;
    double bestTotal = total;
    double bestThreshold = order.length == 0 ? 1.0 : Math.nextUp(points.score[order[0]]);
    int i = 0;
    while (i < order.length) {
      double threshold = points.score[order[i]];
      while (i < order.length && points.score[order[i]] == threshold) {
        int p = order[i++];
        int window = points.window[p];
        if (window < 0) {
          total += points.weight[p];
        } else if (points.weight[p] > best[window]) {
          total += points.weight[p] - best[window];
          best[window] = points.weight[p];
        }
      }
      if (total > bestTotal) {
        bestTotal = total;
        bestThreshold = threshold;
      }
    }
    return scoreAt(corpus, scores, profile, bestThreshold);
  }

  /** Scores {@code scores} with detections at {@code score >= threshold}. */
  public static Result scoreAt(
      List<NabSeries> corpus, List<double[]> scores, NabProfile profile, double threshold) {
    Points points = Points.of(corpus, scores, profile);
    double[] best = new double[points.windows];
    Arrays.fill(best, -profile.fnWeight());
    double falsePositiveCost = 0;
    int falsePositives = 0;
    for (int p = 0; p < points.size; p++) {
      if (points.score[p] < threshold) {
        continue;
      }
      int window = points.window[p];
      if (window < 0) {
        falsePositiveCost += points.weight[p];
        falsePositives++;
      } else {
        best[window] = Math.max(best[window], points.weight[p]);
      }
    }
    double raw = falsePositiveCost;
    int detected = 0;
    for (double windowScore : best) {
      raw += windowScore;
      if (windowScore > -profile.fnWeight()) {
        detected++;
      }
    }
    double nullScore = -profile.fnWeight() * points.windows;
    double perfect = profile.tpWeight() * points.windows;
    // Undefined without windows (null and perfect coincide): NaN, which callers must refuse.
    double normalized = points.windows == 0
        ? Double.NaN : 100.0 * (raw - nullScore) / (perfect - nullScore);
    return new Result(profile, threshold, raw, nullScore, perfect, normalized, points.windows,
        detected, falsePositives);
  }

  /** Every scorable row of the corpus with what a detection there would earn or cost. */
  private static final class Points {
    double[] score;
    double[] weight;
    int[] window;
    int size;
    int windows;

    static Points of(List<NabSeries> corpus, List<double[]> scores, NabProfile profile) {
      if (corpus.size() != scores.size()) {
        throw new IllegalArgumentException(corpus.size() + " series but " + scores.size()
            + " score arrays");
      }
      Points points = new Points();
      int total = 0;
      for (NabSeries series : corpus) {
        total += series.size();
      }
      points.score = new double[total];
      points.weight = new double[total];
      points.window = new int[total];
      double maxTp = scaledSigmoid(-1.0);
      for (int s = 0; s < corpus.size(); s++) {
        NabSeries series = corpus.get(s);
        double[] seriesScores = scores.get(s);
        if (seriesScores.length != series.size()) {
          throw new IllegalArgumentException(series.name() + ": " + series.size() + " rows but "
              + seriesScores.length + " scores");
        }
        int probation = probationLength(series.size());
        int firstWindowId = points.windows;
        for (NabSeries.Window w : series.windows()) {
          if (w.last() >= probation) {
            points.windows++;
          }
        }
        int windowId = firstWindowId;
        int previousLast = -1;
        int previousLength = 0;
        int next = 0;
        List<NabSeries.Window> windows = series.windows();
        for (int row = 0; row < series.size(); row++) {
          while (next < windows.size() && windows.get(next).last() < row) {
            previousLast = windows.get(next).last();
            previousLength = windows.get(next).length();
            if (windows.get(next).last() >= probation) {
              windowId++;
            }
            next++;
          }
          NabSeries.Window current =
              next < windows.size() && windows.get(next).first() <= row ? windows.get(next) : null;
          if (row < probation) {
            continue;
          }
          int p = points.size++;
          points.score[p] = seriesScores[row];
          if (current != null) {
            double y = -(current.last() - row + 1) / (double) current.length();
            points.weight[p] = profile.tpWeight() * scaledSigmoid(y) / maxTp;
            points.window[p] = windowId;
          } else {
            double y = previousLast < 0 || previousLength < 2
                ? 3.0 : (row - previousLast) / (double) (previousLength - 1);
            points.weight[p] = profile.fpWeight() * scaledSigmoid(y);
            points.window[p] = -1;
          }
        }
      }
      return points;
    }
  }
}
