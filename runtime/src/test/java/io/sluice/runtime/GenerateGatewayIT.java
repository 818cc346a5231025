package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.schemas.AvroSerdes;
import io.sluice.schemas.Generated;
import io.sluice.schemas.InferenceResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generate step end to end on real embedded brokers: Paho publishes work orders, the gateway
 * runs the tiny test decoder over them with a JSON Schema, and every record reaches the results,
 * review or forward topic with a valid generation, routed by what the decoder wrote. The same
 * gateway's admin server answers OpenAI's client from the decoder the topology opened.
 */
class GenerateGatewayIT {

  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void workOrdersBecomeJsonRoutedByTheirUrgency(@TempDir Path dir) throws Exception {
    Path decoder = Path.of(System.getProperty("sluice.shared.dir", "../../shared"), "models",
        "tiny-decoder").toAbsolutePath();
    assumeTrue(Files.isRegularFile(decoder.resolve("model.onnx")),
        "Skipped: the tiny decoder is absent (needs ../shared/models)");
    Path topology = dir.resolve("gateway.yaml");
    Files.writeString(topology, """
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: gen-it, namespace: genit}
        brokers:
          mqtt: {url: embedded}
          kafka: {bootstrap: embedded, partitions: 2}
        models:
          decoder: {bundle: "%s", threads: 1, allowUnsigned: true}
        sources:
          - {name: orders, mqtt: {topic: "plant/+/orders"}, schema: TextEvent}
        pipelines:
          - name: orders
            from: orders
            steps:
              - generate:
                  model: decoder
                  prompt: {id: work-order, version: "2", template: "Order: {{text}}\\nJSON:"}
                  schema:
                    type: object
                    properties:
                      asset: {type: string, maxLength: 16}
                      urgency: {enum: [low, high]}
                    required: [asset, urgency]
                  maxNewTokens: 48
            route:
              - {when: restricted, to: local}
              - {when: "not generate.valid", to: cloud}
              - {when: "generate.urgency == 'high'", to: review}
              - {to: local}
            inference: {maxBatch: 8, maxWait: 50ms}
        """.formatted(decoder));
    try (Gateway gateway = Sluice.load(topology).withDataDir(dir.resolve("data"))
        .withAdmin(AdminSettings.local(0)).start()) {
      gateway.awaitUp(Duration.ofSeconds(60));
      var spec = gateway.spec();
      Map<String, String> sent = new HashMap<>();
      MqttClient device = new MqttClient(gateway.mqttUrl(), "gen-it", new MemoryPersistence());
      device.connect(new MqttConnectionOptions());
      String[] texts = {"replace hydraulic pump", "engine oil leak", "pump seal", "check the",
          "belt worn on conveyor", "fuse blown in panel"};
      int n = 24;
      for (int i = 0; i < n; i++) {
        String text = texts[i % texts.length] + " " + i;
        sent.put("o-" + i, text);
        MqttMessage message = new MqttMessage(("{\"eventId\":\"o-" + i + "\",\"text\":\"" + text
            + "\"}").getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        device.publish("plant/m" + (i % 3) + "/orders", message);
      }
      device.disconnect();
      device.close();

      Map<String, List<InferenceResult>> byTopic = new HashMap<>();
      List<String> topics = List.of(spec.topics().results(), spec.topics().review());
      try (KafkaConsumer<byte[], byte[]> consumer = consumer(gateway.kafkaBootstrap())) {
        consumer.subscribe(List.of(spec.topics().results(), spec.topics().review(),
            spec.topics().forward(), spec.topics().deadLetters()));
        await().atMost(Duration.ofSeconds(120)).until(() -> {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            InferenceResult result = topics.contains(r.topic())
                ? AvroSerdes.inferenceResult().deserializer().deserialize(r.topic(), r.value())
                : r.topic().equals(spec.topics().forward())
                    ? AvroSerdes.forwardedRecord().deserializer().deserialize(r.topic(),
                        r.value()).getResult()
                    : null;
            byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(result);
          }
          return byTopic.values().stream().mapToInt(List::size).sum() >= n;
        });
      }
      assertThat(byTopic).doesNotContainKey(spec.topics().deadLetters());
      List<InferenceResult> all = new ArrayList<>();
      byTopic.values().forEach(all::addAll);
      assertThat(all).extracting(InferenceResult::getEventId)
          .containsExactlyInAnyOrderElementsOf(sent.keySet());
      for (InferenceResult r : all) {
        Generated g = r.getGeneration();
        assertThat(r.getText()).isEqualTo(sent.get(r.getEventId()));
        assertThat(g.getValid()).isTrue();
        assertThat(g.getPromptId()).isEqualTo("work-order");
        assertThat(g.getPromptVersion()).isEqualTo("2");
        assertThat(g.getCompletionTokens()).isPositive();
        JsonNode json = JSON.readTree(g.getJson());
        assertThat(json.get("asset").asText().length()).isLessThanOrEqualTo(16);
      }
      for (InferenceResult r : byTopic.getOrDefault(spec.topics().review(), List.of())) {
        assertThat(JSON.readTree(r.getGeneration().getJson()).get("urgency").asText())
            .isEqualTo("high");
      }
      for (InferenceResult r : byTopic.getOrDefault(spec.topics().results(), List.of())) {
        assertThat(JSON.readTree(r.getGeneration().getJson()).get("urgency").asText())
            .isEqualTo("low");
      }

      OpenAIClient client = OpenAIOkHttpClient.builder()
          .baseUrl(gateway.adminUrl().orElseThrow() + "/v1").apiKey("unused").maxRetries(0)
          .build();
      assertThat(client.models().list().data()).extracting(Model::id).contains("decoder");
      assertThat(client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("decoder").addUserMessage("check the").temperature(0.0).maxCompletionTokens(24)
          .build()).choices().get(0).message().content()).contains(" next song we be played");
      assertThat(gateway.meterRegistry().get("sluice.generate.records")
          .tag("outcome", "valid").counter().count()).isEqualTo(n);
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "gen-it-check");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
