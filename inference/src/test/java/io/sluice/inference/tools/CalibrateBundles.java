package io.sluice.inference.tools;

import io.sluice.inference.BundleManifest;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.QuantizationCalibrator;
import io.sluice.inference.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Measures the static activation ranges of the bundled encoders and writes them into their
 * manifests. Run from the repository root after changing a bundled model:
 *
 * <pre>
 * mvn -B -q -pl inference test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.sluice.inference.tools.CalibrateBundles \
 *   -Dexec.args="inference/src/main/resources/sluice/bundles ../shared/data"
 * </pre>
 *
 * <p>Calibration texts: 1,000 CLINC150 training texts drawn with seed 7 and the 860 MaintIE
 * training texts (short user requests and maintenance work orders, the two kinds of text the
 * gateway sees). Each runs alone; the manifest records this provenance.
 */
public final class CalibrateBundles {

  private static final String[] BUNDLES = {"all-minilm-l6-v2-q", "bge-small-en-v1.5-q",
      "e5-small-v2-q"};

  private CalibrateBundles() {}

  public static void main(String[] args) throws Exception {
    Path bundles = Path.of(args[0]);
    Path data = Path.of(args[1]);
    List<String> clinc = new ArrayList<>();
    SharedData.jsonLines(data.resolve("clinc150/train.jsonl")).forEach(e -> clinc.add(e.text()));
    Collections.shuffle(clinc, new Random(7));
    List<String> texts = new ArrayList<>(clinc.subList(0, 1000));
    texts.addAll(SharedData.maintieTexts(data.resolve("maintie/train.json")));
    String provenance = "ranges over 1000 CLINC150 train texts (shuffled with seed 7) and the 860 "
        + "MaintIE train texts, each run alone";
    for (String name : BUNDLES) {
      ModelBundle bundle = ModelBundle.load(ModelBundle.CLASSPATH + name);
      BundleManifest calibrated = QuantizationCalibrator.calibratedManifest(bundle, texts,
          provenance);
      Path target = bundles.resolve(name).resolve(ModelBundle.MANIFEST_FILE);
      Files.write(target, ModelBundle.write(calibrated));
      System.out.println("wrote " + target + " (" + calibrated.quantization().ranges().size()
          + " ranges)");
    }
  }
}
