package io.sluice.lab.tools;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.sluice.inference.ClassifierSettings;
import io.sluice.inference.EncoderSettings;
import io.sluice.inference.HeadInfo;
import io.sluice.inference.HeadKind;
import io.sluice.inference.LabelledText;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.Prediction;
import io.sluice.inference.TextClassifier;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.Ticker;
import io.sluice.inference.TrainingData;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.lab.eval.IntentData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Development runner: how well a head learns intents it was never trained on from a few feedback
 * examples, the classifier's side of the learning loop without brokers. {@code LearnNewIntents
 * DIR [trainPerIntent=30] [taught=1,5] [heads=auto,prototype] [withheld=30] [seed=7]}.
 *
 * <p>The withheld intents are picked as {@code sluice eval learning-loop} picks them (the sorted
 * intents shuffled with the seed). A head is trained on the first {@code trainPerIntent} examples
 * of the other intents of {@code train.jsonl}, then learns the first {@code taught} examples of
 * each withheld intent from {@code val.jsonl}; the rest of {@code val.jsonl} is scored. The head
 * settings run side by side; by default {@code auto} (what a topology gets) and {@code
 * prototype} (what {@code auto} used to become when feedback brought a label with few examples).
 * One JSON line per run, for known
 * and for new intents: accuracy, the share flagged novel, the share the route "novel or
 * confidence &lt; 0.7" keeps local and the accuracy of what it keeps.
 */
public final class LearnNewIntents {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final double MIN_CONFIDENCE = 0.7;

  private LearnNewIntents() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int perIntent = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    String[] taughtCounts = (args.length > 2 ? args[2] : "1,5").split(",");
    List<HeadKind> heads = new ArrayList<>();
    for (String head : (args.length > 3 ? args[3] : "auto,prototype").split(",")) {
      heads.add(HeadKind.of(head.trim()));
    }
    int withheldCount = args.length > 4 ? Integer.parseInt(args[4]) : 30;
    long seed = args.length > 5 ? Long.parseLong(args[5]) : 7;
    List<LabelledText> train = IntentData.read(dir.resolve("train.jsonl")).inScope();
    List<LabelledText> val = IntentData.read(dir.resolve("val.jsonl")).inScope();
    List<String> intents = new ArrayList<>(new TreeSet<>(
        train.stream().map(LabelledText::label).toList()));
    Collections.shuffle(intents, new Random(seed));
    Set<String> withheld = new HashSet<>(intents.subList(0, withheldCount));
    Map<String, Integer> taken = new HashMap<>();
    List<LabelledText> known = train.stream().filter(t -> !withheld.contains(t.label()))
        .filter(t -> taken.merge(t.label(), 1, Integer::sum) <= perIntent).toList();
    try (TextEncoder encoder = TextEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
        EncoderSettings.DEFAULT, new SimpleMeterRegistry())) {
      for (String count : taughtCounts) {
        int taught = Integer.parseInt(count.trim());
        Map<String, Integer> seen = new HashMap<>();
        List<LabelledText> feedback = new ArrayList<>();
        List<LabelledText> scored = new ArrayList<>();
        for (LabelledText t : val) {
          boolean teach = withheld.contains(t.label())
              && seen.merge(t.label(), 1, Integer::sum) <= taught;
          (teach ? feedback : scored).add(t);
        }
        for (HeadKind kind : heads) {
          try (TextClassifier classifier = TextClassifier.create(encoder,
              ClassifierSettings.DEFAULT.withHead(kind), Ticker.system(),
              new SimpleMeterRegistry())) {
            classifier.train(TrainingData.of(known));
            long start = System.nanoTime();
            HeadInfo head = classifier.learn(feedback).get();
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("head_setting", kind.id());
            row.put("head_after_learning", head.kind().id());
            row.put("train_per_intent", perIntent);
            row.put("taught_per_new_intent", taught);
            row.put("learn_seconds", Math.round(seconds * 10) / 10.0);
            row.putAll(score(classifier, scored, withheld));
            System.out.println(JSON.writer()
                .without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(row));
          }
        }
      }
    }
  }

  private static Map<String, Object> score(TextClassifier classifier, List<LabelledText> texts,
      Set<String> withheld) {
    List<Prediction> predictions = classifier.classify(texts.stream()
        .map(LabelledText::text).toList());
    // [records, correct, novel, kept local, kept local and correct] for known, then new intents
    int[][] counts = new int[2][5];
    for (int i = 0; i < texts.size(); i++) {
      Prediction p = predictions.get(i);
      int[] c = counts[withheld.contains(texts.get(i).label()) ? 1 : 0];
      boolean right = p.label().equals(texts.get(i).label());
      boolean local = !p.novel() && p.confidence() >= MIN_CONFIDENCE;
      c[0]++;
      c[1] += right ? 1 : 0;
      c[2] += p.novel() ? 1 : 0;
      c[3] += local ? 1 : 0;
      c[4] += local && right ? 1 : 0;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    String[] names = {"known", "new"};
    for (int k = 0; k < 2; k++) {
      int[] c = counts[k];
      out.put(names[k] + "_accuracy", share(c[1], c[0]));
      out.put(names[k] + "_novel", share(c[2], c[0]));
      out.put(names[k] + "_kept_local", share(c[3], c[0]));
      out.put(names[k] + "_local_accuracy", share(c[4], c[3]));
    }
    return out;
  }

  private static double share(int part, int whole) {
    return whole == 0 ? 0 : Math.round(10_000.0 * part / whole) / 10_000.0;
  }
}
