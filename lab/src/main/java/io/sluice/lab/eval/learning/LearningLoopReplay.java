package io.sluice.lab.eval.learning;

import io.sluice.inference.LabelledText;
import io.sluice.runtime.FeedbackLearner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The replay behind {@code sluice eval learning-loop}: CLINC150 with some intents withheld from
 * the gateway, streamed in over MQTT at a steady rate through a {@link LoopRig}, and what the
 * gateway did with each record turned into a {@link ForwardTimeline}.
 *
 * <p>Pacing: a ticker every 10 ms publishes every record due by then ({@code rate} per second
 * since the first), each at QoS 1 and acknowledged before the next, so the offered rate holds on
 * average whatever the tick jitter. After the last record the replay waits (on the rig's
 * arrivals, not a timer) until every record was routed or two minutes passed.
 */
public final class LearningLoopReplay {

  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(2);

  /**
   * @param data folder with CLINC150's {@code train.jsonl} and {@code val.jsonl}
   * @param withheld how many intents the gateway is not taught
   * @param ratePerSecond records published per second
   * @param records how many records to stream
   * @param window records per window of the timeline
   * @param trainPerIntent training examples per intent, for both tiers
   * @param seed picks the withheld intents and orders the stream
   * @param rig the models and thresholds of the two tiers
   */
  public record Options(Path data, int withheld, double ratePerSecond, int records, int window,
      int trainPerIntent, long seed, LoopRig.Settings rig) {

    /** The same replay with the gateway's learning switched on or off. */
    public Options withLearning(boolean learn) {
      return new Options(data, withheld, ratePerSecond, records, window, trainPerIntent, seed,
          rig.withLearning(learn));
    }
  }

  /**
   * What the replay measured.
   *
   * @param withheld the intents the gateway was not taught
   * @param knownIntents how many intents the gateway was taught
   * @param gatewayExamples examples the gateway was trained on
   * @param cloudExamples examples the cloud was trained on
   * @param figures the summary figures
   * @param windows the forward rate over time
   * @param lessons every retraining the feedback learner reported
   * @param firstPublishMillis wall-clock time of the first publish (lesson times are relative
   *     to it in the chart)
   * @param feedbackReceived feedback records the gateway read
   * @param cloudAccepted forwarded records the cloud accepted
   * @param deadLetters records the gateway dead-lettered (none expected)
   * @param startupSeconds time to train both tiers and start the brokers
   * @param streamSeconds time from the first publish to the last record routed
   * @param resolver what the cloud's resolver did
   * @param cloudUnanswered with a remote resolver: records the cloud accepted that had neither
   *     a verdict nor a review entry when the replay ended (a backlog, not a loss)
   */
  public record Report(Options options, List<String> withheld, int knownIntents,
      int gatewayExamples,
      int cloudExamples, ForwardTimeline.Figures figures, List<ForwardTimeline.Window> windows,
      List<FeedbackLearner.Lesson> lessons, long firstPublishMillis, long feedbackReceived,
      long cloudAccepted, long deadLetters, double startupSeconds, double streamSeconds,
      LoopRig.ResolverFigures resolver, long cloudUnanswered) {

    /** Every verdict-to-serving-head latency, in milliseconds, sorted. */
    public long[] learningLatenciesMillis() {
      return lessons.stream().flatMap(l -> l.latencies().stream()).mapToLong(Duration::toMillis)
          .sorted().toArray();
    }
  }

  private final Clock clock;
  private final Consumer<String> progress;

  public LearningLoopReplay(Clock clock, Consumer<String> progress) {
    this.clock = clock;
    this.progress = progress;
  }

  /**
   * Runs the replay.
   *
   * @throws IllegalArgumentException when the data or an option does not fit
   */
  public Report run(Options options) throws InterruptedException {
    if (!(options.ratePerSecond() > 0)) {
      throw new IllegalArgumentException("--rate must be positive, got "
          + options.ratePerSecond());
    }
    ReplayData data = ReplayData.load(options.data(), options.withheld(),
        options.trainPerIntent(), options.records(), options.seed());
    progress.accept(String.format("Withheld from the gateway (%d): %s", data.withheld().size(),
        String.join(", ", data.withheld())));
    Path work = workFolder();
    try {
      data.writeTrainingFiles(work);
      progress.accept(String.format("Training the cloud (%s, %d examples) and the gateway (%s,"
          + " %d examples); starting the brokers", options.rig().cloudModel(),
          data.cloudTraining().size(), options.rig().gatewayModel(),
          data.gatewayTraining().size()));
      long startup = clock.millis();
      try (LoopRig rig = LoopRig.start(options.rig(), work, clock)) {
        double startupSeconds = (clock.millis() - startup) / 1000.0;
        progress.accept(String.format("Both tiers up in %.0f s; streaming %d records at %.1f/s",
            startupSeconds, data.stream().size(), options.ratePerSecond()));
        long[] publishedAt = new long[data.stream().size()];
        long first = stream(rig, data, options, publishedAt);
        List<String> ids = IntStream.range(0, publishedAt.length).mapToObj(LearningLoopReplay::id)
            .toList();
        if (!rig.awaitOutcomes(ids, DRAIN_LIMIT)) {
          progress.accept("Not every record was routed within " + DRAIN_LIMIT.toSeconds()
              + " s of the last publish; the missing ones are reported");
        }
        long forwarded = ids.stream().filter(id -> rig.outcome(id)
            .map(LoopRig.Outcome::forwarded).orElse(false)).count();
        if (!rig.awaitCloudAnswered(forwarded, DRAIN_LIMIT)) {
          progress.accept("The cloud's resolver had not answered every forwarded record within "
              + DRAIN_LIMIT.toSeconds() + " s; the rest are reported as unanswered");
        }
        double streamSeconds = (clock.millis() - first) / 1000.0;
        LoopRig.ResolverFigures resolver = rig.resolverFigures();
        long unanswered = rig.remoteResolver()
            ? Math.max(0, forwarded - resolver.resolved() - resolver.reviewed()) : 0;
        List<ForwardTimeline.Observation> observations = observations(rig, data, publishedAt,
            first);
        ForwardTimeline timeline = new ForwardTimeline(observations, options.window());
        int known = (int) data.gatewayTraining().stream().map(LabelledText::label).distinct()
            .count();
        return new Report(options, data.withheld(), known, data.gatewayTraining().size(),
            data.cloudTraining().size(), timeline.figures(), timeline.windows(), rig.lessons(),
            first, rig.feedbackReceived(), rig.cloudAccepted(), rig.deadLetters(),
            startupSeconds, streamSeconds, resolver, unanswered);
      }
    } finally {
      deleteQuietly(work);
    }
  }

  /** Publishes the stream at the offered rate; returns the time of the first publish. */
  private long stream(LoopRig rig, ReplayData data, Options options, long[] publishedAt)
      throws InterruptedException {
    List<LabelledText> texts = data.stream();
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    long start = clock.millis();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-replay-publisher");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> {
      try {
        long now = clock.millis();
        long due = Math.min(texts.size(),
            (long) Math.floor((now - start) * options.ratePerSecond() / 1000.0) + 1);
        while (next.get() < due) {
          int i = next.getAndIncrement();
          publishedAt[i] = clock.millis();
          rig.publish(id(i), "device-1", texts.get(i).text());
          if ((i + 1) % options.window() == 0 || i + 1 == texts.size()) {
            report(rig, data, i + 1, options.window(), start);
          }
        }
        if (next.get() >= texts.size()) {
          done.countDown();
        }
      } catch (RuntimeException e) {
        failure.set(e);
        done.countDown();
      }
    }, 0, 10, TimeUnit.MILLISECONDS);
    try {
      done.await();
    } finally {
      ticker.shutdownNow();
      ticker.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return start;
  }

  /**
   * A progress line per window published, on the window before it (by now mostly routed; the
   * first window reports on itself).
   */
  private void report(LoopRig rig, ReplayData data, int published, int window, long start) {
    int to = published > window ? published - window : published;
    int from = Math.max(0, to - window);
    int routed = 0;
    int forwarded = 0;
    int withheld = 0;
    int withheldForwarded = 0;
    long head = 0;
    for (int i = from; i < to; i++) {
      var outcome = rig.outcome(id(i));
      if (outcome.isEmpty()) {
        continue;
      }
      routed++;
      boolean w = data.isWithheld(data.stream().get(i).label());
      forwarded += outcome.get().forwarded() ? 1 : 0;
      withheld += w ? 1 : 0;
      withheldForwarded += w && outcome.get().forwarded() ? 1 : 0;
      head = Math.max(head, outcome.get().headVersion());
    }
    progress.accept(String.format("%4.0f s  published %d/%d, routed %d; records %d-%d forwarded"
        + " %s (withheld intents %s), head v%d; feedback received %d",
        (clock.millis() - start) / 1000.0, published, data.stream().size(), rig.outcomeCount(),
        from, to - 1, percent(forwarded, routed), percent(withheldForwarded, withheld), head,
        rig.feedbackReceived()));
  }

  private static String percent(int part, int whole) {
    return whole == 0 ? "-" : String.format("%.0f%%", 100.0 * part / whole);
  }

  private static List<ForwardTimeline.Observation> observations(LoopRig rig, ReplayData data,
      long[] publishedAt, long first) {
    List<ForwardTimeline.Observation> observations = new ArrayList<>(publishedAt.length);
    for (int i = 0; i < publishedAt.length; i++) {
      LabelledText text = data.stream().get(i);
      var outcome = rig.outcome(id(i));
      observations.add(new ForwardTimeline.Observation(i, publishedAt[i] - first, text.label(),
          data.isWithheld(text.label()), outcome.isPresent(),
          outcome.map(LoopRig.Outcome::forwarded).orElse(false),
          outcome.map(LoopRig.Outcome::label).orElse(null),
          outcome.map(LoopRig.Outcome::headVersion).orElse(0L)));
    }
    return observations;
  }

  static String id(int sequence) {
    return String.format("replay-%06d", sequence);
  }

  private static Path workFolder() {
    try {
      return Files.createTempDirectory("sluice-learning-loop-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary folder for the replay", e);
    }
  }

  private static void deleteQuietly(Path folder) {
    try (var paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder; the OS cleans up
    }
  }
}
