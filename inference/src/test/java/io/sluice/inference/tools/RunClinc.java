package io.sluice.inference.tools;

import io.sluice.inference.EncoderSettings;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.Ticker;
import io.sluice.inference.eval.Clinc150Evaluation;
import io.sluice.inference.internal.Json;
import io.sluice.inference.internal.NoMeters;
import java.nio.file.Path;

/** Development runner of the CLINC150 harness: {@code RunClinc DIR [bundle] [static]}. */
public final class RunClinc {

  private RunClinc() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String bundle = args.length > 1 ? args[1] : ModelBundle.DEFAULT;
    boolean staticQ = args.length <= 2 || Boolean.parseBoolean(args[2]);
    double maxOos = args.length > 3 ? Double.parseDouble(args[3]) : 0.05;
    try (TextEncoder encoder = TextEncoder.open(ModelBundle.load(bundle),
        EncoderSettings.DEFAULT.withStaticQuantization(staticQ), NoMeters.registry())) {
      Clinc150Evaluation.Report report = new Clinc150Evaluation(encoder,
          new Clinc150Evaluation.Options(0.98, maxOos,
              io.sluice.inference.ClassifierSettings.DEFAULT), Ticker.system(), System.err::println).run(dir, dir);
      System.out.println(Json.MAPPER.writeValueAsString(report.toJson()));
    }
  }
}
