package io.sluice.lab.eval.learning;

import java.util.ArrayList;
import java.util.List;

/**
 * The replay's figures, computed from what happened to each published record: the forward rate
 * per window of consecutive records (in publish order), and the summary numbers the command
 * reports. Pure: no clocks, no brokers.
 *
 * <p>Early and late are the first and the last quarter of the stream. "Before feedback" is every
 * record the gateway's first head classified (nothing learned yet); records the rig never saw
 * routed count as neither kept nor forwarded and are reported as missing.
 */
public final class ForwardTimeline {

  /**
   * One published record and its fate.
   *
   * @param sequence position in the stream, from 0
   * @param publishedMillis when it was published, in milliseconds since the first publish
   * @param intent its true intent
   * @param withheld whether its intent was withheld from the gateway's training data
   * @param routed whether the gateway's routing of it was seen
   * @param forwarded whether the gateway sent it to the cloud (false: kept local)
   * @param label the gateway's label
   * @param headVersion the gateway head that classified it
   */
  public record Observation(int sequence, long publishedMillis, String intent, boolean withheld,
      boolean routed, boolean forwarded, String label, long headVersion) {

    boolean keptLocal() {
      return routed && !forwarded;
    }

    boolean correct() {
      return intent.equals(label);
    }
  }

  /** Counts over a run of records. */
  public record Tally(int records, int forwarded, int withheld, int withheldForwarded,
      int keptLocal, int keptLocalCorrect, int missing) {

    static Tally of(List<Observation> observations) {
      int records = 0;
      int forwarded = 0;
      int withheld = 0;
      int withheldForwarded = 0;
      int local = 0;
      int localCorrect = 0;
      int missing = 0;
      for (Observation o : observations) {
        if (!o.routed()) {
          missing++;
          continue;
        }
        records++;
        forwarded += o.forwarded() ? 1 : 0;
        if (o.withheld()) {
          withheld++;
          withheldForwarded += o.forwarded() ? 1 : 0;
        }
        if (o.keptLocal()) {
          local++;
          localCorrect += o.correct() ? 1 : 0;
        }
      }
      return new Tally(records, forwarded, withheld, withheldForwarded, local, localCorrect,
          missing);
    }

    /** Share of routed records sent to the cloud. */
    public double forwardRate() {
      return share(forwarded, records);
    }

    /** Share of routed records of withheld intents sent to the cloud. */
    public double withheldForwardRate() {
      return share(withheldForwarded, withheld);
    }

    /** Share of routed records of known intents sent to the cloud. */
    public double knownForwardRate() {
      return share(forwarded - withheldForwarded, records - withheld);
    }

    /** Share of records kept local whose label is their true intent. */
    public double localAccuracy() {
      return share(keptLocalCorrect, keptLocal);
    }
  }

  /**
   * Consecutive records in publish order.
   *
   * @param firstRecord sequence of the first record
   * @param startSeconds publish time of the first record, seconds since the first publish
   * @param endSeconds publish time of the last record
   * @param headVersion the newest head that classified a record of the window
   */
  public record Window(int index, int firstRecord, double startSeconds, double endSeconds,
      Tally tally, long headVersion) {}

  /** The summary figures. */
  public record Figures(int records, int missing, Tally all, Tally early, Tally late,
      Tally firstHead, Tally laterHeads, Window firstWindow, Window lastWindow) {}

  private final List<Observation> observations;
  private final int windowSize;

  /**
   * @param observations every published record, in publish order
   * @param windowSize records per window
   */
  public ForwardTimeline(List<Observation> observations, int windowSize) {
    if (windowSize < 1) {
      throw new IllegalArgumentException("The window must hold at least one record, got "
          + windowSize);
    }
    if (observations.isEmpty()) {
      throw new IllegalArgumentException("No records were published");
    }
    this.observations = List.copyOf(observations);
    this.windowSize = windowSize;
  }

  /** Windows of {@code windowSize} records; the last one may be shorter. */
  public List<Window> windows() {
    List<Window> windows = new ArrayList<>();
    for (int start = 0; start < observations.size(); start += windowSize) {
      List<Observation> part = observations.subList(start,
          Math.min(observations.size(), start + windowSize));
      long head = part.stream().mapToLong(Observation::headVersion).max().orElse(0);
      windows.add(new Window(windows.size(), part.get(0).sequence(),
          part.get(0).publishedMillis() / 1000.0,
          part.get(part.size() - 1).publishedMillis() / 1000.0, Tally.of(part), head));
    }
    return windows;
  }

  public Figures figures() {
    int n = observations.size();
    int quarter = Math.max(1, n / 4);
    long firstHead = observations.stream().filter(Observation::routed)
        .mapToLong(Observation::headVersion).min().orElse(0);
    List<Observation> before = observations.stream()
        .filter(o -> o.routed() && o.headVersion() == firstHead).toList();
    List<Observation> after = observations.stream()
        .filter(o -> o.routed() && o.headVersion() != firstHead).toList();
    List<Window> windows = windows();
    Tally all = Tally.of(observations);
    return new Figures(n, all.missing(), all, Tally.of(observations.subList(0, quarter)),
        Tally.of(observations.subList(n - quarter, n)), Tally.of(before), Tally.of(after),
        windows.get(0), windows.get(windows.size() - 1));
  }

  static double share(int part, int whole) {
    return whole == 0 ? Double.NaN : (double) part / whole;
  }
}
