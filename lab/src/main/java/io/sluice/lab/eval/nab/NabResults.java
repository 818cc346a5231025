package io.sluice.lab.eval.nab;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes detections in NAB's results layout, {@code timestamp,value,anomaly_score,label}, one
 * file per series at {@code <folder>/<category>/<detector>_<file>.csv}, so other NAB tools can
 * read them. {@code label} is 1 inside a labelled window, as in NAB's own results files.
 */
public final class NabResults {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private NabResults() {}

  public static Path write(Path folder, String detector, NabSeries series, double[] scores) {
    String name = series.name();
    int slash = name.lastIndexOf('/');
    Path dir = slash < 0 ? folder : folder.resolve(name.substring(0, slash));
    Path file = dir.resolve(detector + "_" + name.substring(slash + 1));
    try {
      Files.createDirectories(dir);
      try (BufferedWriter out = Files.newBufferedWriter(file)) {
        out.write("timestamp,value,anomaly_score,label\n");
        for (int i = 0; i < series.size(); i++) {
          out.write(TIME.format(Instant.ofEpochMilli(series.timestamps()[i])));
          out.write(',');
          out.write(Double.toString(series.values()[i]));
          out.write(',');
          out.write(Double.toString(scores[i]));
          out.write(series.inWindow(i) ? ",1\n" : ",0\n");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write NAB results file " + file, e);
    }
    return file;
  }
}
