package io.sluice.inference.tools;

import io.sluice.inference.ModelBundle;
import io.sluice.inference.internal.NoMeters;
import io.sluice.inference.extract.AnnotatedText;
import io.sluice.inference.extract.EntityCorpus;
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

/**
 * Development benchmark of extraction's two halves on MaintIE dev, side by side in one JVM:
 * {@code BenchEntityDecode BUNDLE LAYERS ENSEMBLE} trains a head on train.json, then times, over
 * the 108 dev texts, nine rounds (the first two warm-up) of: encoding, tagging text by text on
 * one thread, tagging in parallel, and {@code TrainedEntityExtractor.extract}; prints medians.
 */
public final class BenchEntityDecode {

  private BenchEntityDecode() {}

  public static void main(String[] a) throws Exception {
    Path dir = Path.of(System.getProperty("sluice.shared.dir", "../shared"), "data", "maintie");
    List<AnnotatedText> train = EntityCorpus.readMaintie(dir.resolve("train.json"));
    List<AnnotatedText> dev = EntityCorpus.readMaintie(dir.resolve("dev.json"));
    String bundle = a[0];
    List<Integer> layers = Arrays.stream(a[1].split(",")).map(Integer::parseInt).toList();
    int ens = Integer.parseInt(a[2]);
    WordEncoder enc = WordEncoder.open(ModelBundle.load(bundle), WordEncoderSettings.DEFAULT.withLayers(layers), NoMeters.registry());
    TrainedEntityExtractor ex = TrainedEntityExtractor.train(enc, train, List.of(), EntityHeadSettings.DEFAULT.withEnsemble(ens));
    List<Words> words = dev.stream().map(AnnotatedText::words).toList();
    double[] encT = new double[7], seqT = new double[7], parT = new double[7], allT = new double[7];
    for (int r = 0; r < 9; r++) {
      long t0 = System.nanoTime();
      List<WordStates> st = enc.encode(words);
      long t1 = System.nanoTime();
      List<EntityResult> seq = new ArrayList<>();
      for (int i = 0; i < words.size(); i++) seq.add(ex.head().decode(words.get(i), st.get(i)));
      long t2 = System.nanoTime();
      List<EntityResult> par = java.util.stream.IntStream.range(0, words.size()).parallel().mapToObj(i -> ex.head().decode(words.get(i), st.get(i))).toList();
      long t3 = System.nanoTime();
      List<EntityResult> all = ex.extract(words);
      long t4 = System.nanoTime();
      if (!seq.equals(par) || !seq.equals(all)) throw new AssertionError("differ");
      if (r >= 2) { encT[r-2]=(t1-t0)/1e6; seqT[r-2]=(t2-t1)/1e6; parT[r-2]=(t3-t2)/1e6; allT[r-2]=(t4-t3)/1e6; }
    }
    for (double[] x : new double[][]{encT, seqT, parT, allT}) Arrays.sort(x);
    System.out.printf("%s ens=%d (108 texts, ms, median of 7): encode %.1f  decode sequential %.1f  decode parallel %.1f  extract(new) %.1f -> %.0f texts/s; old extract ~ %.0f texts/s%n",
      bundle, ens, encT[3], seqT[3], parT[3], allT[3], 108/(allT[3]/1000), 108/((encT[3]+seqT[3])/1000));
  }
}
