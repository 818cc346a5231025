package io.sluice.lab.jmh;

import io.sluice.operators.anomaly.AnomalyDetector;
import io.sluice.operators.anomaly.DetectionMethod;
import io.sluice.operators.anomaly.DetectorSettings;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Readings per second through one {@link AnomalyDetector}, method by method, on a seeded
 * synthetic stream (a daily sine with noise and rare spikes, one reading every 5 minutes). Each
 * invocation scores {@value #READINGS} readings with a detector that has already warmed up, so
 * the figure is the steady state of a long-running stream.
 *
 * <pre>java -cp lab/target/classes:$CP org.openjdk.jmh.Main AnomalyDetectorBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AnomalyDetectorBenchmark {

  static final int READINGS = 10_000;

  @Param({"COMBINED", "ROBUST_LEVEL", "SEASONAL", "CHANGE"})
  public DetectionMethod method;

  private long[] times;
  private double[] values;
  private AnomalyDetector detector;
  private long offset;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    times = new long[READINGS];
    values = new double[READINGS];
    for (int i = 0; i < READINGS; i++) {
      times[i] = i * 300_000L;
      values[i] = 50 + 10 * Math.sin(2 * Math.PI * i / 288.0) + random.nextGaussian()
          + (random.nextInt(500) == 0 ? 30 : 0);
    }
    detector = AnomalyDetector.create(DetectorSettings.defaults().withMethod(method));
    for (int i = 0; i < READINGS; i++) {
      detector.score(times[i], values[i]);
    }
    offset = READINGS * 300_000L;
  }

  @Benchmark
  @OperationsPerInvocation(READINGS)
  public double scoreReadings() {
    double sum = 0;
    for (int i = 0; i < READINGS; i++) {
      sum += detector.score(offset + times[i], values[i]).score();
    }
    offset += READINGS * 300_000L;
    return sum;
  }
}
