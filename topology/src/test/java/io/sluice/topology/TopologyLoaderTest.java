package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.TopologySpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyLoaderTest {

  final TopologyLoader loader = new TopologyLoader(Map.of("MQTT_PASSWORD", "s3cret")::get);

  @Test
  void readsAValidFileWithDefaults() {
    TopologySpec spec = loader.parse("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-7, site: plant-a}
        brokers:
          mqtt: {url: "tcp://broker:1883", username: gw, password: "${MQTT_PASSWORD}"}
        sources:
          - {name: notes, mqtt: {topic: "plant/+/notes"}, schema: TextEvent}
        """, "line-7.yaml");
    assertThat(spec.kind()).isEqualTo(TopologySpec.Kind.GATEWAY);
    assertThat(spec.metadata().namespace()).isEqualTo("sluice");
    assertThat(spec.brokers().mqtt().password()).contains("s3cret");
    assertThat(spec.brokers().mqtt().toString()).doesNotContain("s3cret");
    assertThat(spec.brokers().mqtt().clientId()).isEqualTo("sluice-line-7");
    assertThat(spec.brokers().mqtt().sessionExpiry()).isEqualTo(Duration.ofDays(1));
    assertThat(spec.brokers().kafka().embedded()).isTrue();
    Source notes = spec.sources().get(0);
    assertThat(notes.qos()).isEqualTo(1);
    assertThat(notes.format()).isEqualTo(Source.Format.JSON);
    assertThat(spec.limits().maxPayloadBytes()).isEqualTo(65_536);
    assertThat(spec.topics().input("notes")).isEqualTo("sluice.in.notes");
  }

  @Test
  void anExtractStepTakesItsHeadsLayersAndEnsembleWithinBounds() {
    String yaml = ModelExtractionTest.GATEWAY.replaceAll("(?m)^( *)trainFile: train.json$",
        "$1trainFile: train.json\n$1layers: [5, 6, 7, 8]\n$1ensemble: 3");
    io.sluice.topology.spec.Step.Extract extract = (io.sluice.topology.spec.Step.Extract)
        loader.parse(yaml, "line-7.yaml").pipelines().get(0).steps().get(0);
    assertThat(extract.layers()).containsExactly(5, 6, 7, 8);
    assertThat(extract.ensemble()).isEqualTo(3);
    assertThat(((io.sluice.topology.spec.Step.Extract) loader.parse(ModelExtractionTest.GATEWAY,
        "line-7.yaml").pipelines().get(0).steps().get(0)).ensemble()).isEqualTo(1);

    List<TopologyError> errors = errors(yaml.replace("ensemble: 3", "ensemble: 0"));
    assertThat(errors).extracting(TopologyError::line).containsExactly(
        yaml.substring(0, yaml.indexOf("ensemble: 3")).split("\n", -1).length);
    assertThat(errors.get(0).path()).endsWith("ensemble");
    assertThat(errors.get(0).message()).contains("from 1 to 9");
  }

  @Test
  void readsModelTrustSettingsAndRejectsABrokenInlineKeyOrDigest() {
    TopologySpec spec = loader.parse("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-7}
        models:
          shipped: {bundle: "classpath:all-minilm-l6-v2-q"}
          triage:
            bundle: models/triage
            digest: sha256:%s
            trustedKeys: [keys/publisher.pub]
          dev: {bundle: models/dev, allowUnsigned: true}
        """.formatted("ab".repeat(32)), "line-7.yaml");
    assertThat(spec.models().get("shipped").allowUnsigned()).isFalse();
    assertThat(spec.models().get("shipped").trustedKeys()).isEmpty();
    assertThat(spec.models().get("triage").digest()).contains("sha256:" + "ab".repeat(32));
    assertThat(spec.models().get("triage").trustedKeys()).containsExactly("keys/publisher.pub");
    assertThat(spec.models().get("dev").allowUnsigned()).isTrue();

    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-7}
        models:
          triage:
            bundle: models/triage
            trustedKeys:
              - |
                -----BEGIN PUBLIC KEY-----
                bm90IGEga2V5
                -----END PUBLIC KEY-----
        """);
    assertThat(errors).extracting(TopologyError::line).containsExactly(8);
    assertThat(errors.get(0).message()).contains("trustedKeys[0]", "not an Ed25519 public key");
    assertThat(errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-7}
        models:
          triage: {bundle: models/triage, digest: "md5:abc"}
        """).get(0).message()).contains("sha256: and 64 lower-case hex digits");
  }

  @Test
  void reportsEveryMistakeAtOnceWithLinesAndHints() {
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: Line_7}
        brokers:
          mqtt: {url: embedded, recieveMaximum: 10}
          kafka: {partitions: zero}
        sources:
          - name: notes
            mqtt: {topic: "plant/+/notes", qos: 3}
            schema: TextEvents
        """);
    assertThat(errors).extracting(TopologyError::line).containsExactly(3, 5, 6, 9, 10);
    assertThat(errors.get(0).path()).isEqualTo("metadata.name");
    assertThat(errors.get(0).message()).contains("'Line_7' is not a name");
    assertThat(errors.get(1).message()).contains("unknown field 'recieveMaximum'");
    assertThat(errors.get(1).hint()).isEqualTo("did you mean 'receiveMaximum'?");
    assertThat(errors.get(2).path()).isEqualTo("brokers.kafka.partitions");
    assertThat(errors.get(2).message()).contains("'zero' is not a whole number");
    assertThat(errors.get(3).path()).isEqualTo("sources[0].mqtt.qos");
    assertThat(errors.get(3).message()).contains("3 is out of range");
    assertThat(errors.get(4).path()).isEqualTo("sources[0].schema");
    assertThat(errors.get(4).hint()).isEqualTo("did you mean 'TextEvent'?");
  }

  @Test
  void missingRequiredFieldsNameTheFieldAndWhatToWrite() {
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        metadata: {name: a}
        """);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.message()).isEqualTo("missing required field 'kind' in Topology");
      assertThat(e.hint()).contains("'Gateway', 'Cloud'");
      assertThat(e.line()).isEqualTo(1);
    });
  }

  @Test
  void unsetEnvironmentVariableIsAnError() {
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: a}
        brokers:
          mqtt: {url: "tcp://b:1883", password: "${NOT_SET}"}
        """);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.message()).isEqualTo("environment variable NOT_SET is not set");
      assertThat(e.path()).isEqualTo("brokers.mqtt.password");
      assertThat(e.line()).isEqualTo(5);
    });
  }

  @Test
  void pipelinesMustReadDeclaredSources() {
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: a}
        sources:
          - {name: notes, mqtt: {topic: "a/+/n"}, schema: TextEvent}
          - {name: notes, mqtt: {topic: "b/+/n"}, schema: TextEvent}
        pipelines:
          - {name: triage, from: note}
        """);
    assertThat(errors).extracting(TopologyError::message).containsExactly(
        "source name 'notes' is used twice",
        "pipeline 'triage' reads from 'note', which is not a source");
    assertThat(errors.get(1).hint()).isEqualTo("did you mean 'notes'?");
  }

  @Test
  void brokenYamlNamesTheLine() {
    List<TopologyError> errors = errors("apiVersion: sluice/v1\nkind: [Gateway\nmetadata: x\n");
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.message()).startsWith("not valid YAML");
      assertThat(e.line()).isGreaterThanOrEqualTo(2);
    });
  }

  @Test
  void errorsPrintAsFileLineColumnPathMessageHint() {
    assertThatThrownBy(() -> loader.parse("apiVersion: sluice/v2\nkind: Gateway\n"
        + "metadata: {name: a}\n", "gw.yaml"))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("gw.yaml:1:13: apiVersion: 'sluice/v2' is not 'sluice/v1'");
  }

  @Test
  void jsonSchemaAndReferenceComeFromTheSameDeclarations() {
    Map<String, Object> schema = TopologyLoader.jsonSchema();
    @SuppressWarnings("unchecked")
    Map<String, Object> defs = (Map<String, Object>) schema.get("$defs");
    assertThat(defs).containsKeys("Topology", "Metadata", "MqttBroker", "KafkaBroker", "Source");
    @SuppressWarnings("unchecked")
    Map<String, Object> mqtt = (Map<String, Object>) ((Map<String, Object>) defs.get("MqttBroker"))
        .get("properties");
    assertThat(mqtt).containsKeys("url", "clientId", "receiveMaximum", "sessionExpiry");
    assertThat(TopologyLoader.referenceMarkdown())
        .contains("## MqttBroker")
        .contains("| `receiveMaximum` |");
  }

  @Test
  void routeMistakesPointIntoTheExpression() {
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: a}
        models: {enc: {bundle: "classpath:all-minilm-l6-v2-q"}}
        sources:
          - {name: notes, mqtt: {topic: "a/+/n"}, schema: TextEvent}
        pipelines:
          - name: triage
            from: notes
            steps:
              - classify: {model: enc, labels: {x: [one]}}
            route:
              - {when: "confidance < 0.5", to: review}
              - {when: "novel", to: cloud}
        """);
    assertThat(errors).hasSize(2);
    assertThat(errors.get(0).line()).isEqualTo(13);
    assertThat(errors.get(0).column()).isEqualTo(17);
    assertThat(errors.get(0).path()).isEqualTo("pipelines[0].route[0].when");
    assertThat(errors.get(0).hint()).contains("confidence");
    assertThat(errors.get(1).line()).isEqualTo(14);
    assertThat(errors.get(1).message()).contains("restricted");
  }

  @Test
  void stepsMustSuitTheSourceAndNameDeclaredModels() {
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: a}
        models: {enc: {bundle: "classpath:all-minilm-l6-v2-q"}}
        sources:
          - {name: notes, mqtt: {topic: "a/+/n"}, schema: TextEvent}
          - {name: temps, mqtt: {topic: "a/+/t"}, schema: SensorReading}
        pipelines:
          - name: triage
            from: notes
            steps:
              - novelty: {model: enc}
              - window: {size: 1m}
              - classify: {model: encoder, labels: {x: [one]}}
          - name: watch
            from: temps
            steps:
              - redact: {patterns: [email]}
        """);
    assertThat(errors).extracting(TopologyError::line).containsExactly(12, 13, 14, 18);
    assertThat(errors.get(0).message()).contains("novelty needs a classify step");
    assertThat(errors.get(1).message()).contains("step 'window' cannot run on source 'notes'");
    assertThat(errors.get(2).message()).contains("model 'encoder' is not declared");
    assertThat(errors.get(2).hint()).isEqualTo("did you mean 'enc'?");
    assertThat(errors.get(3).message()).contains("step 'redact' cannot run on source 'temps'");
  }

  @Test
  void unknownBuiltInPatternsSuggestTheNearestOne() {
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: a}
        sources:
          - {name: notes, mqtt: {topic: "a/+/n"}, schema: TextEvent}
        pipelines:
          - name: triage
            from: notes
            steps:
              - extract: {patterns: [part_numbers]}
              - redact: {patterns: [emial]}
        """);
    assertThat(errors).extracting(TopologyError::line).containsExactly(10, 11);
    assertThat(errors.get(0).message()).contains("'part_numbers' is not one of");
    assertThat(errors.get(0).hint()).isEqualTo("did you mean 'part_number'?");
    assertThat(errors.get(1).hint()).isEqualTo("did you mean 'email'?");
  }

  @Test
  void industrialSourcesReadTheirSettingsAndReportEveryMistakeAtOnce() {
    TopologySpec spec = loader.parse("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-7}
        sources:
          - name: line
            mqtt: {topic: "spBv1.0/plant/#"}
            format: sparkplug
            schema: SensorReading
            sparkplug: {hostId: gw-1}
          - name: presses
            opcua:
              endpoint: "opc.tcp://press:4840/line"
              securityPolicy: Basic256Sha256
              certificate: gw.p12
              password: "${MQTT_PASSWORD}"
              username: gw
              nodes:
                - {node: "ns=2;s=Press4.Temperature"}
                - {browsePath: "Objects/2:Press5/2:Pressure", device: press-5}
            schema: SensorReading
        """, "line-7.yaml");
    Source line = spec.sources().get(0);
    assertThat(line.format()).isEqualTo(Source.Format.SPARKPLUG);
    assertThat(line.sparkplug().hostId()).contains("gw-1");
    assertThat(line.sparkplug().rebirthInterval()).isEqualTo(Duration.ofSeconds(30));
    Source.OpcUa presses = spec.sources().get(1).opcua();
    assertThat(presses.securityMode()).isEqualTo("SignAndEncrypt");
    assertThat(presses.samplingInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(presses.badStatus()).isEqualTo(Source.BadStatus.DLQ);
    assertThat(presses.nodes()).extracting(Source.OpcUaNode::nodeId)
        .containsExactly("ns=2;s=Press4.Temperature", null);
    assertThat(presses.nodes().get(1).device()).isEqualTo("press-5");
    assertThat(presses.password()).contains("s3cret");
    assertThat(presses.toString()).doesNotContain("s3cret");

    // a value that is wrong in itself is reported where it stands
    List<TopologyError> fieldErrors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-7}
        sources:
          - name: line
            mqtt: {topic: "spBv1.0/plant/#"}
            format: sparkplug
            sparkplug: {hostId: "gw/1"}
          - name: presses
            opcua:
              endpoint: "http://press:4840"
              nodes:
                - {node: "ns=2;s=Press4.Temperature", browsePath: Objects/Press4}
            schema: SensorReading
        """);
    assertThat(fieldErrors).extracting(TopologyError::line).containsExactly(8, 5, 11, 13);
    assertThat(fieldErrors.get(0).message()).contains("no /, + or #");
    assertThat(fieldErrors.get(1).message()).contains("schema");
    assertThat(fieldErrors.get(2).message()).contains("opc.tcp://");
    assertThat(fieldErrors.get(3).message()).contains("exactly one of node and browsePath");

    // settings that do not fit together are all reported at once
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-7}
        sources:
          - name: line
            mqtt: {topic: "plant/+/data"}
            schema: SensorReading
            sparkplug: {hostId: gw-1}
          - name: presses
            opcua:
              endpoint: "opc.tcp://press:4840"
              securityPolicy: Basic256Sha256
              securityMode: None
              nodes:
                - {node: "ns=2;s=Press4.Temperature"}
            schema: SensorReading
          - name: ovens
            opcua: {endpoint: "opc.tcp://oven:4840", nodes: [{node: "ns=2;s=Oven1.Temp"}]}
            schema: TextEvent
        """);
    assertThat(errors).extracting(TopologyError::line).containsExactly(8, 12, 13, 19);
    assertThat(errors).extracting(TopologyError::message).satisfiesExactly(
        m -> assertThat(m).contains("sparkplug is set but format is json"),
        m -> assertThat(m).contains("needs the client's certificate"),
        m -> assertThat(m).contains("needs securityMode Sign or SignAndEncrypt"),
        m -> assertThat(m).contains("makes SensorReadings"));
  }

  @Test
  void aPayloadLimitKafkaCouldNeverWriteIsRefused() {
    List<TopologyError> errors = errors("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: line-7}
        sources:
          - {name: notes, mqtt: {topic: "plant/+/notes"}, schema: TextEvent}
        limits: {maxPayloadBytes: 2MiB}
        """);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.line()).isEqualTo(6);
      assertThat(e.message()).contains("max.request.size").contains("983040");
    });
  }

  @Test
  void everyExampleTopologyValidates() throws Exception {
    java.nio.file.Path dir = java.nio.file.Path.of("..", "edge-configs");
    List<java.nio.file.Path> files;
    try (var stream = java.nio.file.Files.list(dir)) {
      files = stream.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString())
        .contains("demo.yaml", "factory-line.yaml", "cloud.yaml", "sparkplug-line.yaml",
            "opcua-line.yaml");
    for (java.nio.file.Path file : files) {
      TopologySpec spec = new TopologyLoader(name -> null).load(file);
      assertThat(spec.metadata().name()).isNotBlank();
    }
  }

  private List<TopologyError> errors(String yaml) {
    try {
      loader.parse(yaml, "t.yaml");
    } catch (TopologyException e) {
      return e.errors();
    }
    throw new AssertionError("expected errors");
  }
}
