package io.sluice.lab.eval.nab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** A PNG of one series: its values, the detector's score, the labelled windows and the flags. */
public final class NabChart {

  private NabChart() {}

  public static void write(Path png, NabSeries series, double[] scores, double threshold) {
    XYChart chart = new XYChartBuilder().width(1400).height(500)
        .title("NAB " + series.name() + ": value, anomaly score, labelled windows")
        .xAxisTitle("time (UTC)").yAxisTitle("value").build();
    chart.getStyler().setDatePattern("MM-dd HH:mm");
    chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
    chart.setYAxisGroupTitle(1, "score");
    List<Date> times = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    List<Double> score = new ArrayList<>();
    List<Double> window = new ArrayList<>();
    List<Date> flagTimes = new ArrayList<>();
    List<Double> flagScores = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      Date time = new Date(series.timestamps()[i]);
      times.add(time);
      values.add(series.values()[i]);
      score.add(scores[i]);
      window.add(series.inWindow(i) ? 1.0 : 0.0);
      if (scores[i] >= threshold) {
        flagTimes.add(time);
        flagScores.add(scores[i]);
      }
    }
    XYSeries labelled = chart.addSeries("labelled window", times, window);
    labelled.setYAxisGroup(1);
    labelled.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
    labelled.setMarker(SeriesMarkers.NONE);
    labelled.setFillColor(new java.awt.Color(255, 200, 200, 120));
    labelled.setLineColor(new java.awt.Color(255, 200, 200, 0));
    chart.addSeries("value", times, values).setMarker(SeriesMarkers.NONE);
    XYSeries scoreSeries = chart.addSeries("anomaly score", times, score);
    scoreSeries.setYAxisGroup(1);
    scoreSeries.setMarker(SeriesMarkers.NONE);
    if (!flagTimes.isEmpty()) {
      XYSeries flags = chart.addSeries(
          String.format(java.util.Locale.ROOT, "flagged (score >= %.3f)", threshold), flagTimes, flagScores);
      flags.setYAxisGroup(1);
      flags.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }
    try {
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write chart " + png, e);
    }
  }
}
