package io.sluice.operators.anomaly.internal;

import io.sluice.operators.anomaly.AnomalyDetector;
import io.sluice.operators.anomaly.DetectorCodec;

/**
 * What the anomaly operator keeps per device and metric: who the series is, its detector and its
 * open summary window. Stored as one value in the operator's key-value store.
 */
final class SeriesState {

  private static final int FORMAT = 1;

  final String source;
  final String deviceId;
  final String metric;
  final AnomalyDetector detector;
  final WindowSummary window;

  SeriesState(String source, String deviceId, String metric, AnomalyDetector detector,
      WindowSummary window) {
    this.source = source;
    this.deviceId = deviceId;
    this.metric = metric;
    this.detector = detector;
    this.window = window;
  }

  byte[] encode(DetectorCodec codec) {
    StateOutput out = new StateOutput();
    out.writeByte(FORMAT);
    out.writeString(source);
    out.writeString(deviceId);
    out.writeString(metric);
    window.write(out);
    out.writeBytes(codec.encode(detector));
    return out.toByteArray();
  }

  /**
   * Restores a state written by {@link #encode}.
   *
   * @throws IllegalArgumentException when the bytes are not a series state, or the detector
   *     state inside was written under other settings
   */
  static SeriesState decode(byte[] bytes, DetectorCodec codec) {
    try {
      StateInput in = new StateInput(bytes);
      int format = in.readByte("series state format");
      if (format != FORMAT) {
        throw new IllegalArgumentException("series state format " + format + ", expected " + FORMAT);
      }
      String source = in.readString("source");
      String deviceId = in.readString("deviceId");
      String metric = in.readString("metric");
      WindowSummary window = new WindowSummary();
      window.read(in);
      AnomalyDetector detector = codec.decode(in.readBytes("detector state"));
      return new SeriesState(source, deviceId, metric, detector, window);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
