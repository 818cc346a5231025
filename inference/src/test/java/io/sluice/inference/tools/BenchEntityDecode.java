package io.sluice.inference.tools;

import io.sluice.inference.ModelBundle;
import io.sluice.inference.internal.NoMeters;
import io.sluice.inference.extract.AnnotatedText;
import io.sluice.inference.extract.EntityCorpus;
import io.sluice.inference.extract.EntityHead;
import io.sluice.inference.extract.EntityHeadSettings;
import io.sluice.inference.extract.EntityResult;
import io.sluice.inference.extract.TrainedEntityExtractor;
import io.sluice.inference.extract.WordEncoder;
import io.sluice.inference.extract.WordEncoderSettings;
import io.sluice.inference.extract.WordStates;
import io.sluice.inference.extract.Words;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Development benchmark of extraction's two halves on MaintIE dev, side by side in one JVM:
 * {@code BenchEntityDecode BUNDLE LAYERS ENSEMBLE} trains a head on train.json, then times, over
 * the 108 dev texts, nine rounds (the first two warm-up) of: encoding, tagging text by text on
 * one thread, tagging in parallel, and {@code TrainedEntityExtractor.extract}; prints medians.
 */
public final class BenchEntityDecode {

  private BenchEntityDecode() {}

  private static final int WARM_UP = 2;
  private static final int TIMED = 7;

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(System.getProperty("sluice.shared.dir", "../shared"), "data", "maintie");
    List<AnnotatedText> train = EntityCorpus.readMaintie(dir.resolve("train.json"));
    List<AnnotatedText> dev = EntityCorpus.readMaintie(dir.resolve("dev.json"));
    String bundle = args[0];
    List<Integer> layers = Arrays.stream(args[1].split(",")).map(Integer::parseInt).toList();
    int ensemble = Integer.parseInt(args[2]);
    WordEncoder encoder = WordEncoder.open(ModelBundle.load(bundle),
        WordEncoderSettings.DEFAULT.withLayers(layers), NoMeters.registry());
    TrainedEntityExtractor extractor = TrainedEntityExtractor.train(encoder, train, List.of(),
        EntityHeadSettings.DEFAULT.withEnsemble(ensemble));
    EntityHead head = extractor.head();
    List<Words> words = dev.stream().map(AnnotatedText::words).toList();
    double[][] ms = new double[4][TIMED]; // encode, tag on one thread, tag in parallel, extract
    for (int round = 0; round < WARM_UP + TIMED; round++) {
      long t0 = System.nanoTime();
      List<WordStates> states = encoder.encode(words);
      long t1 = System.nanoTime();
      List<EntityResult> sequential = new ArrayList<>();
      for (int i = 0; i < words.size(); i++) {
        sequential.add(head.decode(words.get(i), states.get(i)));
      }
      long t2 = System.nanoTime();
      List<EntityResult> parallel = IntStream.range(0, words.size()).parallel()
          .mapToObj(i -> head.decode(words.get(i), states.get(i))).toList();
      long t3 = System.nanoTime();
      List<EntityResult> extracted = extractor.extract(words);
      long t4 = System.nanoTime();
      if (!sequential.equals(parallel) || !sequential.equals(extracted)) {
        throw new AssertionError("tagging in parallel changed a result");
      }
      if (round >= WARM_UP) {
        long[] marks = {t0, t1, t2, t3, t4};
        for (int k = 0; k < 4; k++) {
          ms[k][round - WARM_UP] = (marks[k + 1] - marks[k]) / 1e6;
        }
      }
    }
    double[] median = new double[4];
    for (int k = 0; k < 4; k++) {
      Arrays.sort(ms[k]);
      median[k] = ms[k][TIMED / 2];
    }
    int n = words.size();
    System.out.printf("%s ens=%d (%d texts, ms, median of %d): encode %.1f  decode sequential"
        + " %.1f  decode parallel %.1f  extract(new) %.1f -> %.0f texts/s; old extract ~ %.0f"
        + " texts/s%n", bundle, ensemble, n, TIMED, median[0], median[1], median[2], median[3],
        n / (median[3] / 1000), n / ((median[0] + median[1]) / 1000));
    extractor.close();
  }
}
