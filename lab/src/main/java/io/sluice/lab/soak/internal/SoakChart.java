package io.sluice.lab.soak.internal;

import io.sluice.lab.soak.FaultPlan;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The soak's chart: published, delivered and forwarded events per second over the run (5 s
 * trailing averages), with a vertical line at every gateway kill (solid) and MQTT restart
 * (dashed) and a grey band over the time the cloud link was cut.
 */
public final class SoakChart {

  private static final double WINDOW_SECONDS = 5;

  private SoakChart() {}

  public static void write(Timeline timeline, String title, Path file) throws IOException {
    XYChart chart = new XYChartBuilder().width(1100).height(560).title(title)
        .xAxisTitle("seconds since the devices started").yAxisTitle("events per second").build();
    chart.getStyler().setMarkerSize(0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    double top = 1;
    Object[][] lines = {
      {Timeline.Series.PUBLISHED, "published (PUBACK)", new Color(0x1f77b4)},
      {Timeline.Series.DELIVERED, "delivered (first copy out)", new Color(0x2ca02c)},
      {Timeline.Series.FORWARDED, "forwarded to the cloud",
          new Color(0xff7f0e)}};
    for (Object[] line : lines) {
      double[][] xy = timeline.rate((Timeline.Series) line[0], WINDOW_SECONDS);
      if (xy[0].length == 0) {
        continue;
      }
      XYSeries s = chart.addSeries((String) line[1], xy[0], xy[1]);
      s.setLineColor((Color) line[2]);
      s.setMarker(SeriesMarkers.NONE);
      for (double v : xy[1]) {
        top = Math.max(top, v);
      }
    }
    top *= 1.1;
    addMarks(chart, timeline.marks(), FaultPlan.Kind.KILL_GATEWAY, "gateway SIGKILL",
        new Color(0xd62728), top);
    addMarks(chart, timeline.marks(), FaultPlan.Kind.RESTART_MQTT, "MQTT restart",
        new Color(0x9467bd), top);
    addCuts(chart, timeline.marks(), top);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** A grey band over each span the cloud's Kafka was stopped. */
  private static void addCuts(XYChart chart, List<Timeline.Mark> marks, double top) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    Double start = null;
    for (Timeline.Mark m : marks) {
      if (m.kind() == FaultPlan.Kind.CUT_CLOUD_LINK) {
        start = m.seconds();
      } else if (m.kind() == FaultPlan.Kind.RESTORE_CLOUD_LINK && start != null) {
        x.addAll(List.of(start, start, m.seconds(), m.seconds(), m.seconds()));
        y.addAll(List.of(0.0, top, top, 0.0, Double.NaN));
        start = null;
      }
    }
    if (x.isEmpty()) {
      return;
    }
    XYSeries s = chart.addSeries("cloud link cut", x, y);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
    s.setFillColor(new Color(128, 128, 128, 45));
    s.setLineColor(new Color(128, 128, 128, 120));
    s.setMarker(SeriesMarkers.NONE);
  }

  /** Vertical lines from 0 to {@code top}, one series per kind (NaN breaks the line between). */
  private static void addMarks(XYChart chart, List<Timeline.Mark> marks, FaultPlan.Kind kind,
      String name, Color color, double top) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (Timeline.Mark m : marks) {
      if (m.kind() != kind) {
        continue;
      }
      x.add(m.seconds());
      y.add(0.0);
      x.add(m.seconds());
      y.add(top);
      x.add(m.seconds());
      y.add(Double.NaN);
    }
    if (x.isEmpty()) {
      return;
    }
    XYSeries s = chart.addSeries(name, x, y);
    s.setLineColor(color);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        kind == FaultPlan.Kind.RESTART_MQTT ? new float[] {6f, 4f} : null, 0f));
  }
}
