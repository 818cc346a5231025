package io.sluice.inference.tools;

import io.sluice.inference.EncoderSettings;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.SharedData;
import io.sluice.inference.TextEncoder;
import io.sluice.inference.Ticker;
import io.sluice.inference.internal.NoMeters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Development tool: writes the encoder's CLINC150 vectors as little-endian float32 files
 * ({@code TAG_SPLIT_mean.f32}) for offline exploration of heads (docs/BENCHMARKS.md, Inference):
 *
 * <pre>
 * mvn -B -q -pl inference test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.sluice.inference.tools.DumpVectors \
 *   -Dexec.args="../shared/data/clinc150 /tmp/vectors classpath:all-minilm-l6-v2-q mini"
 * </pre>
 */
public final class DumpVectors {

  private DumpVectors() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    Path out = Path.of(args[1]);
    String bundle = args[2];
    String tag = args[3];
    Files.createDirectories(out);
    try (TextEncoder encoder = TextEncoder.open(ModelBundle.load(bundle), EncoderSettings.DEFAULT,
        NoMeters.registry())) {
      for (String split : List.of("train", "val", "oos_train", "oos_val")) {
        List<SharedData.Example> examples = SharedData.jsonLines(data.resolve(split + ".jsonl"));
        long start = Ticker.system().read();
        float[][] vectors = encoder.embed(examples.stream().map(SharedData.Example::text)
            .toList());
        System.err.printf("%s %s: %d texts in %.1f s%n", tag, split, vectors.length,
            (Ticker.system().read() - start) / 1e9);
        ByteBuffer buffer = ByteBuffer.allocate(vectors.length * vectors[0].length * 4)
            .order(ByteOrder.LITTLE_ENDIAN);
        for (float[] v : vectors) {
          for (float x : v) {
            buffer.putFloat(x);
          }
        }
        Files.write(out.resolve(tag + "_" + split + "_mean.f32"), buffer.array());
      }
    }
  }
}
