package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.inference.BundleVerification;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.Ticker;
import io.sluice.inference.UntrustedBundleException;
import io.sluice.schemas.InferenceResult;
import io.sluice.topology.TopologyException;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Step;
import io.sluice.topology.testing.PipelineTestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's entity models inside a topology: a head trained from the step's train file on the
 * default encoder, saved to its head file and loaded from it on the next start.
 */
class EntityExtractorsTest {

  @TempDir Path dir;

  private static final String TOPOLOGY = """
      apiVersion: sluice/v1
      kind: Gateway
      metadata: {name: plant-7}
      models:
        encoder: {bundle: "classpath:all-minilm-l6-v2-q", threads: 1}
      sources:
        - {name: orders, mqtt: {topic: "p/+/orders"}, schema: TextEvent}
      pipelines:
        - name: orders
          from: orders
          steps:
            - extract: {model: encoder, trainFile: orders.json, headFile: heads/orders.head}
          route:
            - {to: local}
          inference: {maxBatch: 8, maxWait: 10ms}
      """;

  /** "ACT OBJ" orders and "OBJ STATE" faults, in MaintIE's format. */
  private void writeTrainingData() throws Exception {
    List<String> records = new ArrayList<>();
    List<String> states = List.of("leaking", "broken", "cracked");
    for (String act : List.of("replace", "inspect", "repair", "remove")) {
      int o = 0;
      for (String obj : List.of("pump", "hose", "fan", "valve", "filter", "belt", "motor")) {
        records.add("{\"tokens\": [\"" + act + "\", \"" + obj + "\"], \"entities\": ["
            + "{\"start\": 0, \"end\": 1, \"type\": \"Activity/MaintenanceActivity\"},"
            + "{\"start\": 1, \"end\": 2, \"type\": \"PhysicalObject/Part\"}]}");
        records.add("{\"tokens\": [\"" + obj + "\", \"" + states.get(o++ % 3) + "\"], "
            + "\"entities\": [{\"start\": 0, \"end\": 1, \"type\": \"PhysicalObject\"},"
            + "{\"start\": 1, \"end\": 2, \"type\": \"State/UndesirableState\"}]}");
      }
    }
    Files.writeString(dir.resolve("orders.json"), "[" + String.join(",\n", records) + "]");
  }

  private List<String> fieldsOf(String text) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, TOPOLOGY);
    try (Models models = new Models(new SimpleMeterRegistry());
        PipelineTestDriver driver = PipelineTestDriver.load(file, models, models)) {
      driver.pipe("orders", "m1", "{\"text\": \"" + text + "\"}");
      driver.advanceWallClockTime(Duration.ofMillis(50));
      InferenceResult result = driver.results().get(0);
      return result.getFields().stream().map(f -> f.getName() + "=" + f.getValue())
          .collect(Collectors.toList());
    }
  }

  @Test
  void trainsAHeadSavesItAndLoadsItOnTheNextStart() throws Exception {
    writeTrainingData();

    List<String> first = fieldsOf("replace   pump");
    Path head = dir.resolve("heads/orders.head");
    assertThat(head).isRegularFile();
    long saved = Files.getLastModifiedTime(head).toMillis();
    Files.delete(dir.resolve("orders.json")); // the next start must not need the data
    List<String> second = fieldsOf("replace   pump");

    assertThat(first).contains("Activity=replace", "PhysicalObject=pump")
        .anyMatch(f -> f.startsWith("extraction="));
    assertThat(second).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(head).toMillis()).isEqualTo(saved);
  }

  @Test
  void aMissingTrainFileIsATopologyErrorNamingTheFile() throws Exception {
    assertThatThrownBy(() -> fieldsOf("replace pump"))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("orders.json");
  }

  @Test
  void aBundleThatFailsTheModelsTrustSettingsIsRefusedBeforeItRuns() {
    Model pinned = new Model("encoder", ModelBundle.DEFAULT, 1,
        Optional.of("sha256:" + "0".repeat(64)), List.of(), false);
    try (EntityExtractors extractors = new EntityExtractors(new SimpleMeterRegistry(),
        Ticker.system())) {
      assertThatThrownBy(() -> extractors.create(pinned, extract(Step.Extract.TRAINED_HEAD), dir))
          .isInstanceOf(UntrustedBundleException.class)
          .hasMessageContaining("the topology pins sha256:000");
    }
  }

  @Test
  void anExportFolderWithoutAManifestNeedsAllowUnsigned() throws Exception {
    Files.createDirectories(dir.resolve("ner"));
    Model export = new Model("ner", "ner", 1, Optional.empty(), List.of(), false);
    try (EntityExtractors extractors = new EntityExtractors(new SimpleMeterRegistry(),
        Ticker.system())) {
      assertThatThrownBy(() -> extractors.create(export,
          extract(Step.Extract.TOKEN_CLASSIFIER), dir))
          .isInstanceOf(TopologyException.class)
          .hasMessageContaining("cannot be verified").hasMessageContaining("allowUnsigned");
    }
  }

  @Test
  void stepLayersAndEnsembleShapeTheHeadAndAMissingLayerIsATopologyError() throws Exception {
    writeTrainingData();
    Model shipped = new Model("encoder", "classpath:all-minilm-l6-v2-q", 1,
        java.util.Optional.empty(), List.of(), false);
    Step.Extract layers34 = new Step.Extract(List.of(), Map.of(), Map.of(), "encoder",
        Step.Extract.TRAINED_HEAD, "orders.json", "heads/l34.head", 1, List.of(3, 4), 1, 0.5,
        7);
    Step.Extract layer11 = new Step.Extract(List.of(), Map.of(), Map.of(), "encoder",
        Step.Extract.TRAINED_HEAD, "orders.json", null, 1, List.of(11), 1, 0.5, 9);
    try (EntityExtractors extractors = new EntityExtractors(new SimpleMeterRegistry(),
        io.sluice.inference.Ticker.system())) {
      extractors.create(shipped, layers34, dir);
      assertThat(io.sluice.inference.extract.EntityHead.load(dir.resolve("heads/l34.head"))
          .layers()).containsExactly(3, 4);
      BundleVerification trust = extractors.verifications().get("encoder");
      assertThat(trust.trust()).isEqualTo(BundleVerification.Trust.SHIPPED);
      assertThat(trust.bundleId()).startsWith("all-minilm-l6-v2-q@");
      assertThat(trust.digest()).startsWith("sha256:");
      // the saved head has one tagger; a step asking for two retrains and saves it again
      Step.Extract twoTaggers = new Step.Extract(List.of(), Map.of(), Map.of(), "encoder",
          Step.Extract.TRAINED_HEAD, "orders.json", "heads/l34.head", 1, List.of(3, 4), 2, 0.5,
          8);
      extractors.create(shipped, twoTaggers, dir);
      assertThat(io.sluice.inference.extract.EntityHead.load(dir.resolve("heads/l34.head"))
          .ensemble()).isEqualTo(2);

      assertThatThrownBy(() -> extractors.create(shipped, layer11, dir))
          .isInstanceOf(TopologyException.class)
          .hasMessageContaining("model 'encoder'").hasMessageContaining("11");
    }
  }

  @Test
  void modelsListsAnExportFolderRunUnsignedWithItsTrustAndNoDigest() {
    Path folder = Path.of(System.getProperty("sluice.shared.dir", "../shared"), "models",
        "tiny-token-classifier");
    Assumptions.assumeTrue(Files.isRegularFile(folder.resolve("model.onnx")),
        "tiny token classifier not found at " + folder + " (set -Dsluice.shared.dir); skipping");
    Model export = new Model("ner", folder.toAbsolutePath().toString(), 1, Optional.empty(),
        List.of(), true);
    try (Models models = new Models(new SimpleMeterRegistry())) {
      models.create(export, extract(Step.Extract.TOKEN_CLASSIFIER), dir);

      BundleVerification trust = models.verifications().get("ner");
      assertThat(trust.trust()).isEqualTo(BundleVerification.Trust.UNSIGNED_ALLOWED);
      assertThat(trust.bundleId()).isEqualTo("tiny-token-classifier@export");
      assertThat(trust.digest()).isNull();
      assertThat(trust.signerId()).isEqualTo("unsigned");
    }
  }

  private static Step.Extract extract(String modelType) {
    return new Step.Extract(List.of(), Map.of(), Map.of(), "encoder", modelType,
        Step.Extract.TRAINED_HEAD.equals(modelType) ? "orders.json" : null, null, 1, List.of(),
        1, 0.5, 1);
  }

  @Test
  void fieldNamesKeepTheHierarchyReadableByRules() {
    assertThat(EntityExtractors.Adapter.fieldName("State/UndesirableState"))
        .isEqualTo("State.UndesirableState");
    assertThat(EntityExtractors.Adapter.fieldName("PhysicalObject")).isEqualTo("PhysicalObject");
  }
}
