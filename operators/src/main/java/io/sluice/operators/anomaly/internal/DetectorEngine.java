package io.sluice.operators.anomaly.internal;

import io.sluice.operators.anomaly.DetectionMethod;
import io.sluice.operators.anomaly.DetectorSettings;
import io.sluice.operators.anomaly.ExternalScorer;

/**
 * The streaming detector for one metric of one device.
 *
 * <p>Design. Each reading is scored against state built only from earlier readings (no
 * look-ahead), then learned. Up to four channels each measure a raw surprise on their own scale:
 * the robust level channel (distance from the window median in IQR units, plus how far the
 * reading lies beyond the window's range, scored directly), the seasonal channel
 * (distance from what the same slot of earlier periods held, in units of the usual seasonal
 * residual), the change channel (the step from the previous reading in units of the usual step)
 * and an optional user model. Raw surprises are compressed with log1p and turned into scores by a
 * per-channel {@link Surprise}, which knows what is usual for this stream. The reading's score is
 * the highest channel score. Finally a cooldown keeps one event from raising a flag on every
 * reading: for {@code cooldown} of event time after a flag, scores are scaled into
 * [0, threshold). Time is read from the timestamps, never from a clock.
 *
 * <p>State is fixed in size (window ring, season slots, a few numbers per channel), so it
 * serialises to a few kilobytes; {@link #write} and {@link #read} are exact, so a restored
 * detector continues bit for bit where the saved one stopped.
 */
public final class DetectorEngine {

  private static final int MAGIC = 0x534c4144; // "SLAD"
  private static final int FORMAT = 1;
  private static final double TINY = 1e-12;

  private final DetectorSettings settings;
  private final ExternalScorer external;
  private final boolean level;
  private final boolean seasonal;
  private final boolean change;
  private final double scaleAlpha;

  private final SlidingWindow window;
  private final SeasonalProfile season;
  private final Surprise levelSurprise;
  private final Surprise seasonSurprise;
  private final Surprise changeSurprise;
  private final Surprise externalSurprise;

  private long readings;
  private double previous = Double.NaN;
  private double stepScale;
  private long stepCount;
  private double residualScale;
  private long residualCount;
  private long quietUntil = Long.MIN_VALUE;

  public DetectorEngine(DetectorSettings settings, ExternalScorer external) {
    this.settings = settings;
    this.external = external;
    DetectionMethod method = settings.method();
    this.level = method == DetectionMethod.ROBUST_LEVEL || method == DetectionMethod.COMBINED;
    this.seasonal = method == DetectionMethod.SEASONAL || method == DetectionMethod.COMBINED;
    this.change = method == DetectionMethod.CHANGE || method == DetectionMethod.COMBINED;
    this.scaleAlpha = 1.0 / settings.longTermReadings();
    this.window = new SlidingWindow(settings.windowReadings());
    this.season = new SeasonalProfile(
        settings.seasonPeriod().toMillis(), settings.seasonBuckets(), settings.seasonSmoothing());
    this.levelSurprise = newSurprise();
    this.seasonSurprise = newSurprise();
    this.changeSurprise = newSurprise();
    this.externalSurprise = newSurprise();
  }

  private Surprise newSurprise() {
    return new Surprise(settings.longTermReadings(), settings.shortTermReadings());
  }

  public DetectorSettings settings() {
    return settings;
  }

  public long readings() {
    return readings;
  }

  /**
   * Scores one reading and learns it. Returns the score in [0, 1]. A non-finite value scores 1
   * and is not learned: a sensor that reports NaN or infinity is itself an anomaly.
   */
  public double step(long timestampMillis, double value) {
    if (!Double.isFinite(value)) {
      return 1.0;
    }
    readings++;
    long warmup = settings.warmupReadings();
    double score = 0;

    if (level && window.size() >= Math.min(window.capacity(), warmup)) {
      double median = window.quantile(0.5);
      double spread = (window.quantile(0.75) - window.quantile(0.25)) / 1.349;
      double scale = Math.max(spread, 1e-9 * Math.abs(median)) + TINY;
      score = Math.max(score, levelSurprise.update(Math.log1p(Math.abs(value - median) / scale), warmup));
      if (levelSurprise.count() >= warmup) {
        score = Math.max(score, extremity(value));
      }
    }

    int bucket = season.bucket(timestampMillis);
    if (seasonal && season.knows(bucket, timestampMillis, 1)) {
      double residual = Math.abs(value - season.expected(bucket));
      double raw = Math.log1p(residual / (residualScale + 1e-9 * Math.abs(value) + TINY));
      score = Math.max(score, seasonSurprise.update(raw, warmup));
      residualScale = ewma(residualScale, residual, residualCount++);
    }

    if (change && !Double.isNaN(previous)) {
      double step = Math.abs(value - previous);
      double raw = Math.log1p(step / (stepScale + 1e-9 * Math.abs(value) + TINY));
      score = Math.max(score, changeSurprise.update(raw, warmup));
      stepScale = ewma(stepScale, step, stepCount++);
    }

    if (external != null && window.size() > 0) {
      double raw = external.surprise(timestampMillis, value, window.toArray());
      if (!(raw >= 0) || Double.isInfinite(raw)) {
        throw new IllegalStateException("external scorer returned " + raw
            + " for value " + value + " at " + timestampMillis + "; expected a finite value >= 0");
      }
      score = Math.max(score, externalSurprise.update(Math.log1p(raw), warmup));
    }

    window.add(value);
    season.update(bucket, timestampMillis, value);
    previous = value;
    return cooldown(timestampMillis, score);
  }

  /** Range units at which the extremity score reaches 1 - 1/e; 0.6 was best on NAB (0.4..1.0 tried). */
  private static final double EXTREMITY_SCALE = 0.6;

  /**
   * How far {@code value} lies beyond the range of the window, in units of that range, as a
   * score: a new high or low by a fifth of the usual range is already notable.
   */
  private double extremity(double value) {
    double low = window.quantile(0);
    double high = window.quantile(1);
    double range = high - low;
    double beyond = Math.max(value - high, low - value);
    if (beyond <= 0) {
      return 0;
    }
    double relative = range > 0 ? beyond / range : 1e9;
    return 1 - Math.exp(-relative / EXTREMITY_SCALE);
  }

  private double ewma(double current, double sample, long count) {
    double a = Math.max(scaleAlpha, 1.0 / (count + 1));
    return current + a * (sample - current);
  }

  private double cooldown(long timestampMillis, double score) {
    double threshold = settings.threshold();
    if (timestampMillis < quietUntil) {
      return score * Math.nextDown(threshold);
    }
    if (score >= threshold) {
      quietUntil = timestampMillis + settings.cooldown().toMillis();
    }
    return score;
  }

  public void write(StateOutput out) {
    out.writeInt(MAGIC);
    out.writeByte(FORMAT);
    out.writeLong(settings.stateFingerprint());
    out.writeLong(readings);
    out.writeDouble(previous);
    out.writeDouble(stepScale);
    out.writeLong(stepCount);
    out.writeDouble(residualScale);
    out.writeLong(residualCount);
    out.writeLong(quietUntil);
    window.write(out);
    season.write(out);
    levelSurprise.write(out);
    seasonSurprise.write(out);
    changeSurprise.write(out);
    externalSurprise.write(out);
  }

  /** Whether {@code state} was written by an engine with settings of the same shape. */
  public static boolean compatible(byte[] state, DetectorSettings settings) {
    if (state == null || state.length < 13) {
      return false;
    }
    StateInput in = new StateInput(state);
    return in.readInt("magic") == MAGIC && in.readByte("format") == FORMAT
        && in.readLong("settings fingerprint") == settings.stateFingerprint();
  }

  public void read(StateInput in) {
    int magic = in.readInt("magic");
    if (magic != MAGIC) {
      throw new IllegalStateException(String.format(
          "Not detector state: starts with 0x%08x, expected 0x%08x", magic, MAGIC));
    }
    int format = in.readByte("format");
    if (format != FORMAT) {
      throw new IllegalStateException(
          "Detector state format " + format + " is not supported (this build reads " + FORMAT + ")");
    }
    long fingerprint = in.readLong("settings fingerprint");
    if (fingerprint != settings.stateFingerprint()) {
      throw new IllegalStateException(String.format(
          "Detector state was written with other settings (fingerprint %016x, expected %016x for %s)",
          fingerprint, settings.stateFingerprint(), settings));
    }
    readings = in.readLong("readings");
    previous = in.readDouble("previous value");
    stepScale = in.readDouble("step scale");
    stepCount = in.readLong("step count");
    residualScale = in.readDouble("residual scale");
    residualCount = in.readLong("residual count");
    quietUntil = in.readLong("quiet until");
    window.read(in);
    season.read(in);
    levelSurprise.read(in);
    seasonSurprise.read(in);
    changeSurprise.read(in);
    externalSurprise.read(in);
    if (!in.exhausted()) {
      throw new IllegalStateException(
          "Detector state has " + in.remaining() + " unexpected bytes after the last field");
    }
  }
}
