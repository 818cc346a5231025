package io.sluice.lab.eval.learning;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.inference.LabelledText;
import io.sluice.lab.eval.IntentData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * CLINC150 cut for the learning-loop replay: which intents the gateway never saw, what each tier
 * trains on, and the texts streamed in.
 *
 * <p>Everything follows from the files and the seed: the withheld intents are the first
 * {@code withheld} of the sorted intent names shuffled with the seed; each tier trains on the
 * first {@code trainPerIntent} examples of each of its intents in file order (the gateway on the
 * intents not withheld, the cloud on all of them); the stream is {@code val.jsonl} shuffled with
 * the seed, cut to {@code records}, or repeated in freshly shuffled passes when more are asked.
 * Out-of-scope records ({@code oos}) are left out: neither tier has a label for them.
 *
 * @param withheld intents left out of the gateway's training data, sorted
 * @param gatewayTraining what the gateway's classifier is trained on
 * @param cloudTraining what the cloud's classifier is trained on
 * @param stream the texts to publish, in order, with their true intents
 */
public record ReplayData(List<String> withheld, List<LabelledText> gatewayTraining,
    List<LabelledText> cloudTraining, List<LabelledText> stream) {

  /** The gateway's training file, written beside the replay's topologies. */
  public static final String GATEWAY_FILE = "gateway-train.jsonl";
  /** The cloud's training file. */
  public static final String CLOUD_FILE = "cloud-train.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  public ReplayData {
    withheld = List.copyOf(withheld);
    gatewayTraining = List.copyOf(gatewayTraining);
    cloudTraining = List.copyOf(cloudTraining);
    stream = List.copyOf(stream);
  }

  /**
   * Reads {@code train.jsonl} and {@code val.jsonl} of {@code dir}.
   *
   * @throws IllegalArgumentException naming the file or the setting that does not fit
   */
  public static ReplayData load(Path dir, int withheld, int trainPerIntent, int records,
      long seed) {
    Path trainFile = dir.resolve("train.jsonl");
    Path valFile = dir.resolve("val.jsonl");
    for (Path file : List.of(trainFile, valFile)) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("No " + file.getFileName() + " in " + dir
            + " (expected CLINC150's layout: {\"text\": ..., \"label\": ...} a line)");
      }
    }
    List<LabelledText> train = IntentData.read(trainFile).inScope();
    List<LabelledText> val = IntentData.read(valFile).inScope();
    return cut(train, val, withheld, trainPerIntent, records, seed);
  }

  /** The cut of given training and validation examples; see the class comment. */
  public static ReplayData cut(List<LabelledText> train, List<LabelledText> val, int withheld,
      int trainPerIntent, int records, long seed) {
    Set<String> intents = new TreeSet<>();
    train.forEach(t -> intents.add(t.label()));
    if (withheld < 1 || withheld >= intents.size()) {
      throw new IllegalArgumentException("--withheld must be between 1 and " + (intents.size()
          - 1) + " (the training file has " + intents.size() + " intents), got " + withheld);
    }
    if (trainPerIntent < 1) {
      throw new IllegalArgumentException("--train-per-intent must be at least 1, got "
          + trainPerIntent);
    }
    if (records < 1) {
      throw new IllegalArgumentException("--records must be at least 1, got " + records);
    }
    Random random = new Random(seed);
    List<String> order = new ArrayList<>(intents);
    Collections.shuffle(order, random);
    List<String> hidden = new ArrayList<>(order.subList(0, withheld));
    Collections.sort(hidden);
    Set<String> hiddenSet = new HashSet<>(hidden);
    Map<String, Integer> taken = new LinkedHashMap<>();
    List<LabelledText> cloud = new ArrayList<>();
    for (LabelledText t : train) {
      if (taken.merge(t.label(), 1, Integer::sum) <= trainPerIntent) {
        cloud.add(t);
      }
    }
    List<LabelledText> gateway = cloud.stream().filter(t -> !hiddenSet.contains(t.label()))
        .toList();
    List<LabelledText> pool = val.stream().filter(t -> intents.contains(t.label())).toList();
    if (pool.isEmpty()) {
      throw new IllegalArgumentException("The validation file has no records of the training"
          + " file's intents");
    }
    List<LabelledText> stream = new ArrayList<>(records);
    while (stream.size() < records) {
      List<LabelledText> pass = new ArrayList<>(pool);
      Collections.shuffle(pass, random);
      stream.addAll(pass.subList(0, Math.min(pass.size(), records - stream.size())));
    }
    return new ReplayData(hidden, gateway, cloud, stream);
  }

  /** Whether {@code intent} was withheld from the gateway. */
  public boolean isWithheld(String intent) {
    return Collections.binarySearch(withheld, intent) >= 0;
  }

  /** Writes {@link #GATEWAY_FILE} and {@link #CLOUD_FILE} into {@code folder}. */
  public void writeTrainingFiles(Path folder) {
    write(folder.resolve(GATEWAY_FILE), gatewayTraining);
    write(folder.resolve(CLOUD_FILE), cloudTraining);
  }

  private static void write(Path file, List<LabelledText> examples) {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (LabelledText t : examples) {
        out.write(JSON.writeValueAsString(Map.of("text", t.text(), "label", t.label())));
        out.newLine();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
