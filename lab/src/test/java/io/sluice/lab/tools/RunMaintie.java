package io.sluice.lab.tools;

import io.sluice.inference.ModelBundle;
import io.sluice.inference.Ticker;
import io.sluice.inference.extract.EntityHeadSettings;
import io.sluice.inference.extract.SubwordPooling;
import io.sluice.inference.extract.WordEncoderSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sluice.lab.eval.MaintieEvaluation;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Development runner of the MaintIE harness for tuning on dev:
 * {@code RunMaintie DIR layers(2,3,4,5) pooling(mean) hidden context epochs nesting threads seed
 * [averaging dropout lexicon ensemble bundle]}.
 */
public final class RunMaintie {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunMaintie() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    List<Integer> layers = Arrays.stream(args[1].split(",")).map(Integer::parseInt).toList();
    WordEncoderSettings encoder = WordEncoderSettings.DEFAULT.withLayers(layers)
        .withPooling(SubwordPooling.of(args[2]));
    EntityHeadSettings head = EntityHeadSettings.DEFAULT
        .withTagger(Integer.parseInt(args[3]), Integer.parseInt(args[4]),
            Integer.parseInt(args[5]))
        .withNestingLayers(Integer.parseInt(args[6])).withThreads(Integer.parseInt(args[7]))
        .withSeed(Long.parseLong(args[8]));
    if (args.length > 9) {
      head = head.withAveraging(Double.parseDouble(args[9]));
    }
    if (args.length > 10) {
      head = head.withDropout(Double.parseDouble(args[10]));
    }
    if (args.length > 11) {
      head = head.withLexicon(Boolean.parseBoolean(args[11]));
    }
    if (args.length > 12) {
      head = head.withEnsemble(Integer.parseInt(args[12]));
    }
    String bundle = args.length > 13 ? args[13] : ModelBundle.DEFAULT;
    MaintieEvaluation.Report report = new MaintieEvaluation(ModelBundle.load(bundle),
        new MaintieEvaluation.Options(head, encoder, 3, dir.resolve("scheme.json"), null),
        Ticker.system(), System.err::println).run(dir.resolve("train.json"),
        dir.resolve("dev.json"));
    System.out.println(JSON.writeValueAsString(report.toJson()));
  }
}
